using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Compliance.Benchmarks;

/// <summary>
/// The checker side by side with what a team might write or pick instead, on one synthetic payroll filing
/// in four formats, every case once per round so that both sides of a ratio are timed close together on a
/// machine whose speed drifts; then the CLI's peak memory on a small and a ten-times larger file.
/// </summary>
public static class CheckerBenchmark
{
    public sealed record Options(int Rows, int Runs, int SmallMegabytes, int LargeMegabytes)
    {
        /// <summary>When set, only these cases run (and ratios between them); for profiling one case at a time.</summary>
        public IReadOnlySet<string>? Only { get; init; }
    }

    /// <summary>The ratios printed, each of two cases of the same run (issue 20's targets among them).</summary>
    private static readonly (string Left, string Right)[] Ratios =
    [
        ("check-1thread", "csvhelper-floor"),
        ("check", "csvhelper-floor"),
        ("check", "csvhelper-linq"),
        ("check", "sep-baseline"),
        ("check", "rulesengine"),
        ("check", "rulesengine-dynamic"),
        ("check-gb18030", "check"),
        ("check-xlsx", "miniexcel"),
        ("check-xlsx-shared", "miniexcel-shared"),
        ("miniexcel", "miniexcel-dynamic"),
        ("check-json", "stj-stream"),
    ];

