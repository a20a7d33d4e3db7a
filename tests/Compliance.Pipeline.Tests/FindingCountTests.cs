using System.Globalization;
using System.Text;
using Azure.Data.Tables;
using Compliance.Pipeline.Review;
using Compliance.Storage;
using Compliance.Storage.Entities;
using Compliance.Testing;

namespace Compliance.Pipeline.Tests;

/// <summary>
/// The counts the overview reads are kept as findings change — by the pipeline and by reviews — and always equal a
/// recount of the Violations table, however the changes came: new filings, re-uploads that resolve or keep
/// findings, rejected files, the same version processed twice, reviews.
/// </summary>
[TestClass]
public sealed class FindingCountTests
{
    private static readonly string[] Regions = ["510100", "510104", "510600", "510700"];
    private static readonly string[] Statuses = [ReviewStatus.Confirmed, ReviewStatus.Dismissed, ReviewStatus.Exempted, ReviewStatus.Open, ReviewStatus.Resolved];

    [TestMethod]
    [DataRow(20161)]
    [DataRow(20162)]
    public async Task Counts_AfterRandomUploadsReuploadsRejectionsAndReviews_EqualARecountOfTheViolationsTable(int seed)
    {
        await using var harness = new PipelineHarness();
        var random = new Random(seed);
        var reviews = harness.Get<ReviewService>();
        var counts = harness.Get<FindingCounts>();
        var regulator = Caller.Regulator("审核员 reviewer", Compliance.Core.Filings.RegionCode.National);
        string[] usccs = [PipelineHarness.Uscc, PipelineHarness.OtherUscc];
        await harness.Store.EnsureTablesAsync(CancellationToken.None);
        var done = new Dictionary<string, int>();

        for (var step = 0; step < 40; step++)
        {
            var uscc = usccs[random.Next(usccs.Length)];
            var name = $"payroll-{random.Next(4)}.csv";
            switch (random.Next(10))
            {
                case < 6:
                    // A new file or a new version of one: some rows over the housing fund or pension limit.
                    var period = random.Next(2) == 0 ? "2016-08" : "2016-09";
                    var csv = new StringBuilder(TestRows.PayrollHeader);
                    for (var row = 0; row < random.Next(1, 5); row++)
                    {
                        csv.Append(CultureInfo.InvariantCulture, $"{uscc},{period},{Regions[random.Next(Regions.Length)]},E{row},8000,{11 + random.Next(4)},{19 + (2 * random.Next(2))}\r\n");
                    }

                    await harness.UploadAsync(uscc, name, csv.ToString());
                    await harness.Processor.ProcessAsync(uscc, name, CancellationToken.None);
                    done["upload"] = done.GetValueOrDefault("upload") + 1;
                    if (random.Next(4) == 0)
                    {
                        await harness.Processor.ProcessAsync(uscc, name, CancellationToken.None); // a redelivered trigger
                    }

                    break;
                case < 7:
                    await harness.UploadAsync(uscc, name, TestRows.PayrollHeader + $"{uscc},2016-13,510100,E1,8000,12,19\r\n");
                    await harness.Processor.ProcessAsync(uscc, name, CancellationToken.None);
                    done["rejected"] = done.GetValueOrDefault("rejected") + 1;
                    break;
                default:
                    var findings = await FindingsAsync(harness.Store.Violations);
                    if (findings.Count == 0)
                    {
                        break;
                    }

                    var finding = findings[random.Next(findings.Count)];
                    var status = Statuses[random.Next(Statuses.Length)];
                    await reviews.ReviewAsync(
                        regulator,
                        ReviewService.IdOf(finding),
                        new ReviewRequest(status, $"step {step}", status == ReviewStatus.Exempted ? new DateOnly(2016, 12, 31) : null),
                        finding.ETag,
                        CancellationToken.None);
                    done["review"] = done.GetValueOrDefault("review") + 1;
                    break;
            }
        }

        Assert.IsTrue(done.GetValueOrDefault("upload") > 5 && done.GetValueOrDefault("review") > 3 && done.GetValueOrDefault("rejected") > 0, string.Join(", ", done));
        var all = await FindingsAsync(harness.Store.Violations);
        Assert.IsTrue(all.Any(f => f.Status == ReviewStatus.Resolved && f.ResolvedByVersion is not null), "some findings were resolved by a later version");
        var expected = Recount(all);
        Assert.IsGreaterThan(3, expected.Count, "the random steps made findings in several cells");
        CollectionAssert.AreEquivalent(expected, await CountersAsync(counts), "kept counts = a recount of the Violations table");

        // The repair rebuilds the same counts from the month's findings.
        foreach (var month in new[] { "2016-08", "2016-09" })
        {
            var ofMonth = (await FindingsAsync(harness.Store.ViolationsByPeriod)).Where(f => f.Period == month).ToList();
            await counts.RebuildAsync(month, ofMonth, CancellationToken.None);
        }

        CollectionAssert.AreEquivalent(expected, await CountersAsync(counts), "rebuilt counts = the same recount");

        // After a rebuild the pipeline and reviews carry on from the same ledger: counting every finding again adds nothing.
        foreach (var finding in all)
        {
            await counts.ApplyAsync(finding, CancellationToken.None);
        }

        CollectionAssert.AreEquivalent(expected, await CountersAsync(counts), "counting a counted finding again changes nothing");
    }

