using Azure;
using Compliance.Pipeline.Review;
using Compliance.Storage;

namespace Compliance.Pipeline.Tests;

/// <summary>Review decisions on real Azurite: scope, ETags, the audit trail, exemptions that lapse.</summary>
[TestClass]
public sealed class ReviewServiceTests
{
    private const string Deyang = "91510600G612DD2721";

    private static readonly Caller SichuanRegulator = Caller.Regulator("wang@sc.gov.cn", "510000");
    private static readonly Caller DeyangRegulator = Caller.Regulator("li@dy.gov.cn", "510600");
    private static readonly Caller GuizhouRegulator = Caller.Regulator("zhao@gz.gov.cn", "520000");
    private static readonly Caller DeyangEnterprise = Caller.Enterprise("finance@deyang.example.cn", Deyang);
    private static readonly Caller OtherEnterprise = Caller.Enterprise("finance@acme.example.cn", "91510100A4C12H3B1Y");

    [TestMethod]
    public async Task RegulatorConfirmsWithANote_StatusInBothTablesAndAnAuditEntry()
    {
        await using var harness = new PipelineHarness();
        var (reviews, id) = await SeedAsync(harness);
        var current = (await reviews.GetAsync(SichuanRegulator, id, CancellationToken.None))!;

        var after = await reviews.ReviewAsync(SichuanRegulator, id, new ReviewRequest("confirmed", "Checked against the payroll ledger."), current.Violation.ETag, CancellationToken.None);

        Assert.AreEqual("confirmed", after!.EffectiveStatus);
        var history = (await reviews.GetAsync(DeyangRegulator, id, CancellationToken.None))!.History;
        var entry = history.Single();
        Assert.AreEqual(("wang@sc.gov.cn", "open", "confirmed", "Checked against the payroll ledger."), (entry.Who, entry.FromStatus, entry.ToStatus, entry.Note));
        Assert.AreEqual(harness.Time.GetUtcNow(), entry.At);
        var indexed = (await harness.Store.ViolationsOfPeriodAsync("2016-06", CancellationToken.None)).Single(v => v.RowKey.EndsWith(current.Violation.RowKey, StringComparison.Ordinal));
        Assert.AreEqual("confirmed", indexed.Status, "the by-month copy follows");
    }

    [TestMethod]
    public async Task StaleETag_IsRefusedAndNothingIsRecorded()
    {
        await using var harness = new PipelineHarness();
        var (reviews, id) = await SeedAsync(harness);
        var read = (await reviews.GetAsync(SichuanRegulator, id, CancellationToken.None))!;
        await reviews.ReviewAsync(DeyangRegulator, id, new ReviewRequest("confirmed", "first"), read.Violation.ETag, CancellationToken.None);

        await Assert.ThrowsExactlyAsync<StaleReviewException>(() => reviews.ReviewAsync(SichuanRegulator, id, new ReviewRequest("dismissed", "second"), read.Violation.ETag, CancellationToken.None));

        var now = (await reviews.GetAsync(SichuanRegulator, id, CancellationToken.None))!;
        Assert.AreEqual("confirmed", now.EffectiveStatus);
        Assert.HasCount(1, now.History);
    }

    [TestMethod]
    public async Task ScopeDecidesWhatExists()
    {
        await using var harness = new PipelineHarness();
        var (reviews, id) = await SeedAsync(harness);

        Assert.IsNotNull(await reviews.GetAsync(DeyangEnterprise, id, CancellationToken.None), "its own");
        Assert.IsNotNull(await reviews.GetAsync(DeyangRegulator, id, CancellationToken.None), "its region");
        Assert.IsNull(await reviews.GetAsync(OtherEnterprise, id, CancellationToken.None), "another enterprise's is not found, not forbidden");
        Assert.IsNull(await reviews.GetAsync(GuizhouRegulator, id, CancellationToken.None), "another province's");
        Assert.IsNull(await reviews.ReviewAsync(GuizhouRegulator, id, new ReviewRequest("dismissed", "x"), ETag.All, CancellationToken.None));
        await Assert.ThrowsExactlyAsync<ReviewForbiddenException>(() => reviews.ReviewAsync(DeyangEnterprise, id, new ReviewRequest("dismissed", "not us"), ETag.All, CancellationToken.None));
    }

    [TestMethod]
    [DataRow("2016-06-x", "not a real id")]
    [DataRow("91510600G612DD2721.nope", "no such row")]
    [DataRow("91510600G612DD2721.a/b", "a key character")]
    [DataRow("", "empty")]
    public async Task MalformedOrUnknownIds_AreNotFound(string id, string why)
    {
        await using var harness = new PipelineHarness();
        var (reviews, _) = await SeedAsync(harness);

        Assert.IsNull(await reviews.GetAsync(SichuanRegulator, id, CancellationToken.None), why);
    }

