using Azure.Data.Tables;
using Compliance.Core.Digests;
using Compliance.Core.Filings;
using Compliance.Pipeline.Digests;
using Compliance.Pipeline.Review;
using Compliance.Storage;
using Compliance.Storage.Entities;

namespace Compliance.Pipeline.Tests;

/// <summary>
/// <c>compliance-stack migrate-keys</c> on an index as the code before the region keys wrote it: stopped half-way,
/// resumed, run again; lists, reviews and the digest then see what they saw before, review state and history kept.
/// </summary>
[TestClass]
public sealed class KeyMigrationTests
{
    private const string Deyang = "91510600G612DD2721";
    private const string Chengdu = "91510100A4C12H3B1Y";
    private const string Header = Compliance.Testing.TestRows.PayrollHeader;

    private static readonly Caller Sichuan = Caller.Regulator("sc", "510000");

    private static readonly Caller[] Callers =
        [Sichuan, Caller.Regulator("dy", "510600"), Caller.Regulator("jy", "510681"), Caller.Regulator("gz", "520000"), Caller.Regulator("cn", RegionCode.National), Caller.Enterprise("deyang", Deyang)];

    [TestMethod]
    public async Task OldKeys_MigratedStoppedResumedAndRepeated_EveryListReviewAndDigestAsBefore()
    {
        await using var harness = new PipelineHarness(now: new DateTimeOffset(2016, 8, 1, 0, 0, 0, TimeSpan.Zero));
        var reviews = await SeedAsync(harness);
        var target = (await reviews.ListAsync(Sichuan, new ViolationFilter(Period: "2016-06", Region: "510600"), null, 50, CancellationToken.None)).Items[0];
        var current = (await reviews.GetAsync(Sichuan, target.Id, CancellationToken.None))!;
        await reviews.ReviewAsync(Sichuan, target.Id, new ReviewRequest("confirmed", "德阳核实"), current.Violation.ETag, CancellationToken.None);
        var before = await SnapshotAsync(reviews);
        Assert.IsTrue(before.Any(l => l.StartsWith(RegionCode.National, StringComparison.Ordinal)) && before.Any(l => l.StartsWith("510600 ", StringComparison.Ordinal)) && before.Any(l => l.StartsWith(Deyang, StringComparison.Ordinal)), string.Join("\n", before));
        var digestBefore = await DigestTotalsAsync(harness);
        var violations = (await AllAsync(harness.Store.Violations)).Count;

        await PutBackTheOldKeysAsync(harness.Store);
        Assert.IsEmpty((await reviews.ListAsync(Sichuan, new ViolationFilter(Period: "2016-06"), null, 50, CancellationToken.None)).Items, "under the old keys the month reads empty: the migration is needed");

        // Stopped after its first page of two.
        var migration = harness.Get<KeyMigration>();
        using var stop = new CancellationTokenSource();
        await Assert.ThrowsAsync<OperationCanceledException>(() => migration.RunAsync(_ => stop.Cancel(), 2, stop.Token));
        var halfway = await AllAsync(harness.Store.ViolationsByPeriod);
        Assert.AreEqual((2, violations), (halfway.Count(IsNew), halfway.Count(e => !IsNew(e))), "two copied, every old row still there");

        var resumed = await migration.RunAsync(null, 2, CancellationToken.None);
        var repeated = await migration.RunAsync(null, 2, CancellationToken.None);

        Assert.AreEqual(new KeyMigrationResult(violations, violations), resumed);
        Assert.AreEqual(new KeyMigrationResult(violations, 0), repeated, "a finished migration rewrites the same copies and finds nothing old");
        var index = await AllAsync(harness.Store.ViolationsByPeriod);
        Assert.AreEqual(violations, index.Count);
        Assert.IsTrue(index.All(IsNew));
        CollectionAssert.AreEqual(before, await SnapshotAsync(reviews), "every caller's lists, with review states, as before");
        Assert.AreEqual(digestBefore, await DigestTotalsAsync(harness));
        var migrated = (await reviews.GetAsync(Sichuan, target.Id, CancellationToken.None))!;
        Assert.AreEqual("confirmed", migrated.Violation.Status);
        Assert.IsTrue(migrated.History.Any(h => h.Note == "德阳核实"), "history is keyed by the finding's id, which did not change");

        // And reviews go on: the copy follows the review under the new keys.
        await reviews.ReviewAsync(Sichuan, target.Id, new ReviewRequest("dismissed", "复核撤销"), migrated.Violation.ETag, CancellationToken.None);
        var listed = (await reviews.ListAsync(Caller.Regulator("dy", "510600"), new ViolationFilter(Period: "2016-06", Status: "dismissed"), null, 50, CancellationToken.None)).Items;
        Assert.AreEqual(target.Id, listed.Single().Id);
    }

    /// <summary>Rewrites the index as the code before the region keys did: PartitionKey the month, RowKey the enterprise and the Violations RowKey.</summary>
    private static async Task PutBackTheOldKeysAsync(FilingStore store)
    {
        foreach (var copy in await AllAsync(store.ViolationsByPeriod))
        {
            await store.ViolationsByPeriod.DeleteEntityAsync(copy.PartitionKey, copy.RowKey);
        }

        foreach (var violation in await AllAsync(store.Violations))
        {
            await store.ViolationsByPeriod.AddEntityAsync(violation.CopyAs(violation.Period, StorageKeys.LegacyViolationByPeriod(violation.Uscc, violation.RowKey)));
        }
    }

    // Today's partitions are a month and a province (2016-06_51); the old ones a bare month.
    private static bool IsNew(ViolationEntity copy) => copy.PartitionKey == StorageKeys.PeriodPartition(copy.Period, copy.Region) && copy.RowKey.StartsWith(copy.Region, StringComparison.Ordinal);

    private static async Task<List<ViolationEntity>> AllAsync(TableClient table)
    {
        var all = new List<ViolationEntity>();
        await foreach (var entity in table.QueryAsync<ViolationEntity>())
        {
            all.Add(entity);
        }

        return all;
    }

    private static async Task<List<string>> SnapshotAsync(ReviewService reviews)
    {
        var lines = new List<string>();
        foreach (var caller in Callers)
        {
            foreach (var period in new[] { "2016-06", "2016-07" })
            {
                var page = await reviews.ListAsync(caller, new ViolationFilter(Period: period), null, 200, CancellationToken.None);
                lines.AddRange(page.Items.Select(v => $"{caller.Region ?? caller.Uscc} {period} {v.Id} {v.Violation.Region} {v.EffectiveStatus}").Order(StringComparer.Ordinal));
            }
        }

        return lines;
    }

    private static async Task<string> DigestTotalsAsync(PipelineHarness harness)
    {
        var input = await harness.Get<DigestService>().LoadAsync(Period.Parse("2016-07"), CancellationToken.None);
        var digest = DigestBuilder.ForRegulator(input, "510000");
        return $"{digest.Total} {digest.OpenBacklog} {string.Join(",", digest.Trend.Select(t => t.Count))} {string.Join(",", digest.ByRegion.Select(c => $"{c.Key}:{c.Count}"))}";
    }

    private static async Task<ReviewService> SeedAsync(PipelineHarness harness)
    {
        await harness.SeedJuneAsync();
        await harness.UploadAsync(Chengdu, "july.csv", Header + "91510100A4C12H3B1Y,2016-07,510104,E1,8000,14,19\r\n");
        await harness.Processor.ProcessAsync(Chengdu, "july.csv", CancellationToken.None);
        return harness.Get<ReviewService>();
    }
}
