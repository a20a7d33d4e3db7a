using System.Text;
using System.Text.Json;
using Azure;
using Compliance.Storage;
using Compliance.Storage.Entities;

namespace Compliance.Pipeline.Tests;

[TestClass]
public sealed class FilingProcessorTests
{
    private const string Header = Compliance.Testing.TestRows.PayrollHeader;

    [TestMethod]
    [DataRow("91510600G612DD2721", "payroll-2016-06-jingyang-gbk.csv")]
    [DataRow("91510100MA6CUB2L8Y", "payroll-2016-07-tianfu.xlsx")]
    [DataRow("91510104MA61W8K3XE", "fees-2016-q-jinjiang.json")]
    [DataRow("91510100MA6CUB2L8Y", "fee-items-2016-09-chengdu.csv")]
    public async Task Upload_WritesFilingViolationsIndexAndResult(string uscc, string sample)
    {
        await using var harness = new PipelineHarness();
        var etag = await harness.UploadSampleAsync(uscc, sample);

        Assert.AreEqual(ProcessOutcome.Checked, await harness.Processor.ProcessAsync(uscc, sample, CancellationToken.None));

        var filing = await harness.FilingVersionAsync(uscc, sample, etag);
        Assert.IsNotNull(filing);
        Assert.AreEqual("checked", filing.Status);
        Assert.AreEqual(uscc, filing.Uscc);
        Assert.AreEqual(StorageKeys.NormalizeETag(etag), filing.BlobETag);
        Assert.AreEqual(64, filing.Sha256.Length);
        Assert.AreEqual(harness.Time.GetUtcNow(), filing.CheckedAt);
        Assert.AreEqual("2016.2", filing.CatalogVersion);

        var violations = await harness.ViolationsAsync(uscc, sample);
        CollectionAssert.AreEqual(Samples.Expected(sample), Samples.Findings(violations));
        Assert.AreEqual((violations.Sum(v => v.RowCount), violations.Count), (filing.ViolationCount, filing.FindingCount), "violating rows, and the findings they make");
        Assert.IsTrue(violations.All(v => v.Status == "open" && v.FilingName == $"{uscc}/{sample}" && v.Citation.StartsWith("国发〔2016〕48号", StringComparison.Ordinal)));

        foreach (var period in violations.Select(v => v.Period).Distinct())
        {
            var byPeriod = (await harness.Store.ViolationsOfPeriodAsync(period, CancellationToken.None)).Where(v => v.Uscc == uscc).ToList();
            CollectionAssert.AreEquivalent(violations.Where(v => v.Period == period).Select(v => v.RowKey).ToArray(), byPeriod.Select(v => StorageKeys.ViolationKeyOf(v.RowKey, uscc)).ToArray());
            Assert.IsTrue(byPeriod.All(v => (v.PartitionKey, v.RowKey) == StorageKeys.ByPeriod(violations.Single(f => f.RowKey == StorageKeys.ViolationKeyOf(v.RowKey, uscc)))), "under the month and province, the region first");
        }

        var result = await harness.Results.GetBlobClient($"{uscc}/{sample}.json").DownloadContentAsync();
        var file = JsonDocument.Parse(result.Value.Content.ToString()).RootElement.GetProperty("files")[0];
        Assert.AreEqual("checked", file.GetProperty("status").GetString());
        Assert.AreEqual(violations.Sum(v => v.RowCount), file.GetProperty("violations").GetArrayLength());
        Assert.AreEqual(violations.Count, file.GetProperty("findings").GetArrayLength());
    }

