using System.CommandLine;
using System.Globalization;
using Compliance.Cli;
using Compliance.Core.Filings;
using Compliance.LocalStack;
using Compliance.Pipeline;
using Compliance.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Compliance.Stack;

/// <summary>
/// Maintenance commands over a storage account (or the local stack's): <c>compliance-stack migrate-findings</c> groups
/// violations stored one per row into findings; <c>compliance-stack recount --month</c> rebuilds a month's counts;
/// <c>compliance-stack migrate-keys</c> moves the by-month index to the keys by region.
/// </summary>
internal static class MigrateCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var (ports, storage) = (new LocalStackCommands.PortOptions(), StorageOption());
        var command = new Command(
            "migrate-findings",
            """
            Group the violations stored one per row (before findings) into findings, filing by filing: the rows are
            archived to ViolationRowsArchive first, each finding's history names the rows and the decisions made on
            them, and only then are the per-row entities removed. Safe to stop and run again: a finished run does nothing.
            Example: compliance-stack migrate-findings
            """)
        {
            storage,
        };
        ports.AddTo(command);
        command.SetAction((parse, cancellationToken) => WithPipelineAsync(parse, ports, storage, cancellationToken, async provider =>
        {
            var result = await provider.GetRequiredService<FindingMigration>().RunAsync(cancellationToken);
            await output.WriteLineAsync(string.Create(
                CultureInfo.InvariantCulture,
                $"Migrated {result.Filings} filing(s): {result.Rows} per-row violation(s) grouped; {result.FindingsAdded} finding(s) added, {result.FindingsExisting} already there."));
            return ExitCodes.Clean;
        }));
        return command;
    }

    public static Command CreateRecount(TextWriter output, TextWriter error)
    {
        var (ports, storage) = (new LocalStackCommands.PortOptions(), StorageOption());
        var month = new Option<string>("--month") { Description = "The month (yyyy-MM) whose counts are rebuilt.", Required = true };
        var command = new Command(
            "recount",
            """
            Rebuild the finding counts of one month (what the regulators' overview reads) from the month's findings:
            the month's counts are thrown away and every finding counted afresh. For counts left behind by a write
            that stopped half-way; run it when no filings of that month are being checked. Months are rebuilt oldest
            first when several are, since a finding's being recurring is read from the month before.
            Example: compliance-stack recount --month 2016-09
            """)
        {
            storage,
            month,
        };
        ports.AddTo(command);
        command.SetAction((parse, cancellationToken) =>
        {
            if (!Period.TryParse(parse.GetValue(month), out var period))
            {
                error.WriteLine($"'{parse.GetValue(month)}' is not a month; write yyyy-MM, for example 2016-09.");
                return Task.FromResult(ExitCodes.Usage);
            }

            return WithPipelineAsync(parse, ports, storage, cancellationToken, async provider =>
            {
                var counted = await provider.GetRequiredService<FindingRecount>().RunAsync(period.Value, cancellationToken);
                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"Recounted {period}: {counted} finding(s)."));
                return ExitCodes.Clean;
            });
        });
        return command;
    }

    public static Command CreateKeys(TextWriter output)
    {
        var (ports, storage) = (new LocalStackCommands.PortOptions(), StorageOption());
        var command = new Command(
            "migrate-keys",
            """
            Rebuild the by-month index (ViolationsByPeriod) under the keys by month, province and region from the
            Violations table, then remove the rows under the old keys (a bare month). Review states and history are
            kept: Violations holds every finding's state, and history is keyed by the finding. Safe to stop and run
            again; run it after deploying this version, when no reviews are being made.
            Example: compliance-stack migrate-keys --storage "$CONNECTION_STRING"
            """)
        {
            storage,
        };
        ports.AddTo(command);
        command.SetAction((parse, cancellationToken) => WithPipelineAsync(parse, ports, storage, cancellationToken, async provider =>
        {
            var result = await provider.GetRequiredService<KeyMigration>().RunAsync(null, KeyMigration.PageSize, cancellationToken);
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"Indexed {result.Indexed} violation(s) under the region keys; removed {result.LegacyRemoved} row(s) under the old keys."));
            return ExitCodes.Clean;
        }));
        return command;
    }

    internal static Option<string?> StorageOption() => new("--storage")
    {
        Description = "The storage account's connection string; without it, the account the FilingsStorage environment settings name (FilingsStorage__tableServiceUri and __blobServiceUri sign in as you, az login), or else the local stack's (.azurite/).",
    };

    /// <summary>
    /// Whether a maintenance command needs the local stack's Azurite: not when <c>--storage</c> names an account, nor
    /// when the environment does (<c>FilingsStorage</c> as a connection string, or <c>FilingsStorage__tableServiceUri</c>
    /// and <c>__blobServiceUri</c> with the signed-in identity — what a deployed account with its keys off needs).
    /// </summary>
    public static bool NeedsLocalStack(string? storage, IConfiguration environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var configured = environment.GetSection(StorageConnection.Name);
        return storage is null && string.IsNullOrWhiteSpace(configured.Value) && !configured.GetChildren().Any();
    }

    /// <summary>The pipeline's services over the given account, or over the local stack's Azurite started for the command.</summary>
    internal static async Task<int> WithPipelineAsync(ParseResult parse, LocalStackCommands.PortOptions ports, Option<string?> storage, CancellationToken cancellationToken, Func<IServiceProvider, Task<int>> run)
    {
        using var loggerFactory = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Information).AddFilter("Azure.Core", LogLevel.Error).AddFilter("Polly", LogLevel.Warning));
        var environment = new ConfigurationBuilder().AddEnvironmentVariables().Build();
        await using var azurite = NeedsLocalStack(parse.GetValue(storage), environment) ? await Azurite.StartAsync(ports.Read(parse), loggerFactory.CreateLogger<Azurite>(), cancellationToken) : null;

        // --storage (or the local stack) over the environment; without either, the environment's own setting.
        var explicitStorage = parse.GetValue(storage) ?? azurite?.ConnectionString;
        var configuration = new ConfigurationBuilder()
            .AddEnvironmentVariables()
            .AddInMemoryCollection(explicitStorage is null ? [] : new Dictionary<string, string?> { [StorageConnection.Name] = explicitStorage })
            .Build();
        var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddSingleton(loggerFactory).AddLogging();
        services.AddCompliancePipeline(configuration);
        await using var provider = services.BuildServiceProvider();
        return await run(provider);
    }
}
