using System.Globalization;

namespace Compliance.Benchmarks;

/// <summary>
/// The benchmark command (see docs/benchmarks.md). Speed is reported, never asserted: every figure is a
/// rate or a ratio against a baseline measured in the same process on the same file.
/// <code>
///   [--rows N] [--runs N] [--memory-mb SMALL,LARGE] [--only CASE,...]   the checker cases, round by round (5 rounds), and the CLI's peak memory (default)
///   --pipeline [--filings N] [--rows N]                upload to result on the local host over Azurite
///   --pipeline --systemic [--rows N]                   one filing of N rows (default 1,000,000) all breaking one limit
///   --digest [N]                                       a month of N violations digested on Azurite
///   --overview [N]                                     the overview of a month of N findings against one of N/100
///   --startup [--runs N]                               compliance check of a one-row file, the published single file: startup-ms (median of N, 10)
///   --scale [N] [--recheck-filings M]                  a national month of N findings: what a region's list reads, the digest's time and memory;
///                                                      then M stored filings (2,000) re-checked through the queues: filings/s
/// </code>
/// </summary>
public static class BenchmarkCommand
{
    public const int DefaultRows = 1_000_000;

    public static async Task<int> RunAsync(string[] args, TextWriter output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        try
        {
            if (args.Contains("--digest"))
            {
                var count = args.SkipWhile(a => a != "--digest").Skip(1).FirstOrDefault() is { } n && !n.StartsWith("--", StringComparison.Ordinal) ? Parse(n, "--digest") : 100_000;
                await DigestBenchmark.RunAsync(count, output);
                return 0;
            }

            if (args.Contains("--overview"))
            {
                var count = args.SkipWhile(a => a != "--overview").Skip(1).FirstOrDefault() is { } n && !n.StartsWith("--", StringComparison.Ordinal) ? Parse(n, "--overview") : 100_000;
                await OverviewBenchmark.RunAsync(count, output, cancellationToken);
                return 0;
            }

            if (args.Contains("--startup"))
            {
                await StartupBenchmark.RunAsync(Value(args, "--runs", 10), output, cancellationToken);
                return 0;
            }

            if (args.Contains("--scale"))
            {
                var count = args.SkipWhile(a => a != "--scale").Skip(1).FirstOrDefault() is { } n && !n.StartsWith("--", StringComparison.Ordinal) ? Parse(n, "--scale") : 300_000;
                await ScaleBenchmark.RunAsync(count, output, cancellationToken);
                await RecheckBenchmark.RunAsync(Value(args, "--recheck-filings", 2_000), output, cancellationToken);
                return 0;
            }

            if (args.Contains("--pipeline") && args.Contains("--systemic"))
            {
                await SystemicBenchmark.RunAsync(Value(args, "--rows", 1_000_000), output, cancellationToken);
                return 0;
            }

            if (args.Contains("--pipeline"))
            {
                await PipelineBenchmark.RunAsync(new PipelineBenchmark.Options(Value(args, "--filings", 200), Value(args, "--rows", 1000)), output, cancellationToken);
                return 0;
            }

            var rows = Value(args, "--rows", DefaultRows);

            // 100 MB and 1 GB for a full run; a short run scales both down with the row count.
            var small = Math.Max(2, (int)(rows * 100L / DefaultRows));
            var sizes = Option(args, "--memory-mb")?.Split(',') is [var a, var b] ? (Parse(a, "--memory-mb"), Parse(b, "--memory-mb")) : (small, small * 10);
            var only = Option(args, "--only")?.Split(',').ToHashSet(StringComparer.Ordinal);
            await CheckerBenchmark.RunAsync(new CheckerBenchmark.Options(rows, Value(args, "--runs", 5), sizes.Item1, sizes.Item2) { Only = only }, output, cancellationToken);
            return 0;
        }
        catch (ArgumentException ex)
        {
            await output.WriteLineAsync(ex.Message);
            await output.WriteLineAsync("Usage: dotnet run -c Release --project tests/Compliance.Benchmarks -- [--rows N] [--runs N] [--memory-mb SMALL,LARGE] | --pipeline [--filings N] [--rows N] | --pipeline --systemic [--rows N] | --digest [N] | --overview [N] | --startup [--runs N] | --scale [N] [--recheck-filings M]");
            return 64;
        }
    }

    private static string? Option(string[] args, string name)
    {
        var at = Array.IndexOf(args, name);
        return at < 0 ? null : at + 1 < args.Length ? args[at + 1] : throw new ArgumentException($"{name} needs a value.");
    }

    private static int Value(string[] args, string name, int fallback) => Option(args, name) is { } text ? Parse(text, name) : fallback;

    private static int Parse(string text, string name) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0
            ? value
            : throw new ArgumentException($"{name}: '{text}' is not a positive whole number.");
}
