using System.Globalization;
using System.Text;
using Compliance.Pipeline.Review;
using Compliance.Storage;
using Compliance.Storage.Entities;

namespace Compliance.Pipeline.Tests;

/// <summary>
/// Findings through the pipeline on Azurite: a systemic violation stored as one entity, re-uploads that change
/// its rows, its rows paged out of the result document, claims that keep a long check from starting twice, and
/// the migration of per-row entities stored before findings.
/// </summary>
[TestClass]
public sealed class FindingPipelineTests
{
    private const string Uscc = PipelineHarness.Uscc;

    private static readonly Caller Sichuan = Caller.Regulator("wang@sc.gov.cn", "510000");

    [TestMethod]
    public async Task FiftyThousandRowsAtThirteenPercent_AreOneFindingInOneEntityPerTable()
    {
        await using var harness = new PipelineHarness();
        var etag = await harness.UploadAsync(Uscc, "payroll-2016-08.csv", Payroll(50_000, _ => "13"));

        Assert.AreEqual(ProcessOutcome.Checked, await harness.Processor.ProcessAsync(Uscc, "payroll-2016-08.csv", CancellationToken.None));

        var finding = (await harness.ViolationsAsync(Uscc, "payroll-2016-08.csv")).Single();
        Assert.AreEqual((50_000, 50_000, 13.0, true, "2,3,4,5,6"), (finding.RowCount, finding.EmployeeCount, finding.Observed, finding.Declared, finding.FirstRows));
        Assert.HasCount(1, await PipelineHarness.AllAsync(harness.Store.Violations), "one entity for 50,000 rows");
        Assert.HasCount(1, await PipelineHarness.AllAsync(harness.Store.ViolationsByPeriod));
        var verdict = await harness.FilingVersionAsync(Uscc, "payroll-2016-08.csv", etag);
        Assert.AreEqual((50_000, 1), (verdict!.ViolationCount, verdict.FindingCount));
    }

    [TestMethod]
    public async Task FortyNineThousandAtThirteenAndOneThousandAtFourteen_AreTwoFindings()
    {
        await using var harness = new PipelineHarness();
        await harness.UploadAsync(Uscc, "payroll-2016-08.csv", Payroll(50_000, i => i % 50 == 49 ? "14" : "13"));

        await harness.Processor.ProcessAsync(Uscc, "payroll-2016-08.csv", CancellationToken.None);

        var byRate = (await harness.ViolationsAsync(Uscc, "payroll-2016-08.csv")).ToDictionary(f => f.Observed, f => f.RowCount);
        Assert.AreEqual((2, 49_000, 1_000), (byRate.Count, byRate[13], byRate[14]));
    }

    [TestMethod]
    public async Task AReviewedFinding_KeepsItsDecisionWhenARowCountChanges_AndIsResolvedWhenTheRateIsCorrected()
    {
        await using var harness = new PipelineHarness();
        await harness.UploadAsync(Uscc, "payroll-2016-08.csv", Payroll(500, _ => "13"));
        await harness.Processor.ProcessAsync(Uscc, "payroll-2016-08.csv", CancellationToken.None);
        var reviews = harness.Get<ReviewService>();
        var id = ReviewService.IdOf((await harness.ViolationsAsync(Uscc, "payroll-2016-08.csv")).Single());
        var before = await reviews.GetAsync(Sichuan, id, CancellationToken.None);
        await reviews.ReviewAsync(Sichuan, id, new ReviewRequest("confirmed", "13% applied to all staff in August."), before!.Violation.ETag, CancellationToken.None);

        harness.Time.Advance(TimeSpan.FromDays(2));
        await harness.UploadAsync(Uscc, "payroll-2016-08.csv", Payroll(490, _ => "13"));
        await harness.Processor.ProcessAsync(Uscc, "payroll-2016-08.csv", CancellationToken.None);
        var fewer = await reviews.GetAsync(Sichuan, id, CancellationToken.None);

        harness.Time.Advance(TimeSpan.FromDays(2));
        await harness.UploadAsync(Uscc, "payroll-2016-08.csv", Payroll(490, _ => "12"));
        await harness.Processor.ProcessAsync(Uscc, "payroll-2016-08.csv", CancellationToken.None);
        var corrected = await reviews.GetAsync(Sichuan, id, CancellationToken.None);

        Assert.AreEqual(("confirmed", 490), (fewer!.EffectiveStatus, fewer.Violation.RowCount), "the decision covers the finding whatever its row count");
        Assert.AreEqual((500, 490), (fewer.History[0].Rows, fewer.History[1].Rows), "each entry records the rows at its time");
        StringAssert.Contains(fewer.History[1].Note, "rows 500 → 490");
        Assert.AreEqual((ViolationEntity.ResolvedStatus, true), (corrected!.EffectiveStatus, corrected.Violation.IsSuperseded));
        Assert.HasCount(3, corrected.History);
        Assert.HasCount(1, await harness.ViolationsAsync(Uscc, "payroll-2016-08.csv"), "nothing added, nothing deleted");
    }