    [TestMethod]
    public async Task SameVersionTwice_SecondIsANoOp()
    {
        await using var harness = new PipelineHarness();
        await harness.UploadSampleAsync(PipelineHarness.OtherUscc, "payroll-2016-06-jingyang-gbk.csv");
        await harness.Processor.ProcessAsync(PipelineHarness.OtherUscc, "payroll-2016-06-jingyang-gbk.csv", CancellationToken.None);
        var before = await Snapshot(harness);
        harness.Time.Advance(TimeSpan.FromMinutes(5));

        var second = await harness.Processor.ProcessAsync(PipelineHarness.OtherUscc, "payroll-2016-06-jingyang-gbk.csv", CancellationToken.None);

        Assert.AreEqual(ProcessOutcome.AlreadyProcessed, second);
        CollectionAssert.AreEqual(before, await Snapshot(harness));
    }

    [TestMethod]
    public async Task CrashBeforeTheFilingEntity_RetryWritesTheSameRows()
    {
        await using var harness = new PipelineHarness();
        var etag = await harness.UploadSampleAsync(PipelineHarness.OtherUscc, "payroll-2016-06-jingyang-gbk.csv");
        await harness.Processor.ProcessAsync(PipelineHarness.OtherUscc, "payroll-2016-06-jingyang-gbk.csv", CancellationToken.None);
        var before = await Snapshot(harness, violationsOnly: true);

        // As if the first attempt died after writing violations but before its Filings entity.
        var filing = await harness.FilingVersionAsync(PipelineHarness.OtherUscc, "payroll-2016-06-jingyang-gbk.csv", etag);
        await harness.Store.Filings.DeleteEntityAsync(filing!.PartitionKey, filing.RowKey);
        var again = await harness.Processor.ProcessAsync(PipelineHarness.OtherUscc, "payroll-2016-06-jingyang-gbk.csv", CancellationToken.None);

        Assert.AreEqual(ProcessOutcome.Checked, again);
        CollectionAssert.AreEqual(before, await Snapshot(harness, violationsOnly: true), "no duplicates, the same rows");
        Assert.IsNotNull(await harness.FilingVersionAsync(PipelineHarness.OtherUscc, "payroll-2016-06-jingyang-gbk.csv", etag));
    }

    [TestMethod]
    public async Task CrashBetweenTheTwoTables_RetryRestoresTheIndex()
    {
        await using var harness = new PipelineHarness();
        var etag = await harness.UploadSampleAsync(PipelineHarness.OtherUscc, "payroll-2016-06-jingyang-gbk.csv");
        await harness.Processor.ProcessAsync(PipelineHarness.OtherUscc, "payroll-2016-06-jingyang-gbk.csv", CancellationToken.None);
        var indexed = await harness.Store.ViolationsOfPeriodAsync("2016-06", CancellationToken.None);

        // As if the first attempt wrote Violations and died before ViolationsByPeriod and the Filings entity.
        await harness.Store.ViolationsByPeriod.DeleteEntityAsync(indexed[0].PartitionKey, indexed[0].RowKey);
        var filing = await harness.FilingVersionAsync(PipelineHarness.OtherUscc, "payroll-2016-06-jingyang-gbk.csv", etag);
        await harness.Store.Filings.DeleteEntityAsync(filing!.PartitionKey, filing.RowKey);
        await harness.Processor.ProcessAsync(PipelineHarness.OtherUscc, "payroll-2016-06-jingyang-gbk.csv", CancellationToken.None);

        CollectionAssert.AreEquivalent(indexed.Select(v => v.RowKey).ToArray(), (await harness.Store.ViolationsOfPeriodAsync("2016-06", CancellationToken.None)).Select(v => v.RowKey).ToArray());
    }