    public static async Task RunAsync(Options options, TextWriter output, CancellationToken cancellationToken)
    {
        var work = Directory.CreateTempSubdirectory("compliance-bench-");
        try
        {
            Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
            var payroll = new SyntheticPayroll(options.Rows);
            var csv = Path.Combine(work.FullName, "payroll.csv");
            var gb18030 = Path.Combine(work.FullName, "payroll-gb18030.csv");
            var xlsx = Path.Combine(work.FullName, "payroll.xlsx");
            var xlsxShared = Path.Combine(work.FullName, "payroll-shared-strings.xlsx");
            var json = Path.Combine(work.FullName, "payroll.json");
            var warmup = Path.Combine(work.FullName, "warmup.csv");
            payroll.WriteCsv(csv, new UTF8Encoding(false));
            payroll.WriteCsv(gb18030, Encoding.GetEncoding("GB18030"), chineseHeader: true);
            payroll.WriteXlsx(xlsx);
            payroll.WriteXlsx(xlsxShared, sharedStrings: true);
            payroll.WriteJson(json);
            new SyntheticPayroll(Math.Min(options.Rows, 50_000)).WriteCsv(warmup, new UTF8Encoding(false));
            var expected = payroll.ViolatingRows;
            foreach (var file in new[] { csv, gb18030, xlsx, xlsxShared, json })
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"file {Path.GetFileName(file)}: {options.Rows:N0} rows, {new FileInfo(file).Length / 1e6:F1} MB, {expected:N0} rows with a violation"));
            }

            // A case counts the rows that break a limit, except a parse floor, which has no rules and counts the rows it typed.
            (string Name, string File, CheckCase Case, bool FullWarmup, bool Floor)[] cases =
            [
                ("csvhelper-floor", csv, PeerCases.CsvHelperFloor, true, true),
                ("check", csv, CheckerCases.Check, true, false),
                ("check-1thread", csv, CheckerCases.CheckOneThread, true, false),
                ("sep-baseline", csv, CheckerCases.SepBaseline, true, false),
                ("csvhelper-linq", csv, CheckerCases.CsvHelperLinq, true, false),
                ("rulesengine", csv, CheckerCases.RulesEngine, false, false),
                ("rulesengine-dynamic", csv, CheckerCases.RulesEngineDynamic, false, false),
                ("check-gb18030", gb18030, CheckerCases.Check, true, false),
                ("miniexcel", xlsx, PeerCases.MiniExcel, true, false),
                ("miniexcel-dynamic", xlsx, PeerCases.MiniExcelDynamic, true, false),
                ("check-xlsx", xlsx, CheckerCases.Check, true, false),
                ("miniexcel-shared", xlsxShared, PeerCases.MiniExcel, true, false),
                ("check-xlsx-shared", xlsxShared, CheckerCases.Check, true, false),
                ("stj-stream", json, PeerCases.StjStream, true, false),
                ("check-json", json, CheckerCases.Check, true, false),
            ];

            // Round by round rather than case by case: a shared machine's speed drifts over minutes, and a case timed
            // three times in a row minutes before its baseline measures the drift as much as the code. Every case is
            // warmed up first; then each round runs every case once, so the two sides of a ratio are timed seconds
            // apart in every round, and a ratio is the median of its rounds' ratios.
            var selected = cases.Where(c => options.Only?.Contains(c.Name) != false).ToArray();
            int Want(bool floor) => floor ? options.Rows : expected;
            foreach (var (_, file, run, fullWarmup, _) in selected)
            {
                // JIT tiers and caches settle. RulesEngine warms up on a 50,000-row file, since a full pass of it
                // costs more than all the others together.
                run(fullWarmup ? file : warmup);
            }

            var runs = selected.ToDictionary(c => c.Name, _ => new List<(double Seconds, double CpuSeconds)>(), StringComparer.Ordinal);
            for (var round = 0; round < options.Runs; round++)
            {
                var roundClock = Stopwatch.StartNew();
                foreach (var (name, file, run, _, floor) in selected)
                {
                    cancellationToken.ThrowIfCancellationRequested();

                    // Each case starts on a collected heap, not on the garbage of the case before it.
                    GC.Collect();
                    GC.WaitForPendingFinalizers();
                    var want = Want(floor);
                    var cpu = Process.GetCurrentProcess().TotalProcessorTime;
                    var clock = Stopwatch.StartNew();
                    var found = run(file);
                    runs[name].Add((clock.Elapsed.TotalSeconds, (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds));
                    if (found != want)
                    {
                        throw new InvalidOperationException(floor
                            ? $"{name} typed {found} rows of {Path.GetFileName(file)}; the generator wrote {want}."
                            : $"{name} found {found} violating rows in {Path.GetFileName(file)}; the generator made {want}.");
                    }
                }

                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"round {round + 1} of {options.Runs}: every case once in {roundClock.Elapsed.TotalSeconds:F0} s"));
            }

            foreach (var (name, _, _, _, floor) in selected)
            {
                var sorted = runs[name].OrderBy(t => t.Seconds).ToList();
                var median = sorted[sorted.Count / 2];
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"rows/s {name}: {options.Rows / median.Seconds:F0}"));
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"cpu-s {name}: {median.CpuSeconds:F3}"));
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"seconds {name}: median {median.Seconds:F3} of {string.Join(", ", runs[name].Select(t => t.Seconds.ToString("F3", CultureInfo.InvariantCulture)))}; {Want(floor):N0} {(floor ? "rows typed" : "violating rows found")}"));
            }

            foreach (var (left, right) in Ratios)
            {
                if (runs.TryGetValue(left, out var l) && runs.TryGetValue(right, out var r))
                {
                    // Rows per second left over right, round by round: the right side's seconds over the left's.
                    var rounds = l.Zip(r, (a, b) => b.Seconds / a.Seconds).ToList();
                    var ordered = rounds.Order().ToList();
                    output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ratio {left}/{right}: {ordered[ordered.Count / 2]:F2}"));
                    output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"rounds {left}/{right}: {string.Join(", ", rounds.Select(x => x.ToString("F2", CultureInfo.InvariantCulture)))}"));
                }
            }

            if (options.Only?.Contains("memory") != false)
            {
                await MeasureMemoryAsync(options, work.FullName, output, cancellationToken);
            }
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    /// <summary>The <c>compliance check</c> command itself, as a child process, on a small and a large file.</summary>
    private static async Task MeasureMemoryAsync(Options options, string work, TextWriter output, CancellationToken cancellationToken)
    {
        var cli = Path.Combine(AppContext.BaseDirectory, "compliance.dll");
        var peaks = new List<double>();
        foreach (var megabytes in new[] { options.SmallMegabytes, options.LargeMegabytes })
        {
            var label = megabytes % 1000 == 0 ? $"{megabytes / 1000}gb" : $"{megabytes}mb";
            var file = Path.Combine(work, $"payroll-{label}.csv");
            var rows = SyntheticPayroll.WriteCsvOfSize(file, megabytes * 1_000_000L);
            var clock = Stopwatch.StartNew();
            var (exit, peak) = await PeakMemory.RunAsync(DotnetHost(), ["exec", cli, "check", file, "--format", "json"], cancellationToken);
            var seconds = clock.Elapsed.TotalSeconds;
            File.Delete(file);
            if (peak is null)
            {
                output.WriteLine($"peak-rss-mb check-{label}: n/a (no /proc on this system)");
                continue;
            }

            peaks.Add(peak.Value / 1e6);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"peak-rss-mb check-{label}: {peak.Value / 1e6:F0}"));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"child check-{label}: {rows:N0} rows in {seconds:F1} s, exit code {exit}"));
        }

        if (peaks.Count == 2)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ratio peak-rss large/small: {peaks[1] / peaks[0]:F2}"));
        }

        // Excel's own limit, as Excel saves it: every employee ID distinct, so the shared-string table holds a
        // million texts (the short mode scales it with the rows).
        var sheetRows = options.Rows >= BenchmarkCommand.DefaultRows ? ExcelRowLimit - 1 : options.Rows;
        var workbook = Path.Combine(work, "payroll-excel-limit.xlsx");
        new SyntheticPayroll(sheetRows).WriteXlsx(workbook, sharedStrings: true);
        var started = Stopwatch.StartNew();
        var (code, sheetPeak) = await PeakMemory.RunAsync(DotnetHost(), ["exec", cli, "check", workbook, "--format", "json"], cancellationToken);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"child check-xlsx-shared-{sheetRows + 1}: {sheetRows:N0} rows, {new FileInfo(workbook).Length / 1e6:F1} MB, in {started.Elapsed.TotalSeconds:F1} s, exit code {code}"));
        File.Delete(workbook);
        output.WriteLine(sheetPeak is { } bytes
            ? string.Create(CultureInfo.InvariantCulture, $"peak-rss-mb check-xlsx-shared-{sheetRows + 1}: {bytes / 1e6:F0}")
            : $"peak-rss-mb check-xlsx-shared-{sheetRows + 1}: n/a (no /proc on this system)");
    }

    /// <summary>Rows in one Excel worksheet, the header's included.</summary>
    private const int ExcelRowLimit = 1_048_576;

    /// <summary>The dotnet host running this process, or the one on PATH when started through an apphost.</summary>
    internal static string DotnetHost() =>
        Environment.ProcessPath is { } path && Path.GetFileNameWithoutExtension(path) == "dotnet" ? path : "dotnet";
}
