using System.Diagnostics;
using System.Globalization;
using Compliance.Core.Filings;
using Compliance.Pipeline.Review;
using Compliance.Storage;
using Compliance.Storage.Entities;
using Microsoft.Extensions.DependencyInjection;

namespace Compliance.Benchmarks;

/// <summary>
/// The regulators' overview of a month with N findings against one with N/100 (at least 600), in the same process on Azurite:
/// both months are counted through the pipeline's own path (<see cref="FindingCounts.ApplyManyAsync"/>) over the
/// same enterprises, regions, rules and statuses, then the overview of each is timed. What it reads follows the
/// cells with findings, not the findings: the two months should read about the same number of entities.
/// </summary>
public static class OverviewBenchmark
{
    private static readonly string[] Rules = ["HF-RATE-CAP", "UI-TOTAL-RANGE", "UI-EMPLOYEE-CAP", "PENSION-EMPLOYER-CAP", "SURCHARGE-EXEMPT-CHARGED", "FEE-ABOLISHED"];
    private static readonly string[] Statuses = ["open", "confirmed", "dismissed", "exempted", "resolved"];
    private const int Enterprises = 20;

    public static async Task RunAsync(int findings, TextWriter output, CancellationToken cancellationToken)
    {
        await using var stack = await PipelineOnAzurite.StartAsync(null, cancellationToken);
        var provider = stack.Services;
        var counts = provider.GetRequiredService<FindingCounts>();
        var overviews = provider.GetRequiredService<OverviewService>();
        string[] regions = ["510100", "510300", "510400", "510500", "510600", "510700", "510800", "510900", "511000", "511100", "511300"];

        // The small month still has every enterprise × rule × status the large one has (the pattern repeats every 60 findings).
        var small = Math.Max(findings / 100, 600);

        var seeding = Stopwatch.StartNew();
        await counts.ApplyManyAsync(Synthetic("2016-09", small, regions), cancellationToken);
        await Parallel.ForEachAsync(
            Synthetic("2017-09", findings, regions).Chunk(1000),
            new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken },
            async (chunk, ct) => await counts.ApplyManyAsync(chunk, ct));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"overview: counted {small:N0} + {findings:N0} findings in {seeding.Elapsed.TotalSeconds:F1} s"));

        var regulator = Caller.Regulator("benchmark", "510000");
        // A year apart, so neither month is in the other's twelve-month trend.
        var (smallMs, smallRead) = await TimeAsync(overviews, regulator, new Period(2016, 9), cancellationToken);
        var (largeMs, largeRead) = await TimeAsync(overviews, regulator, new Period(2017, 9), cancellationToken);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"overview-ms {small}: {smallMs:F1}"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"overview-ms {findings}: {largeMs:F1}"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"entities-read {small}: {smallRead}"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"entities-read {findings}: {largeRead}"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ratio overview-ms {findings}/{small}: {largeMs / Math.Max(smallMs, 0.001):F2}"));
    }

    /// <summary>The median of five overviews, and the entities the last one read.</summary>
    private static async Task<(double Milliseconds, int Read)> TimeAsync(OverviewService overviews, Caller regulator, Period month, CancellationToken cancellationToken)
    {
        var times = new List<double>();
        var read = 0;
        for (var run = 0; run < 5; run++)
        {
            var clock = Stopwatch.StartNew();
            read = (await overviews.GetAsync(regulator, month, null, cancellationToken)).EntitiesRead;
            times.Add(clock.Elapsed.TotalMilliseconds);
        }

        return (times.Order().ElementAt(times.Count / 2), read);
    }

    private static IEnumerable<ViolationEntity> Synthetic(string period, int count, string[] regions)
    {
        for (var i = 0; i < count; i++)
        {
            var enterprise = i % Enterprises;
            var first17 = string.Create(CultureInfo.InvariantCulture, $"91510100MA{enterprise:D7}");
            yield return new ViolationEntity
            {
                Uscc = first17 + Uscc.ComputeCheckCharacter(first17),
                FilingId = StorageKeys.FilingId(string.Create(CultureInfo.InvariantCulture, $"{enterprise}/{period}.csv")),
                FindingId = string.Create(CultureInfo.InvariantCulture, $"{i:x8}"),
                Period = period,
                Region = regions[enterprise % regions.Length],
                Rule = Rules[i % Rules.Length],
                Status = Statuses[(i / Rules.Length) % Statuses.Length],
                RowCount = 1 + (i % 7),
            };
        }
    }
}
