using Compliance.Pipeline.Review;
using Compliance.Storage;

namespace Compliance.Pipeline.Tests;

/// <summary>Listing violations: one partition per query, the caller's scope inside the query, hostile filters refused.</summary>
[TestClass]
public sealed class ViolationListTests
{
    private const string Deyang = "91510600G612DD2721";
    private const string Chengdu = "91510100A4C12H3B1Y";
    private const string Header = Compliance.Testing.TestRows.PayrollHeader;

    [TestMethod]
    public async Task RegulatorsSeeTheirRegionOfAPeriod()
    {
        await using var harness = new PipelineHarness();
        var reviews = await SeedAsync(harness);

        var sichuan = await reviews.ListAsync(Caller.Regulator("sc", "510000"), new ViolationFilter(Period: "2016-06"), null, 50, CancellationToken.None);
        var guizhou = await reviews.ListAsync(Caller.Regulator("gz", "520000"), new ViolationFilter(Period: "2016-06"), null, 50, CancellationToken.None);
        var deyangOnly = await reviews.ListAsync(Caller.Regulator("sc", "510000"), new ViolationFilter(Period: "2016-06", Region: "510600"), null, 50, CancellationToken.None);

        Assert.HasCount(4, sichuan.Items);
        Assert.IsTrue(sichuan.Items.All(v => v.Violation.Region.StartsWith("51", StringComparison.Ordinal)));
        Assert.AreEqual("520100", guizhou.Items.Single().Violation.Region);
        Assert.HasCount(3, deyangOnly.Items);
        var first = sichuan.Items[0];
        Assert.IsNotNull(await reviews.GetAsync(Caller.Regulator("sc", "510000"), first.Id, CancellationToken.None), "list ids open the violation");
    }

    /// <summary>
    /// A region's month is read by keys alone: every entity inside the key range the query names is one the list
    /// returns (Azurite scans whatever the query, so the count inside the range is what carries to Table storage).
    /// </summary>
    [TestMethod]
    public async Task ARegionsMonth_IsAKeyRangeHoldingOnlyItsFindings()
    {
        await using var harness = new PipelineHarness();
        var reviews = await SeedAsync(harness);
        var deyangDistrict = (await reviews.ListAsync(Caller.Regulator("sc", "510000"), new ViolationFilter(Period: "2016-06", Region: "510600"), null, 50, CancellationToken.None)).Items[0].Violation.Region;

        foreach (var (region, expected) in new[] { ("000000", 5), ("510000", 4), ("510600", 3), (deyangDistrict, 3), ("510100", 1), ("520100", 1), ("530000", 0) })
        {
            var listed = await reviews.ListAsync(Caller.Regulator("r", region), new ViolationFilter(Period: "2016-06"), null, 50, CancellationToken.None);
            var inRange = 0;
            await foreach (var _ in harness.Store.ViolationsByPeriod.QueryAsync<Azure.Data.Tables.TableEntity>(ReviewStore.MonthRange("2016-06", Core.Digests.DigestBuilder.RegionPrefix(region)), select: ["RowKey"]))
            {
                inRange++;
            }

            Assert.AreEqual((expected, expected), (listed.Items.Count, inRange), $"{region}: returned, and inside the key range its query names");
        }
    }

    [TestMethod]
    public async Task EnterprisesSeeOnlyTheirOwn_WhateverTheyAskFor()
    {
        await using var harness = new PipelineHarness();
        var reviews = await SeedAsync(harness);
        var deyang = Caller.Enterprise("deyang", Deyang);

        var own = await reviews.ListAsync(deyang, new ViolationFilter(), null, 50, CancellationToken.None);
        var asksForOther = await reviews.ListAsync(deyang, new ViolationFilter(Uscc: Chengdu), null, 50, CancellationToken.None);
        var byPeriod = await reviews.ListAsync(deyang, new ViolationFilter(Period: "2016-06"), null, 50, CancellationToken.None);

        Assert.HasCount(3, own.Items);
        Assert.IsTrue(own.Items.All(v => v.Violation.Uscc == Deyang));
        Assert.IsEmpty(asksForOther.Items);
        Assert.HasCount(3, byPeriod.Items, "a period filter narrows to the enterprise's own rows of that period");
    }

    [TestMethod]
    [DataRow(null, "HF-RATE-CAP' or Rule ne '", null, null, "rule")]
    [DataRow(null, null, "open' or Status ne '", null, "status")]
    [DataRow("91510100A4C12H3B1Y' or PartitionKey ne '", null, null, null, "uscc")]
    [DataRow(null, null, null, "51' or Region ne '", "region")]
    public async Task FiltersWithQuotesOrOperators_AreRefused(string? uscc, string? rule, string? status, string? region, string field)
    {
        await using var harness = new PipelineHarness();
        var reviews = await SeedAsync(harness);

        var ex = await Assert.ThrowsExactlyAsync<ReviewValidationException>(() => reviews.ListAsync(Caller.Regulator("gz", "520000"), new ViolationFilter("2016-06", uscc, rule, status, region), null, 50, CancellationToken.None));
        StringAssert.StartsWith(ex.Message, field);
    }