    [TestMethod]
    [DataRow("approved", "note", null, "not a review status")]
    [DataRow("confirmed", " ", null, "needs a note")]
    [DataRow("exempted", "until the audit", null, "needs the date it ends")]
    [DataRow("exempted", "until the audit", "2016-07-01", "must end in the future")]
    [DataRow("exempted", "until the audit", "2019-07-21", "at most 3 years, to 2019-07-20")]
    [DataRow("exempted", "until the audit", "9999-12-31", "at most 3 years")]
    public async Task MalformedReviews_AreRefused(string status, string note, string? until, string message)
    {
        await using var harness = new PipelineHarness(now: new DateTimeOffset(2016, 7, 20, 0, 0, 0, TimeSpan.Zero));
        var (reviews, id) = await SeedAsync(harness);

        var ex = await Assert.ThrowsExactlyAsync<ReviewValidationException>(() => reviews.ReviewAsync(SichuanRegulator, id, new ReviewRequest(status, note, until is null ? null : DateOnly.Parse(until, System.Globalization.CultureInfo.InvariantCulture)), ETag.All, CancellationToken.None));
        StringAssert.Contains(ex.Message, message);
    }

    [TestMethod]
    public async Task ExemptionPastItsEnd_ListsAsOpenAgain()
    {
        await using var harness = new PipelineHarness(now: new DateTimeOffset(2016, 7, 20, 0, 0, 0, TimeSpan.Zero));
        var (reviews, id) = await SeedAsync(harness);

        var exempted = await reviews.ReviewAsync(SichuanRegulator, id, new ReviewRequest("exempted", "Hardship deferral until August.", new DateOnly(2016, 8, 31)), ETag.All, CancellationToken.None);
        Assert.AreEqual("exempted", exempted!.EffectiveStatus);

        harness.Time.SetUtcNow(new DateTimeOffset(2016, 8, 31, 15, 59, 0, TimeSpan.Zero));
        Assert.AreEqual("exempted", (await reviews.GetAsync(SichuanRegulator, id, CancellationToken.None))!.EffectiveStatus, "23:59 on the last day in China");
        harness.Time.SetUtcNow(new DateTimeOffset(2016, 8, 31, 16, 0, 0, TimeSpan.Zero));
        Assert.AreEqual("open", (await reviews.GetAsync(SichuanRegulator, id, CancellationToken.None))!.EffectiveStatus, "midnight on 1 September in China");
    }

    [TestMethod]
    public async Task ExemptionOfExactlyThreeYears_IsAccepted()
    {
        await using var harness = new PipelineHarness(now: new DateTimeOffset(2016, 7, 20, 0, 0, 0, TimeSpan.Zero));
        var (reviews, id) = await SeedAsync(harness);

        var view = await reviews.ReviewAsync(SichuanRegulator, id, new ReviewRequest("exempted", "three-year deferral", new DateOnly(2019, 7, 20)), ETag.All, CancellationToken.None);

        Assert.AreEqual("exempted", view!.EffectiveStatus);
    }

    [TestMethod]
    public async Task ReviewSurvivesReprocessingOfTheSameFinding()
    {
        await using var harness = new PipelineHarness();
        var (reviews, id) = await SeedAsync(harness);
        await reviews.ReviewAsync(SichuanRegulator, id, new ReviewRequest("confirmed", "ok"), ETag.All, CancellationToken.None);

        // Identical re-upload: a new version, the same findings.
        await harness.UploadSampleAsync(Deyang, "payroll-2016-06-jingyang-gbk.csv");
        await harness.Processor.ProcessAsync(Deyang, "payroll-2016-06-jingyang-gbk.csv", CancellationToken.None);

        var view = (await reviews.GetAsync(SichuanRegulator, id, CancellationToken.None))!;
        Assert.AreEqual("confirmed", view.EffectiveStatus);
        Assert.AreEqual("wang@sc.gov.cn", view.Violation.ReviewedBy);
    }

    private static async Task<(ReviewService Reviews, string Id)> SeedAsync(PipelineHarness harness)
    {
        await harness.UploadSampleAsync(Deyang, "payroll-2016-06-jingyang-gbk.csv");
        await harness.Processor.ProcessAsync(Deyang, "payroll-2016-06-jingyang-gbk.csv", CancellationToken.None);
        var violation = (await harness.ViolationsAsync(Deyang, "payroll-2016-06-jingyang-gbk.csv")).First(v => v.Rule == "HF-RATE-CAP");
        return (harness.Get<ReviewService>(), ReviewService.IdOf(violation));
    }
}