    [TestMethod]
    public async Task AFindingOfTheSameRuleAsLastMonth_CountsAsRecurring()
    {
        await using var harness = new PipelineHarness();
        var counts = harness.Get<FindingCounts>();
        foreach (var (name, period) in new[] { ("august.csv", "2016-08"), ("september.csv", "2016-09") })
        {
            await harness.UploadAsync(PipelineHarness.Uscc, name, TestRows.PayrollHeader + $"{PipelineHarness.Uscc},{period},510100,E1,8000,13,19\r\n");
            await harness.Processor.ProcessAsync(PipelineHarness.Uscc, name, CancellationToken.None);
        }

        var august = (await counts.CountersAsync("2016-08", "51", CancellationToken.None)).Single();
        var september = (await counts.CountersAsync("2016-09", "5101", CancellationToken.None)).Single();
        Assert.AreEqual((1, 0), (august.Findings, august.Recurring), "new in August");
        Assert.AreEqual((1, 1), (september.Findings, september.Recurring), "again in September");
        Assert.IsEmpty(await counts.CountersAsync("2016-09", "5106", CancellationToken.None), "Deyang's range holds none of Chengdu's");
        Assert.AreEqual(1, (await counts.EnterprisesAsync("2016-09", "51", CancellationToken.None)).Single().Outstanding);
    }

    [TestMethod]
    public async Task AnExemptionThatEnds_IsOutstandingAgainInTheOverview_WithoutAnyWrite()
    {
        await using var harness = new PipelineHarness(now: new DateTimeOffset(2016, 10, 20, 0, 0, 0, TimeSpan.Zero));
        await harness.UploadAsync(PipelineHarness.Uscc, "september.csv", TestRows.PayrollHeader + $"{PipelineHarness.Uscc},2016-09,510100,E1,8000,13,19\r\n");
        await harness.Processor.ProcessAsync(PipelineHarness.Uscc, "september.csv", CancellationToken.None);
        var reviews = harness.Get<ReviewService>();
        var regulator = Caller.Regulator("sc", "510000");
        var finding = (await reviews.ListAsync(regulator, new ViolationFilter(Period: "2016-09"), null, 10, CancellationToken.None)).Items.Single();
        var current = (await reviews.GetAsync(regulator, finding.Id, CancellationToken.None))!;
        await reviews.ReviewAsync(regulator, finding.Id, new ReviewRequest(ReviewStatus.Exempted, "缓缴至十月底", new DateOnly(2016, 10, 31)), current.Violation.ETag, CancellationToken.None);
        var overviews = harness.Get<OverviewService>();

        var whileExempt = (await overviews.GetAsync(regulator, Compliance.Core.Filings.Period.Parse("2016-09"), null, CancellationToken.None)).Trend[^1];
        harness.Time.SetUtcNow(new DateTimeOffset(2016, 11, 1, 0, 0, 0, TimeSpan.Zero));
        var afterwards = (await overviews.GetAsync(regulator, Compliance.Core.Filings.Period.Parse("2016-09"), null, CancellationToken.None)).Trend[^1];

        Assert.AreEqual((1, 0), (whileExempt.Findings, whileExempt.Outstanding), "exempted until the end of October");
        Assert.AreEqual((1, 1), (afterwards.Findings, afterwards.Outstanding), "open again once the exemption has ended, as the list shows it");
    }

    private static async Task<List<ViolationEntity>> FindingsAsync(TableClient table)
    {
        var list = new List<ViolationEntity>();
        await foreach (var entity in table.QueryAsync<ViolationEntity>())
        {
            list.Add(entity);
        }

        return [.. list.Where(f => f.IsFinding)];
    }

    private static List<string> Recount(IEnumerable<ViolationEntity> findings) =>
        [.. findings.GroupBy(f => (f.Period, f.Region, f.Rule, Status: FindingCounts.CountedStatus(f))).Select(g => $"{g.Key.Period} {g.Key.Region} {g.Key.Rule} {g.Key.Status}: {g.Count()} findings, {g.Sum(f => f.RowCount)} rows")];

    private static async Task<List<string>> CountersAsync(FindingCounts counts)
    {
        var list = new List<string>();
        await foreach (var counter in counts.Table.QueryAsync<FindingCountEntity>(TableClient.CreateQueryFilter($"RowKey ge {"C_"} and RowKey lt {"C`"}")))
        {
            if (counter.Findings != 0 || counter.Rows != 0)
            {
                list.Add($"{counter.PartitionKey[..7]} {counter.Region} {counter.Rule} {counter.Status}: {counter.Findings} findings, {counter.Rows} rows");
            }
        }

        return list;
    }
}
