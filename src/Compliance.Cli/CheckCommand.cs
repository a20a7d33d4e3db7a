using System.CommandLine;
using Compliance.Core.Checking;
using Spectre.Console;
using Compliance.Core.Texts;

namespace Compliance.Cli;

/// <summary><c>compliance check</c>: the offline self-check, the same checker the cloud runs.</summary>
internal static class CheckCommand
{
    /// <summary>Files smaller than this finish before a progress bar would be worth drawing.</summary>
    private const long ProgressThresholdBytes = 4L * 1024 * 1024;

    public static Command Create(Option<FileInfo?> catalogOption, TextWriter output, TextWriter error)
    {
        var format = new Option<string>("--format", "-f")
        {
            Description = "table (readable, the default) or json (the contract's report document).",
            DefaultValueFactory = _ => "table",
        };
        format.AcceptOnlyFromAmong("table", "json");

        var uscc = new Option<string?>("--uscc")
        {
            Description = "Check as if uploaded by this enterprise: rows for any other USCC are a submitter mismatch, as in the cloud.",
        };

        var rows = new Option<bool>("--rows")
        {
            Description = "In the table, list every violating row instead of one line per finding (a limit broken the same way on many rows).",
        };

        var files = new Argument<string[]>("files")
        {
            Description = "Filings to check: .csv (UTF-8 or GB18030), .xlsx or .json.",
            Arity = ArgumentArity.OneOrMore,
        };

        var command = new Command(
            "check",
            """
            Check filings against the limits in force for each row's period.
            Exit code: 0 no violations, 1 violations found, 2 a file was rejected, 64 usage error.
            Example: compliance check seeds/samples/payroll-2016-06.csv --format json
            """)
        {
            format,
            uscc,
            rows,
            files,
        };

        command.SetAction((parse, cancellationToken) =>
        {
            var catalog = CliApp.LoadCatalog(parse.GetValue(catalogOption));
            var checker = new FilingChecker(catalog);
            var options = new CheckOptions { ExpectedUscc = parse.GetValue(uscc) };
            var reports = parse.GetRequiredValue(files)
                .Select(path => CheckOne(checker, path, options, error, cancellationToken))
                .ToList();

            try
            {
                if (parse.GetValue(format) == "json")
                {
                    // Streamed: a report with a million violations never exists as one string.
                    using (var json = new TextWriterStream(output))
                    {
                        ReportJson.Write(json, reports);
                    }

                    output.WriteLine();
                }
                else
                {
                    ReportTable.Render(Terminal.For(output), reports, parse.GetValue(rows));
                }

                var exit = reports.Any(r => r.Status == FilingStatus.Rejected) ? ExitCodes.FileRejected
                    : reports.Any(r => r.Violations.Count > 0) ? ExitCodes.ViolationsFound
                    : ExitCodes.Clean;
                return Task.FromResult(exit);
            }
            finally
            {
                foreach (var report in reports)
                {
                    report.Dispose();
                }
            }
        });

        return command;
    }

    private static FilingReport CheckOne(FilingChecker checker, string path, CheckOptions options, TextWriter error, CancellationToken cancellationToken)
    {
        var name = Path.GetFileName(path);
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            object reason = ex is FileNotFoundException or DirectoryNotFoundException ? UserMessage.Of(MessageCode.FileNotFound) : ex.Message.TrimEnd('.');
            return FilingReport.RejectedFile(path, UserMessage.Of(MessageCode.CannotOpen, path, reason), checker.Catalog.Version);
        }

        try
        {
            if (stream.Length < ProgressThresholdBytes || System.Console.IsErrorRedirected)
            {
                return checker.Check(stream, name, options, cancellationToken);
            }

            // Only reached when stderr is a terminal, so say so: Spectre cannot tell from a TextWriter.
            var console = AnsiConsole.Create(new AnsiConsoleSettings
            {
                Out = new AnsiConsoleOutput(error),
                Ansi = AnsiSupport.Yes,
                Interactive = InteractionSupport.Yes,
            });
            return console.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                .Start(ctx =>
                {
                    var task = ctx.AddTask(Markup.Escape(name), maxValue: stream.Length);
                    using var tracked = new ProgressStream(stream, read => task.Value = read);
                    return checker.Check(tracked, name, options, cancellationToken);
                });
        }
        catch (IOException ex)
        {
            return FilingReport.RejectedFile(path, UserMessage.Of(MessageCode.ReadFailed, path, ex.Message), checker.Catalog.Version);
        }
    }
}
