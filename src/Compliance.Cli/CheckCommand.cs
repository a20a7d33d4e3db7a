using System.CommandLine;
using System.Globalization;
using Compliance.Cli.Texts;
using Compliance.Core.Checking;
using Compliance.Core.Texts;
using Spectre.Console;

namespace Compliance.Cli;

/// <summary>
/// <c>compliance check</c>: the offline self-check, the same checker the cloud runs, over files and folders, with
/// the verdict as a table in the user's language, the contract's JSON, a workbook or a printable page.
/// </summary>
internal static class CheckCommand
{
    /// <summary>Checks smaller than this finish before a progress bar would be worth drawing.</summary>
    private const long ProgressThresholdBytes = 4L * 1024 * 1024;

    // Windows and macOS file systems ignore case by default: Payroll.CSV there is payroll.csv.
    private static readonly StringComparison SamePath = OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;

    public static Command Create(Option<FileInfo?> catalogOption, CultureInfo language, TextWriter output, TextWriter error)
    {
        var format = new Option<string>("--format", "-f")
        {
            Description = CliText.CheckFormat.Text(language),
            DefaultValueFactory = _ => "table",
        };
        format.AcceptOnlyFromAmong("table", "json", "xlsx", "html");

        var outputFile = new Option<FileInfo?>("--output", "-o")
        {
            Description = CliText.CheckOutput.Text(language),
        };

        var uscc = new Option<string?>("--uscc")
        {
            Description = CliText.CheckUscc.Text(language),
        };

        var rows = new Option<bool>("--rows")
        {
            Description = CliText.CheckRows.Text(language),
        };

        var recursive = new Option<bool>("--recursive", "-r")
        {
            Description = CliText.CheckRecursive.Text(language),
        };

        var files = new Argument<string[]>("files")
        {
            Description = CliText.CheckFiles.Text(language),
            Arity = ArgumentArity.OneOrMore,
        };

        var command = new Command("check", CliText.Check.Text(language))
        {
            format,
            outputFile,
            uscc,
            rows,
            recursive,
            files,
        };

        command.SetAction((parse, cancellationToken) =>
        {
            if (parse.GetValue(format) is "xlsx" or "html" && parse.GetValue(outputFile) is null)
            {
                error.WriteLine(CliText.FormatNeedsOutput.Text(language, parse.GetValue(format)!));
                return Task.FromResult(ExitCodes.Usage);
            }

            var catalog = CliApp.LoadCatalog(parse.GetValue(catalogOption));
            var text = new ReportText(language, catalog);
            var targets = FilingTargets.Find(parse.GetRequiredValue(files), parse.GetValue(recursive));
            if (targets.Empty.Count > 0)
            {
                foreach (var folder in targets.Empty)
                {
                    error.WriteLine(text.Format(ReportLabel.FolderEmpty, folder, parse.GetValue(recursive) ? string.Empty : text[ReportLabel.FolderEmptyHint]));
                }

                if (targets.Files.Count == 0)
                {
                    return Task.FromResult(ExitCodes.Usage);
                }
            }

            if (parse.GetValue(outputFile) is { } target && targets.Files.Any(f => string.Equals(Path.GetFullPath(f.Path), target.FullName, SamePath)))
            {
                // Checked first and written after, the report would replace the filing it is about.
                error.WriteLine(text.Format(ReportLabel.OutputIsInput, target.FullName));
                return Task.FromResult(ExitCodes.Usage);
            }

            var checker = new FilingChecker(catalog);
            var reports = Check(checker, targets.Files, new CheckOptions { ExpectedUscc = parse.GetValue(uscc) }, text, error, cancellationToken);
            try
            {
                try
                {
                    Write(parse.GetValue(format)!, parse.GetValue(outputFile), reports, text, parse.GetValue(rows), output);
                }
                catch (ReportFileException ex)
                {
                    error.WriteLine(text.Format(ReportLabel.CannotWrite, ex.Path, ex.InnerException!.Message.TrimEnd('.')));
                    return Task.FromResult(ExitCodes.CannotCreate);
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

    private static void Write(string format, FileInfo? file, IReadOnlyList<FilingReport> reports, ReportText text, bool everyRow, TextWriter output)
    {
        if (file is null)
        {
            Render(format, output, reports, text, everyRow);
            return;
        }

        ReportFile.Write(file.FullName, stream =>
        {
            switch (format)
            {
                case "xlsx":
                    ReportWorkbook.Write(reports, text, stream);
                    break;
                case "html":
                    ReportPage.Write(reports, text, TimeProvider.System.GetLocalNow(), stream);
                    break;
                default:
                    using (var writer = new StreamWriter(stream, new System.Text.UTF8Encoding(false), 1 << 16, leaveOpen: true))
                    {
                        Render(format, writer, reports, text, everyRow);
                    }

                    break;
            }
        });

        if (format is "xlsx" or "html")
        {
            // The verdict still shows where the command ran; the details are in the file.
            output.WriteLine($"{text.Summary(reports, out var verdict)} — {text[verdict]}");
            output.WriteLine(text.Format(ReportLabel.Written, file.FullName));
        }
    }

    private static void Render(string format, TextWriter target, IReadOnlyList<FilingReport> reports, ReportText text, bool everyRow)
    {
        if (format == "json")
        {
            // Streamed: a report with a million violations never exists as one string.
            using (var json = new TextWriterStream(target))
            {
                ReportJson.Write(json, reports);
            }

            target.WriteLine();
        }
        else
        {
            ReportTable.Render(Terminal.For(target), reports, text, everyRow);
        }
    }

    /// <summary>
    /// Checks every file, several at once when there are several (each on one thread: files, not rows, are then
    /// what runs in parallel), and returns the reports in the order the files were named.
    /// </summary>
    private static List<FilingReport> Check(FilingChecker checker, IReadOnlyList<FilingTarget> files, CheckOptions options, ReportText text, TextWriter error, CancellationToken cancellationToken)
    {
        var perFile = files.Count > 1 ? options with { MaxDegreeOfParallelism = 1 } : options;
        var total = files.Sum(f => f.Length);
        var reports = new FilingReport[files.Count];
        void CheckAll(Action<long>? advance) =>
            Parallel.For(0, files.Count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = cancellationToken }, i =>
                reports[i] = CheckOne(checker, files[i], perFile, advance, cancellationToken));

        if (total < ProgressThresholdBytes || Console.IsErrorRedirected || error != Console.Error)
        {
            CheckAll(null);
            return [.. reports];
        }

        // One display for the whole run, on stderr (only reached when it is a terminal, so say so: Spectre cannot
        // tell from a TextWriter).
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(error), Ansi = AnsiSupport.Yes, Interactive = InteractionSupport.Yes });
        console.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask(Markup.Escape(files.Count == 1 ? files[0].Name : text.Format(ReportLabel.Progress, files.Count)), maxValue: total);
                CheckAll(bytes => task.Increment(bytes));
            });
        return [.. reports];
    }

    private static FilingReport CheckOne(FilingChecker checker, FilingTarget file, CheckOptions options, Action<long>? advance, CancellationToken cancellationToken)
    {
        FileStream stream;
        try
        {
            stream = new FileStream(file.Path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            object reason = ex is FileNotFoundException or DirectoryNotFoundException ? UserMessage.Of(MessageCode.FileNotFound) : ex.Message.TrimEnd('.');
            return FilingReport.RejectedFile(file.Path, UserMessage.Of(MessageCode.CannotOpen, file.Path, reason), checker.Catalog.Version);
        }

        try
        {
            if (advance is null)
            {
                using (stream)
                {
                    return checker.Check(stream, file.Name, options, cancellationToken);
                }
            }

            var reported = 0L;
            using var tracked = new ProgressStream(stream, read =>
            {
                advance(read - reported);
                reported = read;
            });
            return checker.Check(tracked, file.Name, options, cancellationToken);
        }
        catch (IOException ex)
        {
            return FilingReport.RejectedFile(file.Path, UserMessage.Of(MessageCode.ReadFailed, file.Path, ex.Message), checker.Catalog.Version);
        }
    }
}
