using System.CommandLine;
using System.Globalization;
using Azure.Storage.Blobs;
using Compliance.Cli;
using Compliance.Core.Checking;
using Compliance.Core.Filings;
using Compliance.Pipeline.Digests;
using Microsoft.Extensions.Configuration;
using Compliance.LocalStack;
using Compliance.Storage;
using Compliance.Storage.Entities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Spectre.Console;

namespace Compliance.Stack;

/// <summary><c>compliance-stack serve</c> and <c>compliance-stack demo</c>: the cloud pipeline on this machine.</summary>
internal static class LocalStackCommands
{
    /// <summary>Where the review API listens: Core Tools' port by default, 0 for any free one (printed at start).</summary>
    private static Option<int> ApiPortOption() => new("--api-port") { Description = "Review API port (0 picks a free one).", DefaultValueFactory = _ => 7071 };

    public static Command Serve(TextWriter output, TextWriter error)
    {
        var ports = new PortOptions();
        var apiPort = ApiPortOption();
        var command = new Command(
            "serve",
            """
            Run the cloud pipeline locally: Azurite (installed from package.json if needed, started on 127.0.0.1 unless
            one already listens there) and a host with the same blob trigger and services as the Functions app.
            Upload a filing to container 'filings' as {USCC}/{file} with any client; its violations appear in the
            Violations table and its verdict in results/{USCC}/{file}.json. Ctrl+C stops everything it started.
            """);
        ports.AddTo(command);
        command.Options.Add(apiPort);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var console = Terminal.For(output);
            using var loggerFactory = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Information).AddFilter("Azure.Core", LogLevel.Error).AddFilter("Polly", LogLevel.Warning));
            await using var stack = await LocalStackRun.StartAsync(ports.Read(parse), loggerFactory, cancellationToken, $"http://127.0.0.1:{parse.GetValue(apiPort)}");
            // Plain writes: Spectre would wrap the long connection string, and it must stay copyable.
            console.MarkupLine("[green]Local stack running.[/] Storage connection string:");
            await output.WriteLineAsync(stack.Azurite.ConnectionString);
            console.MarkupLine("Upload a filing, for example with the Azure CLI:");
            await output.WriteLineAsync($"  az storage blob upload --connection-string \"{stack.Azurite.ConnectionString}\" -c filings -n 91510600G612DD2721/payroll.csv -f seeds/samples/payroll-2016-06-jingyang-gbk.csv");
            console.MarkupLine("Violations: table [bold]Violations[/] (by enterprise) and [bold]ViolationsByPeriod[/]; verdicts: container [bold]results[/].");
            console.MarkupLine("Review API: {0}api/violations (bearer tokens: 'compliance-stack token' makes one). Press Ctrl+C to stop.", Markup.Escape(LocalHost.ApiAddress(stack.Host).ToString()));
            await ServeUntilStoppedAsync(console, cancellationToken);
            return ExitCodes.Clean;
        });
        return command;
    }

    public static Command Demo(Option<FileInfo?> catalogOption, TextWriter output, TextWriter error)
    {
        var ports = new PortOptions();
        var apiPort = ApiPortOption();
        var once = new Option<bool>("--once") { Description = "Exit after the summary instead of serving on." };
        var timeout = new Option<int>("--timeout") { Description = "Seconds to wait for every result.", DefaultValueFactory = _ => 120 };
        var command = new Command(
            "demo",
            """
            Start the local stack (as 'serve'), upload every sample filing in seeds/samples to filings/{USCC}/{file},
            wait until each is checked, and print what landed in Table storage. With --once, exit afterwards.
            """)
        {
            once,
            timeout,
        };
        ports.AddTo(command);
        command.Options.Add(apiPort);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var console = Terminal.For(output);
            using var loggerFactory = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning).AddFilter("Azure.Core", LogLevel.Error).AddFilter("Polly", LogLevel.Warning));
            await using var stack = await LocalStackRun.StartAsync(ports.Read(parse), loggerFactory, cancellationToken, $"http://127.0.0.1:{parse.GetValue(apiPort)}");
            var catalog = CliApp.LoadCatalog(parse.GetValue(catalogOption));
            var samples = Directory.GetFiles(Path.Combine(RepositoryLayout.FindRoot(), "seeds", "samples")).Order(StringComparer.Ordinal).ToList();
            var uploads = new List<(string File, string Uscc, string ETag)>();
            var container = stack.Blobs.GetBlobContainerClient("filings");
            foreach (var sample in samples)
            {
                // The sample's own enterprise is its submitter; the offline check tells which that is.
                var uscc = new FilingChecker(catalog).Check(File.OpenRead(sample), Path.GetFileName(sample)).Usccs.FirstOrDefault() ?? "91510100A4C12H3B1Y";
                var name = $"{uscc}/{Path.GetFileName(sample)}";
                var response = await container.GetBlobClient(name).UploadAsync(sample, overwrite: true, cancellationToken);
                uploads.Add((Path.GetFileName(sample), uscc, response.Value.ETag.ToString()));
            }

            console.MarkupLine(CultureInfo.InvariantCulture, "Uploaded {0} sample filings; waiting for the blob trigger…", uploads.Count);
            var store = stack.Host.Services.GetRequiredService<FilingStore>();
            var verdicts = new Dictionary<string, FilingEntity>();
            var deadline = DateTime.UtcNow.AddSeconds(parse.GetValue(timeout));
            while (verdicts.Count < uploads.Count && DateTime.UtcNow < deadline)
            {
                foreach (var (file, uscc, etag) in uploads.Where(u => !verdicts.ContainsKey(u.File)))
                {
                    var key = StorageKeys.FilingVersion(StorageKeys.FilingId($"{uscc}/{file}"), StorageKeys.VersionId(etag));
                    if (await store.GetFilingVersionAsync(uscc, key, cancellationToken) is { } filing)
                    {
                        verdicts[file] = filing;
                    }
                }

                await Task.Delay(500, cancellationToken);
            }

            await RenderAsync(console, uploads, verdicts, store, cancellationToken);
            if (verdicts.Count < uploads.Count)
            {
                await error.WriteLineAsync($"Timed out: {uploads.Count - verdicts.Count} filing(s) had no result after {parse.GetValue(timeout)} s.");
                return ExitCodes.Internal;
            }

            if (!parse.GetValue(once))
            {
                console.MarkupLine("Serving on; press Ctrl+C to stop. Connection string:");
                await output.WriteLineAsync(stack.Azurite.ConnectionString);
                await ServeUntilStoppedAsync(console, cancellationToken);
            }

            return ExitCodes.Clean;
        });
        return command;
    }

    public static Command Digest(TextWriter output, TextWriter error)
    {
        var ports = new PortOptions();
        var month = new Option<string>("--month") { Description = "The month to digest, yyyy-MM (a filing period).", Required = true };
        var region = new Option<string>("--region") { Description = "The regulator view written by --out: a GB/T 2260 code (510000 = Sichuan); 000000 = every region.", DefaultValueFactory = _ => "000000" };
        var outDir = new Option<DirectoryInfo?>("--out") { Description = "Write digest.html, digest.json and digest.csv (and the chart images) here." };
        var send = new Option<bool>("--send") { Description = "Also archive and send the month's digests to the configured recipients, exactly once (Smtp__* and Digest__Recipients__* settings)." };
        var command = new Command(
            "digest",
            """
            Build a month's compliance digest from the storage the local stack uses (.azurite/, as left by 'demo' or 'serve').
            Example: compliance-stack digest --month 2016-06 --out digest/
            """)
        {
            month,
            region,
            outDir,
            send,
        };
        ports.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (!Period.TryParse(parse.GetValue(month), out var period))
            {
                await error.WriteLineAsync($"'{parse.GetValue(month)}' is not a month; write yyyy-MM, for example 2016-06.");
                return ExitCodes.Usage;
            }

            var console = Terminal.For(output);
            using var loggerFactory = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning).AddFilter("Azure.Core", LogLevel.Error).AddFilter("Polly", LogLevel.Warning));
            await using var azurite = await Azurite.StartAsync(ports.Read(parse), loggerFactory.CreateLogger<Azurite>(), cancellationToken);
            var configuration = new ConfigurationBuilder()
                .AddInMemoryCollection(new Dictionary<string, string?> { [StorageConnection.Name] = azurite.ConnectionString })
                .AddEnvironmentVariables()
                .Build();
            var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddSingleton(loggerFactory).AddLogging();
            services.AddCompliancePipeline(configuration);
            await using var provider = services.BuildServiceProvider();
            var digests = provider.GetRequiredService<DigestService>();

            using var digest = await digests.RegulatorDigestAsync(period.Value, parse.GetValue(region)!, cancellationToken);
            console.MarkupLine(CultureInfo.InvariantCulture, "Digest {0}, region {1}: {2} violation(s); new {3}, recurring {4}, resolved {5}; outstanding from the 11 months before {6}.",
                digest.Month, Markup.Escape(digest.Region), digest.Total, digest.New, digest.Recurring, digest.Resolved, digest.OpenBacklog);
            var byRule = new Table().Border(TableBorder.Rounded).AddColumns("Rule", "Violations", "Clause");
            foreach (var count in digest.ByRule)
            {
                byRule.AddRow(Markup.Escape(count.Key), count.Count.ToString(CultureInfo.InvariantCulture), Markup.Escape(count.Citation ?? string.Empty));
            }

            console.Write(byRule);
            if (parse.GetValue(outDir) is { } dir)
            {
                dir.Create();
                foreach (var file in DigestService.RenderRegulator(digest).Files.Where(f => f.Name != "mail.html"))
                {
                    await using var output = File.Create(Path.Combine(dir.FullName, file.Name));
                    file.Write(output);
                }

                console.MarkupLine("Wrote digest.html, digest.json, digest.csv and the charts to {0}", Markup.Escape(dir.FullName));
            }

            if (parse.GetValue(send))
            {
                var result = await digests.RunAsync(period.Value, send: true, cancellationToken);
                console.MarkupLine(CultureInfo.InvariantCulture, "Sent {0}, already sent before {1}, skipped {2}, of {3} recipient(s).", result.Sent, result.AlreadySent, result.Skipped, result.Recipients);
            }

            return ExitCodes.Clean;
        });
        return command;
    }

    /// <summary>Keeps the stack up until Ctrl+C (or SIGTERM); disposing the run then stops it.</summary>
    private static async Task ServeUntilStoppedAsync(IAnsiConsole console, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            console.MarkupLine("Stopping.");
        }
    }

    private static async Task RenderAsync(IAnsiConsole console, List<(string File, string Uscc, string ETag)> uploads, Dictionary<string, FilingEntity> verdicts, FilingStore store, CancellationToken cancellationToken)
    {
        var table = new Table().Border(TableBorder.Rounded).AddColumns("Filing (filings/…)", "Kind", "Status", "Rows", "Violating rows", "Findings", "By rule: findings (rows), read back from the Violations table");
        var total = 0;
        var rows = 0;
        foreach (var (file, uscc, _) in uploads)
        {
            if (!verdicts.TryGetValue(file, out var filing))
            {
                table.AddRow(Markup.Escape($"{uscc}/{file}"), "?", "[red]no result[/]", string.Empty, string.Empty, string.Empty, string.Empty);
                continue;
            }

            // Findings an earlier version had and this one resolved stay stored; the table shows this version's.
            var stored = (await store.FindingsOfFilingAsync(uscc, filing.FilingId, cancellationToken)).Where(v => !v.IsSuperseded).ToList();
            total += stored.Count;
            rows += stored.Sum(v => v.RowCount);
            var byRule = string.Join(", ", stored.GroupBy(v => v.Rule).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => string.Create(CultureInfo.InvariantCulture, $"{g.Key} {g.Count()} ({g.Sum(v => v.RowCount)})")));
            table.AddRow(
                Markup.Escape($"{uscc}/{file}"),
                Markup.Escape(filing.Kind ?? "?"),
                FilingStatusNames.IsChecked(filing.Status) ? $"[green]{FilingStatus.Checked.ToContractName()}[/]" : $"[red]{FilingStatus.Rejected.ToContractName()}[/]",
                filing.Rows.ToString(CultureInfo.InvariantCulture),
                filing.ViolationCount.ToString(CultureInfo.InvariantCulture),
                stored.Count.ToString(CultureInfo.InvariantCulture),
                Markup.Escape(byRule));
        }

        console.Write(table);
        console.MarkupLine(CultureInfo.InvariantCulture, "{0} of {1} filings checked; {2} findings over {3} violating rows in Table storage; verdicts in results/{{USCC}}/{{file}}.json.", verdicts.Count, uploads.Count, total, rows);
    }

    /// <summary>
    /// Where the local stack keeps its storage, shared by serve, demo and digest: Azurite's ports, and its
    /// data under .azurite/ in the checkout (so a digest can read what a demo stored), or in memory.
    /// </summary>
    internal sealed class PortOptions
    {
        private readonly Option<int> blob = new("--blob-port") { Description = "Azurite blob port.", DefaultValueFactory = _ => 10000 };
        private readonly Option<int> queue = new("--queue-port") { Description = "Azurite queue port.", DefaultValueFactory = _ => 10001 };
        private readonly Option<int> table = new("--table-port") { Description = "Azurite table port.", DefaultValueFactory = _ => 10002 };
        private readonly Option<bool> inMemory = new("--in-memory") { Description = "Keep Azurite's data in memory instead of .azurite/ in the checkout." };

        public void AddTo(Command command)
        {
            command.Options.Add(blob);
            command.Options.Add(queue);
            command.Options.Add(table);
            command.Options.Add(inMemory);
        }

        public AzuriteOptions Read(ParseResult parse) => new()
        {
            BlobPort = parse.GetValue(blob),
            QueuePort = parse.GetValue(queue),
            TablePort = parse.GetValue(table),
            InMemory = parse.GetValue(inMemory),
            Location = parse.GetValue(inMemory) ? null : Path.Combine(RepositoryLayout.FindRoot(), ".azurite"),
        };
    }
}