    [TestMethod]
    public async Task ReUploadWithOtherContent_ResolvesTheOldFindingsByThatVersionAndKeepsThem()
    {
        await using var harness = new PipelineHarness();
        var v1 = await harness.UploadAsync(PipelineHarness.Uscc, "payroll.csv", Header
            + "91510100A4C12H3B1Y,2016-06,510100,E1,8000,13,19\r\n"
            + "91510100A4C12H3B1Y,2016-06,510100,E2,8000,12,21\r\n");
        await harness.Processor.ProcessAsync(PipelineHarness.Uscc, "payroll.csv", CancellationToken.None);
        var first = await harness.ViolationsAsync(PipelineHarness.Uscc, "payroll.csv");
        Assert.HasCount(2, first);

        var v2 = await harness.UploadAsync(PipelineHarness.Uscc, "payroll.csv", Header
            + "91510100A4C12H3B1Y,2016-07,510100,E1,8000,12,19\r\n"
            + "91510100A4C12H3B1Y,2016-07,510100,E2,8000,12,19\r\n"
            + "91510100A4C12H3B1Y,2016-07,510100,E3,8000,14,19\r\n");
        Assert.AreEqual(ProcessOutcome.Checked, await harness.Processor.ProcessAsync(PipelineHarness.Uscc, "payroll.csv", CancellationToken.None));

        var violations = await harness.ViolationsAsync(PipelineHarness.Uscc, "payroll.csv");
        var current = violations.Where(v => !v.IsSuperseded).ToList();
        CollectionAssert.AreEqual(new[] { "HF-RATE-CAP@4:housing_fund_employer_rate" }, Samples.Findings(current));
        Assert.AreEqual(StorageKeys.NormalizeETag(v2), current[0].FilingETag);
        var resolved = violations.Where(v => v.IsSuperseded).ToList();
        CollectionAssert.AreEquivalent(first.Select(v => v.RowKey).ToArray(), resolved.Select(v => v.RowKey).ToArray(), "June's findings stay, under their keys");
        Assert.IsTrue(resolved.All(v => v.Status == "resolved" && v.ResolvedByVersion == StorageKeys.VersionId(v2) && v.ResolvedAt == harness.Time.GetUtcNow()));
        var june = await harness.Store.ViolationsOfPeriodAsync("2016-06", CancellationToken.None);
        Assert.IsTrue(june.Count == 2 && june.All(v => v.Status == "resolved"), "June's index entries stay too, resolved");
        Assert.HasCount(1, await harness.Store.ViolationsOfPeriodAsync("2016-07", CancellationToken.None));
        var history = await harness.Get<ReviewStore>().HistoryAsync(Review.ReviewService.IdOf(resolved[0]), CancellationToken.None);
        Assert.AreEqual("filing version", history.Single().Who);
        Assert.AreEqual(("open", "resolved", StorageKeys.VersionId(v2)), (history[0].FromStatus, history[0].ToStatus, history[0].Version));
        var versions = await harness.Store.FilingsOfEnterpriseAsync(PipelineHarness.Uscc, CancellationToken.None);
        CollectionAssert.AreEquivalent(new[] { v1, v2 }.Select(StorageKeys.NormalizeETag).ToArray(), versions.Select(f => f.BlobETag).ToArray(), "each version keeps its Filings entity");
    }