    [TestMethod]
    public async Task RowsOfAFinding_PageThroughTheResultDocumentInFileOrder()
    {
        await using var harness = new PipelineHarness();
        // Every third row at 14%: the 13% finding's rows are interleaved with another finding's in the document.
        await harness.UploadAsync(Uscc, "payroll-2016-08.csv", Payroll(3_000, i => i % 3 == 2 ? "14" : "13"));
        await harness.Processor.ProcessAsync(Uscc, "payroll-2016-08.csv", CancellationToken.None);
        var reviews = harness.Get<ReviewService>();
        var thirteen = (await harness.ViolationsAsync(Uscc, "payroll-2016-08.csv")).Single(f => f.Observed == 13);

        var rows = new List<FindingRow>();
        string? token = null;
        var pages = 0;
        do
        {
            var page = await reviews.RowsAsync(Sichuan, ReviewService.IdOf(thirteen), token, 300, CancellationToken.None);
            rows.AddRange(page!.Value.Page.Rows);
            token = page.Value.ContinuationToken;
            pages++;
        }
        while (token is not null);

        Assert.AreEqual(2_000, rows.Count);
        Assert.AreEqual(7, pages, "300 a page; the last page ends the list");
        CollectionAssert.AreEqual(Enumerable.Range(0, 3_000).Where(i => i % 3 != 2).Select(i => i + 2).ToList(), rows.Select(r => r.Row).ToList());
        Assert.IsTrue(rows.All(r => r.Observed == 13m && r.Field == "housing_fund_employer_rate" && r.EmployeeId is not null));
    }

    [TestMethod]
    public async Task RowsToken_IsBoundToItsDocument_AndAForgedOneIsRefused()
    {
        await using var harness = new PipelineHarness();
        await harness.UploadAsync(Uscc, "payroll-2016-08.csv", Payroll(100, _ => "13"));
        await harness.Processor.ProcessAsync(Uscc, "payroll-2016-08.csv", CancellationToken.None);
        var reviews = harness.Get<ReviewService>();
        var id = ReviewService.IdOf((await harness.ViolationsAsync(Uscc, "payroll-2016-08.csv")).Single());
        var first = await reviews.RowsAsync(Sichuan, id, null, 10, CancellationToken.None);

        // A byte inside a row, and garbage: refused as tokens this route never issued.
        var inside = Token(first!.Value.ContinuationToken!, offset => offset + 7);
        await Assert.ThrowsExactlyAsync<ReviewValidationException>(() => reviews.RowsAsync(Sichuan, id, inside, 10, CancellationToken.None));
        await Assert.ThrowsExactlyAsync<ReviewValidationException>(() => reviews.RowsAsync(Sichuan, id, "not-a-token", 10, CancellationToken.None));

        // A newer version's document: the old token no longer fits it.
        harness.Time.Advance(TimeSpan.FromMinutes(5));
        await harness.UploadAsync(Uscc, "payroll-2016-08.csv", Payroll(120, _ => "13"));
        await harness.Processor.ProcessAsync(Uscc, "payroll-2016-08.csv", CancellationToken.None);
        await Assert.ThrowsExactlyAsync<StaleReviewException>(() => reviews.RowsAsync(Sichuan, id, first.Value.ContinuationToken, 10, CancellationToken.None));

        // Guizhou's regulator and another enterprise: not found.
        Assert.IsNull(await reviews.RowsAsync(Caller.Regulator("zhao@gz.gov.cn", "520000"), id, null, 10, CancellationToken.None));
        Assert.IsNull(await reviews.RowsAsync(Caller.Enterprise("deyang", PipelineHarness.OtherUscc), id, null, 10, CancellationToken.None));
    }