/// <summary>Azurite plus the local host (restarted after a fault, as the Functions platform would), started together and stopped in reverse order.</summary>
internal sealed class LocalStackRun : IAsyncDisposable
{
    private readonly SupervisedHost host;

    private LocalStackRun(Azurite azurite, SupervisedHost host)
    {
        Azurite = azurite;
        this.host = host;
        Blobs = new BlobServiceClient(azurite.ConnectionString);
    }

    public Azurite Azurite { get; }

    /// <summary>The host running now.</summary>
    public IHost Host => host.Current;

    public BlobServiceClient Blobs { get; }

    public static async Task<LocalStackRun> StartAsync(AzuriteOptions options, ILoggerFactory loggerFactory, CancellationToken cancellationToken, string apiUrl)
    {
        var azurite = await Azurite.StartAsync(options, loggerFactory.CreateLogger<Azurite>(), cancellationToken);
        try
        {
            // Containers exist before anyone uploads, so a plain client upload works on a fresh Azurite.
            var blobs = new BlobServiceClient(azurite.ConnectionString);
            foreach (var name in new[] { "filings", "results" })
            {
                await blobs.GetBlobContainerClient(name).CreateIfNotExistsAsync(cancellationToken: cancellationToken);
            }

            var host = await SupervisedHost.StartAsync(
                () => LocalHost.CreateBuilder(azurite.ConnectionString, configureServices: services => services.AddSingleton(loggerFactory), apiUrl: apiUrl).Build(),
                loggerFactory.CreateLogger<SupervisedHost>(),
                cancellationToken);
            return new LocalStackRun(azurite, host);
        }
        catch
        {
            await azurite.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await host.DisposeAsync();
        }
        finally
        {
            await Azurite.DisposeAsync();
        }
    }
}