    [TestMethod]
    public async Task ReviewOfAFindingThatStays_SurvivesAReUpload_AndAChangedRateIsANewFinding()
    {
        await using var harness = new PipelineHarness();
        var content = Header + "91510100A4C12H3B1Y,2016-06,510100,E1,8000,13,21\r\n";
        await harness.UploadAsync(PipelineHarness.Uscc, "p.csv", content);
        await harness.Processor.ProcessAsync(PipelineHarness.Uscc, "p.csv", CancellationToken.None);
        var reviews = harness.Get<Review.ReviewService>();
        foreach (var finding in await harness.ViolationsAsync(PipelineHarness.Uscc, "p.csv"))
        {
            await reviews.ReviewAsync(Review.Caller.Regulator("wang@sc.gov.cn", "510000"), Review.ReviewService.IdOf(finding), new Review.ReviewRequest("confirmed", "Confirmed with the bureau."), finding.ETag, CancellationToken.None);
        }

        // A row added above moves E1 to row 3; its housing fund rate is the same 13%, its pension rate went from 21 to 22.
        var v2 = await harness.UploadAsync(PipelineHarness.Uscc, "p.csv", Header + "91510100A4C12H3B1Y,2016-06,510100,E0,8000,12,19\r\n" + content[Header.Length..].Replace(",13,21", ",13,22", StringComparison.Ordinal));
        await harness.Processor.ProcessAsync(PipelineHarness.Uscc, "p.csv", CancellationToken.None);

        var after = await harness.ViolationsAsync(PipelineHarness.Uscc, "p.csv");
        Assert.HasCount(3, after, "the housing fund finding kept, the 21% pension resolved, the 22% pension added");
        var housing = after.Single(v => v.Rule == "HF-RATE-CAP");
        Assert.AreEqual(("confirmed", 3), (housing.Status, housing.Row), "the same declared rate is the same finding: its review stays, its row moved");
        Assert.IsTrue((await harness.Store.ViolationsOfPeriodAsync("2016-06", CancellationToken.None)).Single(v => v.Rule == "HF-RATE-CAP").Status == "confirmed", "the index copy carries the review too");
        var history = await harness.Get<ReviewStore>().HistoryAsync(Review.ReviewService.IdOf(housing), CancellationToken.None);
        Assert.HasCount(2, history);
        Assert.AreEqual(("confirmed", "confirmed", StorageKeys.VersionId(v2), 1), (history[1].FromStatus, history[1].ToStatus, history[1].Version, history[1].Rows));
        StringAssert.Contains(history[1].Note, "first rows 2 → 3");
        var pension = after.Where(v => v.Rule == "PENSION-EMPLOYER-CAP").ToDictionary(v => v.Observed);
        Assert.AreEqual((ViolationEntity.ResolvedStatus, StorageKeys.VersionId(v2)), (pension[21].Status, pension[21].ResolvedByVersion), "a decision on 21% does not carry to 22%");
        Assert.AreEqual(ViolationEntity.OpenStatus, pension[22].Status);
    }

    [TestMethod]
    public async Task FindingResolvedByAVersion_IsOpenAgainWhenALaterVersionHasItAgain()
    {
        await using var harness = new PipelineHarness();
        var bad = Header + "91510100A4C12H3B1Y,2016-06,510100,E1,8000,13,19\r\n";
        await harness.UploadAsync(PipelineHarness.Uscc, "p.csv", bad);
        await harness.Processor.ProcessAsync(PipelineHarness.Uscc, "p.csv", CancellationToken.None);
        await harness.UploadAsync(PipelineHarness.Uscc, "p.csv", bad.Replace(",13,19", ",12,19", StringComparison.Ordinal));
        await harness.Processor.ProcessAsync(PipelineHarness.Uscc, "p.csv", CancellationToken.None);
        Assert.IsTrue((await harness.ViolationsAsync(PipelineHarness.Uscc, "p.csv")).Single().IsSuperseded);

        await harness.UploadAsync(PipelineHarness.Uscc, "p.csv", bad);
        await harness.Processor.ProcessAsync(PipelineHarness.Uscc, "p.csv", CancellationToken.None);

        var again = (await harness.ViolationsAsync(PipelineHarness.Uscc, "p.csv")).Single();
        Assert.AreEqual("open", again.Status);
        Assert.IsNull(again.ResolvedByVersion);
        var history = await harness.Get<ReviewStore>().HistoryAsync(Review.ReviewService.IdOf(again), CancellationToken.None);
        CollectionAssert.AreEqual(new[] { "open→resolved", "resolved→open" }, history.Select(h => $"{h.FromStatus}→{h.ToStatus}").ToArray());
    }