    [TestMethod]
    public async Task AClaimedVersion_IsLeftToItsHolderUntilTheClaimLapses()
    {
        await using var harness = new PipelineHarness();
        var etag = await harness.UploadAsync(Uscc, "payroll-2016-08.csv", Payroll(10, _ => "13"));
        var partition = Uscc;
        var key = StorageKeys.FilingVersion(StorageKeys.FilingId($"{Uscc}/payroll-2016-08.csv"), StorageKeys.VersionId(etag));
        var lifetime = harness.Get<Microsoft.Extensions.Options.IOptions<PipelineOptions>>().Value.ClaimLifetime;
        harness.Time.SetUtcNow(DateTimeOffset.UtcNow.AddMinutes(1)); // the upload is older than any grace
        Assert.IsNotNull(await harness.Get<FilingClaims>().TryClaimAsync(partition, key, lifetime, CancellationToken.None), "another host's run holds it");
        var reconciler = harness.Get<FilingReconciler>();

        var whileHeld = await reconciler.ReconcileAsync(TimeSpan.Zero, CancellationToken.None);
        var trigger = await harness.Processor.ProcessAsync(Uscc, "payroll-2016-08.csv", CancellationToken.None);
        harness.Time.Advance(lifetime + TimeSpan.FromSeconds(1));
        var afterLapse = await reconciler.ReconcileAsync(TimeSpan.Zero, CancellationToken.None);

        Assert.AreEqual((0, ProcessOutcome.Claimed, 1), (whileHeld, trigger, afterLapse));
        Assert.IsTrue(await harness.Processor.HasVerdictAsync(Uscc, "payroll-2016-08.csv", etag, CancellationToken.None));
        Assert.HasCount(1, harness.Logs.Messages.Where(m => m.StartsWith("Checked filing", StringComparison.Ordinal)).ToList());
        Assert.IsEmpty(await PipelineHarness.AllAsync(harness.Get<FilingClaims>().Table), "the finished run released its claim");
    }

    [TestMethod]
    public async Task Migration_GroupsPerRowViolations_KeepsEveryDecision_AndASecondRunDoesNothing()
    {
        await using var harness = new PipelineHarness();
        var filingId = StorageKeys.FilingId($"{Uscc}/payroll-2016-06.csv");
        var rows = Enumerable.Range(2, 30).Select(row => LegacyRow(filingId, row, row <= 21 ? 13 : 14)).ToList();
        rows[0].Status = "confirmed";
        (rows[0].ReviewedBy, rows[0].ReviewedAt) = ("wang@sc.gov.cn", harness.Time.GetUtcNow());
        await harness.Store.SaveFindingsAsync(Uscc, filingId, rows, [], [], CancellationToken.None);
        var migration = harness.Get<FindingMigration>();

        var first = await migration.RunAsync(CancellationToken.None);
        var second = await migration.RunAsync(CancellationToken.None);

        Assert.AreEqual((1, 30, 2, 0), (first.Filings, first.Rows, first.FindingsAdded, first.FindingsExisting));
        Assert.AreEqual((0, 0), (second.Filings, second.Rows));
        var findings = await harness.Store.FindingsOfFilingAsync(Uscc, filingId, CancellationToken.None);
        Assert.HasCount(2, await PipelineHarness.AllAsync(harness.Store.Violations), "only findings are left to list");
        Assert.HasCount(2, await PipelineHarness.AllAsync(harness.Store.ViolationsByPeriod));
        Assert.HasCount(30, await PipelineHarness.AllAsync(harness.Store.ViolationRowsArchive), "every row kept");
        var thirteen = findings.Single(f => f.Observed == 13);
        Assert.AreEqual((20, ViolationEntity.OpenStatus, "2,3,4,5,6"), (thirteen.RowCount, thirteen.Status, thirteen.FirstRows), "rows decided differently: open, for one decision");
        Assert.AreEqual((10, ViolationEntity.OpenStatus, 14.0), (findings.Single(f => f.Observed == 14).RowCount, findings.Single(f => f.Observed == 14).Status, findings.Single(f => f.Observed == 14).ObservedMax));
        var entry = (await harness.Get<ReviewStore>().HistoryAsync(ReviewService.IdOf(thirteen), CancellationToken.None)).Single();
        Assert.AreEqual((ReviewAuditEntity.MigrationActor, 20), (entry.Who, entry.Rows));
        StringAssert.Contains(entry.Note, "confirmed 1, open 19");
        StringAssert.Contains(entry.Note, ReviewService.IdOf(rows[0]), "the per-row decision stays findable under its id");
        var counted = await harness.Get<FindingCounts>().CountersAsync("2016-06", "51", CancellationToken.None);
        Assert.AreEqual((2, 30L), (counted.Sum(c => c.Findings), counted.Sum(c => c.Rows)), "the two findings are counted once, though the migration ran twice");
    }

