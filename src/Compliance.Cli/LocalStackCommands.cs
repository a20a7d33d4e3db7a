using System.CommandLine;
using System.Globalization;
using Azure.Storage.Blobs;
using Compliance.Core.Checking;
using Compliance.LocalStack;
using Compliance.Storage;
using Compliance.Storage.Entities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Spectre.Console;

namespace Compliance.Cli;

/// <summary><c>compliance serve</c> and <c>compliance demo</c>: the cloud pipeline on this machine.</summary>
internal static class LocalStackCommands
{
    public static Command Serve(TextWriter output, TextWriter error)
    {
        var ports = new PortOptions();
        var command = new Command(
            "serve",
            """
            Run the cloud pipeline locally: Azurite (installed from package.json if needed, started on 127.0.0.1 unless
            one already listens there) and a host with the same blob trigger and services as the Functions app.
            Upload a filing to container 'filings' as {USCC}/{file} with any client; its violations appear in the
            Violations table and its verdict in results/{USCC}/{file}.json. Ctrl+C stops everything it started.
            """);
        ports.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var console = CheckCommand.Console(output);
            using var loggerFactory = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Information).AddFilter("Azure.Core", LogLevel.Error).AddFilter("Polly", LogLevel.Warning));
            await using var stack = await LocalStackRun.StartAsync(ports.Read(parse), loggerFactory, cancellationToken);
            // Plain writes: Spectre would wrap the long connection string, and it must stay copyable.
            console.MarkupLine("[green]Local stack running.[/] Storage connection string:");
            await output.WriteLineAsync(stack.Azurite.ConnectionString);
            console.MarkupLine("Upload a filing, for example with the Azure CLI:");
            await output.WriteLineAsync($"  az storage blob upload --connection-string \"{stack.Azurite.ConnectionString}\" -c filings -n 91510600G612DD2721/payroll.csv -f seeds/samples/payroll-2016-06-jingyang-gbk.csv");
            console.MarkupLine("Violations: table [bold]Violations[/] (by enterprise) and [bold]ViolationsByPeriod[/]; verdicts: container [bold]results[/]. Press Ctrl+C to stop.");
            await ServeUntilStoppedAsync(console, cancellationToken);
            return ExitCodes.Clean;
        });
        return command;
    }

    public static Command Demo(Option<FileInfo?> catalogOption, TextWriter output, TextWriter error)
    {
        var ports = new PortOptions();
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
        command.SetAction(async (parse, cancellationToken) =>
        {
            var console = CheckCommand.Console(output);
            using var loggerFactory = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning).AddFilter("Azure.Core", LogLevel.Error).AddFilter("Polly", LogLevel.Warning));
            await using var stack = await LocalStackRun.StartAsync(ports.Read(parse), loggerFactory, cancellationToken);
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
        var table = new Table().Border(TableBorder.Rounded).AddColumns("Filing (filings/…)", "Kind", "Status", "Rows", "Violations", "By rule (read back from the Violations table)");
        var total = 0;
        foreach (var (file, uscc, _) in uploads)
        {
            if (!verdicts.TryGetValue(file, out var filing))
            {
                table.AddRow(Markup.Escape($"{uscc}/{file}"), "?", "[red]no result[/]", string.Empty, string.Empty, string.Empty);
                continue;
            }

            var stored = await store.ViolationsOfFilingAsync(uscc, filing.FilingId, cancellationToken);
            total += stored.Count;
            var byRule = string.Join(", ", stored.GroupBy(v => v.Rule).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key} {g.Count()}"));
            table.AddRow(
                Markup.Escape($"{uscc}/{file}"),
                Markup.Escape(filing.Kind ?? "?"),
                filing.Status == "checked" ? "[green]checked[/]" : "[red]rejected[/]",
                filing.Rows.ToString(CultureInfo.InvariantCulture),
                stored.Count.ToString(CultureInfo.InvariantCulture),
                Markup.Escape(byRule));
        }

        console.Write(table);
        console.MarkupLine(CultureInfo.InvariantCulture, "{0} of {1} filings checked; {2} violations in Table storage; verdicts in results/{{USCC}}/{{file}}.json.", verdicts.Count, uploads.Count, total);
    }

    /// <summary>The Azurite ports, shared by serve and demo.</summary>
    private sealed class PortOptions
    {
        private readonly Option<int> blob = new("--blob-port") { Description = "Azurite blob port.", DefaultValueFactory = _ => 10000 };
        private readonly Option<int> queue = new("--queue-port") { Description = "Azurite queue port.", DefaultValueFactory = _ => 10001 };
        private readonly Option<int> table = new("--table-port") { Description = "Azurite table port.", DefaultValueFactory = _ => 10002 };

        public void AddTo(Command command)
        {
            command.Options.Add(blob);
            command.Options.Add(queue);
            command.Options.Add(table);
        }

        public AzuriteOptions Read(ParseResult parse) => new()
        {
            BlobPort = parse.GetValue(blob),
            QueuePort = parse.GetValue(queue),
            TablePort = parse.GetValue(table),
        };
    }
}

/// <summary>Azurite plus the local host, started together and stopped in reverse order.</summary>
internal sealed class LocalStackRun : IAsyncDisposable
{
    private LocalStackRun(Azurite azurite, IHost host)
    {
        Azurite = azurite;
        Host = host;
        Blobs = new BlobServiceClient(azurite.ConnectionString);
    }

    public Azurite Azurite { get; }

    public IHost Host { get; }

    public BlobServiceClient Blobs { get; }

    public static async Task<LocalStackRun> StartAsync(AzuriteOptions options, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        var azurite = await Azurite.StartAsync(options, loggerFactory.CreateLogger<Azurite>(), cancellationToken);
        try
        {
            var host = LocalHost.CreateBuilder(azurite.ConnectionString, configureServices: services => services.AddSingleton(loggerFactory)).Build();
            var run = new LocalStackRun(azurite, host);

            // Containers exist before anyone uploads, so a plain client upload works on a fresh Azurite.
            foreach (var name in new[] { "filings", "results" })
            {
                await run.Blobs.GetBlobContainerClient(name).CreateIfNotExistsAsync(cancellationToken: cancellationToken);
            }

            await host.StartAsync(cancellationToken);
            return run;
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
            await Host.StopAsync(TimeSpan.FromSeconds(10));
        }
        finally
        {
            Host.Dispose();
            await Azurite.DisposeAsync();
        }
    }
}