    [TestMethod]
    public async Task MalformedReUpload_IsRejectedAndKeepsTheEarlierFindings()
    {
        await using var harness = new PipelineHarness();
        await harness.UploadAsync(PipelineHarness.Uscc, "p.csv", Header + "91510100A4C12H3B1Y,2016-06,510100,E1,8000,13,19\r\n");
        await harness.Processor.ProcessAsync(PipelineHarness.Uscc, "p.csv", CancellationToken.None);

        var bad = await harness.UploadAsync(PipelineHarness.Uscc, "p.csv", Header + "91510100A4C12H3B1Y,2016-06,510100,E1,eight thousand,13,19\r\n");
        var outcome = await harness.Processor.ProcessAsync(PipelineHarness.Uscc, "p.csv", CancellationToken.None);

        Assert.AreEqual(ProcessOutcome.Rejected, outcome);
        var filing = await harness.FilingVersionAsync(PipelineHarness.Uscc, "p.csv", bad);
        Assert.AreEqual("rejected", filing!.Status);
        StringAssert.Contains(filing.Error, "Row 2, column wage_base");
        Assert.AreEqual(2, filing.ErrorRow);
        Assert.HasCount(1, await harness.ViolationsAsync(PipelineHarness.Uscc, "p.csv"), "nothing already stored is lost");
        var result = (await harness.Results.GetBlobClient("91510100A4C12H3B1Y/p.csv.json").DownloadContentAsync()).Value.Content.ToString();
        StringAssert.Contains(result, "\"status\": \"rejected\"");
    }

    [TestMethod]
    [DataRow("garbage.csv")]
    [DataRow("garbage.xlsx")]
    [DataRow("garbage.json")]
    [DataRow("garbage.pdf")]
    public async Task BinaryGarbage_IsRejectedNotThrown(string name)
    {
        await using var harness = new PipelineHarness();
        var bytes = new byte[10_000];
        new Random(7).NextBytes(bytes);
        await harness.UploadAsync(PipelineHarness.Uscc, name, bytes);

        Assert.AreEqual(ProcessOutcome.Rejected, await harness.Processor.ProcessAsync(PipelineHarness.Uscc, name, CancellationToken.None));
    }

    [TestMethod]
    public async Task RowsOfAnotherEnterprise_AreASubmitterMismatch()
    {
        await using var harness = new PipelineHarness();
        var etag = await harness.UploadSampleAsync(PipelineHarness.Uscc, "payroll-2016-06-jingyang-gbk.csv");

        Assert.AreEqual(ProcessOutcome.Rejected, await harness.Processor.ProcessAsync(PipelineHarness.Uscc, "payroll-2016-06-jingyang-gbk.csv", CancellationToken.None));

        var filing = await harness.FilingVersionAsync(PipelineHarness.Uscc, "payroll-2016-06-jingyang-gbk.csv", etag);
        StringAssert.Contains(filing!.Error, "submitter mismatch");
        Assert.IsEmpty(await harness.ViolationsAsync(PipelineHarness.Uscc, "payroll-2016-06-jingyang-gbk.csv"));
    }

    [TestMethod]
    public async Task FolderThatIsNotAUscc_IsRecordedAsRejected()
    {
        await using var harness = new PipelineHarness();
        await harness.UploadSampleAsync("acme", "payroll-2016-06-acme.csv");

        Assert.AreEqual(ProcessOutcome.Rejected, await harness.Processor.ProcessAsync("acme", "payroll-2016-06-acme.csv", CancellationToken.None));

        var recorded = await harness.Store.FilingsOfEnterpriseAsync(StorageKeys.InvalidSubmitter, CancellationToken.None);
        StringAssert.Contains(recorded.Single().Error, "'acme' is not a unified social credit code");
    }

    [TestMethod]
    public async Task DeletedBeforeProcessing_IsGone()
    {
        await using var harness = new PipelineHarness();
        await harness.Filings.CreateIfNotExistsAsync();

        Assert.AreEqual(ProcessOutcome.Gone, await harness.Processor.ProcessAsync(PipelineHarness.Uscc, "never-uploaded.csv", CancellationToken.None));
    }

