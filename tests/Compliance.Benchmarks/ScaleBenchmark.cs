using System.Diagnostics;
using System.Globalization;
using Compliance.Core.Digests;
using Compliance.Core.Filings;
using Compliance.Pipeline.Digests;
using Compliance.Pipeline.Review;
using Compliance.Storage;
using Compliance.Storage.Entities;
using Microsoft.Extensions.DependencyInjection;

namespace Compliance.Benchmarks;

/// <summary>
/// A synthetic national month in Azurite — N findings over the 31 mainland provinces, skewed as enterprises are
/// (the largest province about 18%, its capital a third of it, the capital's first district a quarter of that) —
/// and what a district's, a city's and a province's regulator's list reads of it: the entities inside the key range
/// the API's query names against what the list returns. Azurite scans every table whatever the query, so that
/// count, not Azurite's time, is what carries to Table storage. Then the month's digest for the nation: wall time
/// and the process's peak resident set while it runs.
/// </summary>
public static class ScaleBenchmark
{
    private const string Month = "2016-09";

    /// <summary>What a region's regulator read: entities in the key range, entities returned, pages asked for.</summary>
    public sealed record Reading(string Region, long InRange, long Returned, int Pages);

    public static async Task RunAsync(int count, TextWriter output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(output);
        await using var stack = await PipelineOnAzurite.StartAsync(
            new Dictionary<string, string?>
            {
                // The nation's regulator, whose digest is the whole month.
                ["Digest:Recipients:0:Email"] = "national@regulator.example.cn",
                ["Digest:Recipients:0:Region"] = RegionCode.National,
            },
            cancellationToken);
        var provider = stack.Services;
        var store = provider.GetRequiredService<FilingStore>();
        await store.EnsureTablesAsync(cancellationToken);

        var seeding = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Synthetic(count).Chunk(2_000), new ParallelOptions { MaxDegreeOfParallelism = 2, CancellationToken = cancellationToken }, async (chunk, ct) =>
            await store.IndexAsync(chunk, ct));
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"scale: indexed {count:N0} findings of {Month} over 31 provinces in {seeding.Elapsed.TotalSeconds:F1} s"));

        var reviews = provider.GetRequiredService<ReviewService>();
        foreach (var (name, region) in new[] { ("district", "510104"), ("city", "510100"), ("province", "510000") })
        {
            var reading = await ReadAsync(store, reviews, region, cancellationToken);

            // Under the old keys the month was one partition: a region's query named all of it.
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"entities-in-key-range/returned {name}: {reading.InRange / (double)Math.Max(1, reading.Returned):F2}"));
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"  {name} {region}: {reading.InRange:N0} in the key range, {reading.Returned:N0} returned in {reading.Pages} page(s); under the old keys {count:N0} in the key range ({count / (double)Math.Max(1, reading.Returned):F0}×)"));
        }

        // The nation's digest of the month as the timer makes it (read, built, rendered, archived; not sent),
        // measured from a reset high-water mark (Linux: /proc/self/clear_refs).
        var digests = provider.GetRequiredService<DigestService>();
        GC.Collect();
        var before = ResetPeakResidentSet();
        var run = Stopwatch.StartNew();
        var result = await digests.RunAsync(Period.Parse(Month), send: false, cancellationToken);
        run.Stop();
        var peak = PeakResidentSet();
        long archived = 0;
        await foreach (var blob in provider.GetRequiredService<DigestStore>().Archive.GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, Month, cancellationToken))
        {
            archived += blob.Properties.ContentLength ?? 0;
        }

        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"digest-seconds {count}: {run.Elapsed.TotalSeconds:F1}"));
        await output.WriteLineAsync(peak is { } bytes
            ? string.Create(CultureInfo.InvariantCulture, $"digest-peak-rss-mb {count}: {bytes / 1048576.0:F0}")
            : "digest-peak-rss-mb: not measured (no /proc)");
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"  the nation's digest: {result.Archived} archived, {archived / 1024:N0} KiB of files; the process held {before / 1048576.0:F0} MB before it"));
    }

    /// <summary>Pages through the list a regulator of <paramref name="region"/> gets for the month, and counts the entities inside the key range its query names.</summary>
    public static async Task<Reading> ReadAsync(FilingStore store, ReviewService reviews, string region, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(reviews);
        var caller = Caller.Regulator("scale", region);
        long returned = 0;
        var pages = 0;
        string? token = null;
        do
        {
            var page = await reviews.ListAsync(caller, new ViolationFilter(Period: Month), token, ReviewService.MaxPageSize, cancellationToken);
            returned += page.Items.Count;
            pages++;
            token = page.ContinuationToken;
        }
        while (token is not null);

        long inRange = 0;
        await foreach (var _ in store.ViolationsByPeriod.QueryAsync<Azure.Data.Tables.TableEntity>(ReviewStore.MonthRange(Month, DigestBuilder.RegionPrefix(region)), select: ["RowKey"], cancellationToken: cancellationToken))
        {
            inRange++;
        }

        return new Reading(region, inRange, returned, pages);
    }

    /// <summary>The month's findings: province p holds a share proportional to 1/(p+1)^0.8; within it a third in its capital, and a quarter of that in the capital's first district.</summary>
    public static IEnumerable<ViolationEntity> Synthetic(int count)
    {
        var provinces = RegionNames.Provinces.Where(p => p[0] is >= '1' and <= '6').ToList(); // the 31 of the mainland
        var weights = provinces.Select((_, i) => 1 / Math.Pow(i + 1, 0.8)).ToList();

        // Sichuan, the province the regulators above are of, takes the largest share.
        var sichuan = provinces.IndexOf("510000");
        (provinces[0], provinces[sichuan]) = (provinces[sichuan], provinces[0]);
        var cumulative = weights.Select((_, i) => weights.Take(i + 1).Sum() / weights.Sum()).ToList();
        var random = new Random(20161);
        for (var i = 0; i < count; i++)
        {
            var province = provinces[Math.Max(0, cumulative.FindIndex(c => c >= random.NextDouble()))][..2];
            var roll = random.NextDouble();
            var region = roll < 1.0 / 12 ? $"{province}0104" // the capital's first district
                : roll < 1.0 / 3 ? $"{province}01{random.Next(5, 20):D2}" // the rest of the capital
                : $"{province}{random.Next(3, 20):D2}{random.Next(1, 12):D2}";
            var first17 = string.Create(CultureInfo.InvariantCulture, $"91{region}MA{i / 3 % 9_999_999:D7}");
            var uscc = first17 + Uscc.ComputeCheckCharacter(first17);
            yield return new ViolationEntity
            {
                PartitionKey = uscc,
                RowKey = StorageKeys.Finding(StorageKeys.FilingId($"{uscc}/payroll-{Month}.csv"), string.Create(CultureInfo.InvariantCulture, $"{i:x16}")),
                FindingId = string.Create(CultureInfo.InvariantCulture, $"{i:x16}"),
                Rule = "HF-RATE-CAP",
                Uscc = uscc,
                Period = Month,
                Region = region,
                Row = 2,
                Field = "housing_fund_employer_rate",
                Observed = 13,
                Limit = "<= 12",
                Citation = "国发〔2016〕48号 (二十)",
                Message = "housing_fund_employer_rate is 13%, above the 12% ceiling.",
                FilingName = $"{uscc}/payroll-{Month}.csv",
                Status = ViolationEntity.OpenStatus,
                RowCount = 1,
            };
        }
    }

    private static long ResetPeakResidentSet()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return Environment.WorkingSet;
    }

    private static long? PeakResidentSet()
    {
        if (!File.Exists("/proc/self/status"))
        {
            return null;
        }

        var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return line is null ? null : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    }
}
