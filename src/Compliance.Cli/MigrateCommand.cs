using System.CommandLine;
using System.Globalization;
using Compliance.LocalStack;
using Compliance.Pipeline;
using Compliance.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Compliance.Cli;

/// <summary><c>compliance migrate-findings</c>: groups violations stored one per row (before findings) into findings.</summary>
internal static class MigrateCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var ports = new LocalStackCommands.PortOptions();
        var storage = new Option<string?>("--storage")
        {
            Description = "The storage account's connection string; without it, the local stack's (.azurite/). FilingsStorage__* settings work too.",
        };
        var command = new Command(
            "migrate-findings",
            """
            Group the violations stored one per row (before findings) into findings, filing by filing: the rows are
            archived to ViolationRowsArchive first, each finding's history names the rows and the decisions made on
            them, and only then are the per-row entities removed. Safe to stop and run again: a finished run does nothing.
            Example: compliance migrate-findings
            """)
        {
            storage,
        };
        ports.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var loggerFactory = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Information).AddFilter("Azure.Core", LogLevel.Error).AddFilter("Polly", LogLevel.Warning));
            await using var azurite = parse.GetValue(storage) is null ? await Azurite.StartAsync(ports.Read(parse), loggerFactory.CreateLogger<Azurite>(), cancellationToken) : null;
            var configuration = new ConfigurationBuilder()
                .AddInMemoryCollection(new Dictionary<string, string?> { [StorageConnection.Name] = parse.GetValue(storage) ?? azurite!.ConnectionString })
                .AddEnvironmentVariables()
                .Build();
            var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddSingleton(loggerFactory).AddLogging();
            services.AddCompliancePipeline(configuration);
            await using var provider = services.BuildServiceProvider();
            var result = await provider.GetRequiredService<FindingMigration>().RunAsync(cancellationToken);
            await output.WriteLineAsync(string.Create(
                CultureInfo.InvariantCulture,
                $"Migrated {result.Filings} filing(s): {result.Rows} per-row violation(s) grouped; {result.FindingsAdded} finding(s) added, {result.FindingsExisting} already there."));
            return ExitCodes.Clean;
        });
        return command;
    }
}