    [TestMethod]
    public async Task HundredsOfViolationsInTwoPeriods_AreOneFindingAMonth()
    {
        await using var harness = new PipelineHarness();
        var csv = new StringBuilder(Header);
        for (var i = 0; i < 260; i++)
        {
            csv.Append(PipelineHarness.Uscc).Append(i % 2 == 0 ? ",2016-06" : ",2016-07").Append(",510100,E").Append(i).Append(",8000,13,19\r\n");
        }

        await harness.UploadAsync(PipelineHarness.Uscc, "big.csv", csv.ToString());
        await harness.Processor.ProcessAsync(PipelineHarness.Uscc, "big.csv", CancellationToken.None);

        // One finding per month, each of 130 rows.
        CollectionAssert.AreEquivalent(new[] { 130, 130 }, (await harness.ViolationsAsync(PipelineHarness.Uscc, "big.csv")).Select(v => v.RowCount).ToArray());
        Assert.AreEqual(130, (await harness.Store.ViolationsOfPeriodAsync("2016-06", CancellationToken.None)).Single().RowCount);
        Assert.AreEqual(130, (await harness.Store.ViolationsOfPeriodAsync("2016-07", CancellationToken.None)).Single().RowCount);
    }

    [TestMethod]
    public async Task InjectedTransientFaults_EverythingPersistedWithinTheBudget()
    {
        await using var harness = new PipelineHarness(new Dictionary<string, string?>
        {
            ["ComplianceStorage:OperationAttempts"] = "3",
            ["ComplianceStorage:ChaosFaultsPerOperation"] = "2",
        });
        var etag = await harness.UploadSampleAsync("91510100MA6CUB2L8Y", "payroll-2016-07-tianfu.xlsx");

        var outcome = await harness.Processor.ProcessAsync("91510100MA6CUB2L8Y", "payroll-2016-07-tianfu.xlsx", CancellationToken.None);

        Assert.AreEqual(ProcessOutcome.Checked, outcome);
        Assert.IsNotNull(await harness.FilingVersionAsync("91510100MA6CUB2L8Y", "payroll-2016-07-tianfu.xlsx", etag));
        CollectionAssert.AreEqual(Samples.Expected("payroll-2016-07-tianfu.xlsx"), Samples.Findings(await harness.ViolationsAsync("91510100MA6CUB2L8Y", "payroll-2016-07-tianfu.xlsx")));
        Assert.IsGreaterThan(10, harness.Monitor.InjectedFaults, "faults were injected into every operation");
        Assert.AreEqual(3, harness.Monitor.MaxAttempts, "no operation needed more than the 3 attempts written down");
        Assert.AreEqual(9, harness.Get<Microsoft.Extensions.Options.IOptions<ComplianceStorageOptions>>().Value.HttpTryBudget);
    }

    [TestMethod]
    public async Task FaultsBeyondTheBudget_ReachTheTriggerInsteadOfRetryingForever()
    {
        await using var harness = new PipelineHarness(new Dictionary<string, string?>
        {
            ["ComplianceStorage:OperationAttempts"] = "2",
            ["ComplianceStorage:ChaosFaultsPerOperation"] = "2",
        });
        await harness.UploadSampleAsync(PipelineHarness.Uscc, "payroll-2016-06-acme.csv");

        var fault = await Assert.ThrowsExactlyAsync<RequestFailedException>(() => harness.Processor.ProcessAsync(PipelineHarness.Uscc, "payroll-2016-06-acme.csv", CancellationToken.None));

        Assert.AreEqual(503, fault.Status);
        Assert.AreEqual(2, harness.Monitor.MaxAttempts);
    }