    [TestMethod]
    public async Task PeriodWithAQuote_IsRefused_AndAWholeTableScanIsNeverAsked()
    {
        await using var harness = new PipelineHarness();
        var reviews = await SeedAsync(harness);

        await Assert.ThrowsExactlyAsync<ReviewValidationException>(() => reviews.ListAsync(Caller.Regulator("sc", "510000"), new ViolationFilter(Period: "2016-06' or PartitionKey ne '"), null, 50, CancellationToken.None));
        var ex = await Assert.ThrowsExactlyAsync<ReviewValidationException>(() => reviews.ListAsync(Caller.Regulator("sc", "510000"), new ViolationFilter(Rule: "HF-RATE-CAP"), null, 50, CancellationToken.None));
        StringAssert.Contains(ex.Message, "never the whole table");
    }

    [TestMethod]
    public async Task OpenIncludesLapsedExemptions_ExemptedOnlyLiveOnes()
    {
        await using var harness = new PipelineHarness(now: new DateTimeOffset(2016, 7, 20, 0, 0, 0, TimeSpan.Zero));
        var reviews = await SeedAsync(harness);
        var regulator = Caller.Regulator("sc", "510000");
        var target = (await reviews.ListAsync(regulator, new ViolationFilter(Period: "2016-06", Region: "510600", Rule: "HF-RATE-CAP"), null, 50, CancellationToken.None)).Items.Single();
        Assert.AreEqual(default, target.Violation.ETag, "a list from the month index carries no ETag to review with");
        var current = (await reviews.GetAsync(regulator, target.Id, CancellationToken.None))!;
        await reviews.ReviewAsync(regulator, target.Id, new ReviewRequest("exempted", "deferral", new DateOnly(2016, 7, 31)), current.Violation.ETag, CancellationToken.None);

        Assert.HasCount(1, (await reviews.ListAsync(regulator, new ViolationFilter(Period: "2016-06", Status: "exempted"), null, 50, CancellationToken.None)).Items);
        Assert.HasCount(3, (await reviews.ListAsync(regulator, new ViolationFilter(Period: "2016-06", Status: "open"), null, 50, CancellationToken.None)).Items);

        harness.Time.SetUtcNow(new DateTimeOffset(2016, 8, 1, 0, 0, 0, TimeSpan.Zero));
        Assert.IsEmpty((await reviews.ListAsync(regulator, new ViolationFilter(Period: "2016-06", Status: "exempted"), null, 50, CancellationToken.None)).Items);
        var open = (await reviews.ListAsync(regulator, new ViolationFilter(Period: "2016-06", Status: "open"), null, 50, CancellationToken.None)).Items;
        Assert.HasCount(4, open);
        Assert.AreEqual("open", open.Single(v => v.Id == target.Id).EffectiveStatus);
    }

    [TestMethod]
    public async Task ContinuationTokens_PageThroughAMonthOnce()
    {
        await using var harness = new PipelineHarness();

        // 230 findings of one month, as 230 filings of the enterprise would leave them (written directly: the
        // paging is the subject here, not the grouping).
        var findings = Enumerable.Range(0, 230).Select(i => new Compliance.Storage.Entities.ViolationEntity
        {
            PartitionKey = Chengdu,
            RowKey = StorageKeys.Finding(StorageKeys.FilingId($"{Chengdu}/big-{i}.csv"), "0000000000000001"),
            FindingId = "0000000000000001",
            Rule = "HF-RATE-CAP",
            Uscc = Chengdu,
            Period = "2016-06",
            Region = "510100",
            Row = 2,
            FilingName = $"{Chengdu}/big-{i}.csv",
        }).ToList();
        await harness.Store.SaveFindingsAsync(Chengdu, "big", findings, [], [], CancellationToken.None);
        var reviews = harness.Get<ReviewService>();

        var ids = new List<string>();
        string? token = null;
        var pages = 0;
        do
        {
            var page = await reviews.ListAsync(Caller.Regulator("sc", "510000"), new ViolationFilter(Period: "2016-06"), token, 100, CancellationToken.None);
            ids.AddRange(page.Items.Select(v => v.Id));
            token = page.ContinuationToken;
            pages++;
        }
        while (token is not null);

        Assert.AreEqual(230, ids.Count);
        Assert.AreEqual(230, ids.Distinct().Count());
        Assert.IsGreaterThanOrEqualTo(3, pages);
    }

    private static async Task<ReviewService> SeedAsync(PipelineHarness harness)
    {
        await harness.SeedJuneAsync();
        return harness.Get<ReviewService>();
    }
}