    [TestMethod]
    public async Task Migration_StoppedAfterSomeRowsWereRemoved_IsFinishedByTheNextRun()
    {
        await using var harness = new PipelineHarness();
        var filingId = StorageKeys.FilingId($"{Uscc}/payroll-2016-06.csv");
        var rows = Enumerable.Range(2, 12).Select(row => LegacyRow(filingId, row, 13)).ToList();
        await harness.Store.SaveFindingsAsync(Uscc, filingId, rows, [], [], CancellationToken.None);

        // What a run stopped mid-way leaves: every row archived, half of them already removed.
        await harness.Store.ArchiveRowsAsync(rows, CancellationToken.None);
        await harness.Store.DeleteRowsAsync(rows[..6], CancellationToken.None);
        var result = await harness.Get<FindingMigration>().RunAsync(CancellationToken.None);

        var finding = (await harness.Store.FindingsOfFilingAsync(Uscc, filingId, CancellationToken.None)).Single();
        Assert.AreEqual((1, 6), (result.Filings, result.Rows));
        Assert.AreEqual(12, finding.RowCount, "built from the archive: the rows removed before the stop count too");
        Assert.HasCount(1, await PipelineHarness.AllAsync(harness.Store.Violations));
    }

    /// <summary>A payroll filing of <paramref name="rows"/> employees whose employer housing-fund rate is <paramref name="rate"/>(row index).</summary>
    internal static string Payroll(int rows, Func<int, string> rate)
    {
        var csv = new StringBuilder("uscc,period,region,employee_id,wage_base,housing_fund_employer_rate\r\n");
        for (var i = 0; i < rows; i++)
        {
            csv.Append(CultureInfo.InvariantCulture, $"{Uscc},2016-08,510100,E{i:D6},8000,{rate(i)}\r\n");
        }

        return csv.ToString();
    }

    /// <summary>A violation as the pipeline stored it before findings: one row, under its row's key.</summary>
    private static ViolationEntity LegacyRow(string filingId, int row, double observed) => new()
    {
        PartitionKey = Uscc,
        RowKey = StorageKeys.Violation(filingId, row, "HF-RATE-CAP", 0),
        Rule = "HF-RATE-CAP",
        Severity = "high",
        Uscc = Uscc,
        Period = "2016-06",
        Region = "510100",
        Row = row,
        EmployeeId = $"E{row:D4}",
        Field = "housing_fund_employer_rate",
        Observed = observed,
        Limit = "<= 12",
        Citation = "国发〔2016〕48号 (二十)",
        Message = $"housing_fund_employer_rate is {observed}%, above the 12% ceiling.",
        FilingName = $"{Uscc}/payroll-2016-06.csv",
        FilingId = filingId,
        FilingETag = "0x8DC0000",
        Kind = "payroll",
        DetectedAt = new DateTimeOffset(2016, 7, 2, 1, 0, 0, TimeSpan.Zero),
    };

    /// <summary>A continuation token with its offset changed, as someone editing it would.</summary>
    private static string Token(string token, Func<long, long> change)
    {
        var base64 = token.Replace('-', '+').Replace('_', '/');
        var text = Encoding.UTF8.GetString(Convert.FromBase64String(base64 + new string('=', (4 - (base64.Length % 4)) % 4)));
        var bar = text.IndexOf('|', StringComparison.Ordinal);
        var forged = $"{change(long.Parse(text[..bar], CultureInfo.InvariantCulture))}|{text[(bar + 1)..]}";
        return Convert.ToBase64String(Encoding.UTF8.GetBytes(forged)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }
}