    [TestMethod]
    public async Task Reconciler_ProcessesFilingsWhoseTriggerWasMissed_Once()
    {
        await using var harness = new PipelineHarness();
        await harness.UploadSampleAsync(PipelineHarness.OtherUscc, "payroll-2016-06-jingyang-gbk.csv");
        var etag = await harness.UploadSampleAsync("91510104MA61W8K3XE", "fees-2016-q-jinjiang.json");
        await harness.Processor.ProcessAsync("91510104MA61W8K3XE", "fees-2016-q-jinjiang.json", CancellationToken.None);
        var reconciler = harness.Get<FilingReconciler>();
        harness.Time.SetUtcNow(DateTimeOffset.UtcNow.AddMinutes(10));

        var first = await reconciler.ReconcileAsync(TimeSpan.Zero, CancellationToken.None);
        var second = await reconciler.ReconcileAsync(TimeSpan.Zero, CancellationToken.None);

        Assert.AreEqual(1, first, "only the filing without a verdict");
        Assert.AreEqual(0, second);
        Assert.IsTrue(await harness.Processor.HasVerdictAsync("91510104MA61W8K3XE", "fees-2016-q-jinjiang.json", etag, CancellationToken.None));
        CollectionAssert.AreEqual(Samples.Expected("payroll-2016-06-jingyang-gbk.csv"), Samples.Findings(await harness.ViolationsAsync(PipelineHarness.OtherUscc, "payroll-2016-06-jingyang-gbk.csv")));
    }

    [TestMethod]
    public async Task Reconciler_LeavesRecentUploadsToTheTrigger()
    {
        await using var harness = new PipelineHarness();
        await harness.UploadSampleAsync(PipelineHarness.Uscc, "payroll-2016-06-acme.csv");

        // The fake clock stands at 2016; the blob's upload time is now, so it is "recent" by any grace period.
        Assert.AreEqual(0, await harness.Get<FilingReconciler>().ReconcileAsync(TimeSpan.FromMinutes(1), CancellationToken.None));
    }

    [TestMethod]
    public void ETagsFromListingsAndHeaders_NameTheSameVersion() =>
        Assert.AreEqual(StorageKeys.VersionId("\"0x8DC1234ABCD\""), StorageKeys.VersionId("0x8DC1234ABCD"));

    [TestMethod]
    public void Keys_AreFreeOfForbiddenCharactersAndDeterministic()
    {
        var id = StorageKeys.FilingId("91510100A4C12H3B1Y/工资 #6?.csv");

        Assert.AreEqual(id, StorageKeys.FilingId("91510100A4C12H3B1Y/工资 #6?.csv"));
        Assert.AreEqual(32, id.Length);
        var key = StorageKeys.Violation(id, 7, "HF-RATE-CAP", 0);
        Assert.AreEqual($"{id}_0000007_HF-RATE-CAP_00", key);
        Assert.ThrowsExactly<ArgumentException>(() => StorageKeys.Check("a/b"));
        Assert.ThrowsExactly<ArgumentException>(() => StorageKeys.Check("a#b"));
        Assert.ThrowsExactly<ArgumentException>(() => StorageKeys.Check("a\u0001b"));
    }

    private static async Task<string[]> Snapshot(PipelineHarness harness, bool violationsOnly = false)
    {
        var tables = violationsOnly
            ? new[] { harness.Store.Violations, harness.Store.ViolationsByPeriod }
            : new[] { harness.Store.Filings, harness.Store.Violations, harness.Store.ViolationsByPeriod };
        var rows = new List<string>();
        foreach (var table in tables)
        {
            foreach (var entity in await PipelineHarness.AllAsync(table))
            {
                // The index is refreshed on a redo, so its ETags move; its content may not.
                var version = table.Name == harness.Store.ViolationsByPeriod.Name ? $"{entity.GetString("Status")}|{entity.GetDouble("Observed")}|{entity.GetString("FilingETag")}" : entity.ETag.ToString();
                rows.Add($"{table.Name}|{entity.PartitionKey}|{entity.RowKey}|{version}");
            }
        }

        rows.Sort(StringComparer.Ordinal);
        return [.. rows];
    }
}
