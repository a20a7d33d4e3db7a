using System.Diagnostics;
using Compliance.Core.Digests;
using Compliance.Core.Filings;
using Compliance.Pipeline.Digests;
using Compliance.Storage;
using Compliance.Storage.Entities;
using Microsoft.Extensions.DependencyInjection;

namespace Compliance.Benchmarks;

/// <summary>
/// How long a month of N violations takes to digest on Azurite, against a baseline in the same process:
/// reading the same month's entities (its province partitions) and nothing else.
/// </summary>
public static class DigestBenchmark
{
    public static async Task RunAsync(int count, TextWriter output)
    {
        await using var stack = await PipelineOnAzurite.StartAsync(null, CancellationToken.None);
        var provider = stack.Services;
        var store = provider.GetRequiredService<FilingStore>();
        await store.EnsureTablesAsync(CancellationToken.None);

        var seed = Stopwatch.StartNew();
        string[] rules = ["HF-RATE-CAP", "UI-TOTAL-RANGE", "UI-EMPLOYEE-CAP", "PENSION-EMPLOYER-CAP"];
        string[] regions = ["510100", "510600", "510104", "520100", "110000"];
        await Parallel.ForEachAsync(Enumerable.Range(0, (count + 99) / 100), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (batch, ct) =>
        {
            // The copies the pipeline writes to the month's index, under its keys (month and province, region first).
            var copies = Enumerable.Range(batch * 100, Math.Min(100, count - (batch * 100))).Select(i => new ViolationEntity
            {
                PartitionKey = $"91510100A4C{i % 5000:D6}",
                RowKey = $"{i:D9}",
                Rule = rules[i % rules.Length],
                Uscc = $"91510100A4C{i % 5000:D6}",
                Period = "2016-06",
                Region = regions[i % regions.Length],
                Row = (i % 500) + 2,
                Field = "housing_fund_employer_rate",
                Observed = 13,
                Limit = "<= 12",
                Citation = "国发〔2016〕48号 (二十)",
                Message = "housing_fund_employer_rate is 13%, above the 12% ceiling.",
                FilingName = $"91510100A4C{i % 5000:D6}/payroll.csv",
                Status = "open",
            }).ToList();
            await store.IndexAsync(copies, ct);
        });
        output.WriteLine($"seeded {count:N0} violations into one month in {seed.Elapsed.TotalSeconds:F1} s");

        // Baseline: the partition read alone.
        var baseline = Stopwatch.StartNew();
        var read = 0;
        await foreach (var _ in store.ViolationsByPeriod.QueryAsync<ViolationEntity>(ReviewStore.MonthRange("2016-06", string.Empty)))
        {
            read++;
        }

        baseline.Stop();

        // The digest: load (month, previous month, six trend months, backlog), build for the whole country, render all files.
        var digests = provider.GetRequiredService<DigestService>();
        var run = Stopwatch.StartNew();
        var input = await digests.LoadAsync(new Period(2016, 6), CancellationToken.None);
        var loaded = run.Elapsed;
        var digest = DigestBuilder.ForRegulator(input, "000000");
        var files = DigestService.RenderRegulator(digest);
        run.Stop();

        output.WriteLine($"baseline: read {read:N0} entities of the month in {baseline.Elapsed.TotalSeconds:F2} s");
        output.WriteLine($"digest:   {digest.Total:N0} violations loaded in {loaded.TotalSeconds:F2} s, built and rendered ({files.Files.Sum(f => f.Content.ToMemory().Length) / 1024:N0} KiB) in {run.Elapsed.TotalSeconds:F2} s");
        output.WriteLine($"ratio digest/baseline: {run.Elapsed / baseline.Elapsed:F2}");
    }
}
