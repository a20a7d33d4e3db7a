using Compliance.Storage;
using Compliance.Storage.Entities;

namespace Compliance.Pipeline.Tests;

/// <summary>How a new filing version's findings meet the stored ones, without storage: nothing is deleted, reviews stay, retries rewrite the same entries.</summary>
[TestClass]
public sealed class FindingVersionsTests
{
    private const string Uscc = "91510100A4C12H3B1Y";
    private const string FilingId = "f00d";
    private static readonly DateTimeOffset Uploaded = new(2016, 8, 1, 2, 0, 0, TimeSpan.Zero);

    [TestMethod]
    public void PlanningAgainstItsOwnResult_WritesNothing()
    {
        var stored = new List<ViolationEntity> { Finding(13, rows: 50), Finding(14, rows: 3) };
        var version = Version("v2");
        var first = FindingVersions.Plan(stored, [Finding(14, rows: 3), Finding(15, rows: 2)], version);
        Assert.AreEqual((1, 1, 1, 1), (first.Added.Count, first.Updated.Count, first.Unchanged.Count, first.Resolved), "15% added, 13% resolved, 14% as it was");

        var afterFirst = first.Added.Concat(first.Updated).Concat(first.Unchanged).Select(Copy).ToList();
        var again = FindingVersions.Plan(afterFirst, [Finding(14, rows: 3), Finding(15, rows: 2)], version);

        Assert.AreEqual((0, 0, 2), (again.Added.Count, again.Updated.Count, again.Unchanged.Count), "a redelivered trigger finds everything in place (the resolved 13% stays as it is)");
        Assert.IsEmpty(again.History);
    }

    [TestMethod]
    public void ARetryBeforeTheFindingsWereWritten_RewritesTheSameHistoryKeys()
    {
        var stored = new List<ViolationEntity> { Finding(13, rows: 10, reviewedAt: Uploaded.AddSeconds(5)) };

        var first = FindingVersions.Plan(stored.Select(Copy).ToList(), [], Version("v2"));
        var retry = FindingVersions.Plan(stored.Select(Copy).ToList(), [], Version("v2", checkedAt: Uploaded.AddMinutes(3)));

        Assert.AreEqual(first.History.Single().RowKey, retry.History.Single().RowKey);
        Assert.IsGreaterThan(Uploaded.AddSeconds(5).UtcTicks, long.Parse(first.History[0].RowKey[..19], System.Globalization.CultureInfo.InvariantCulture), "after the review made in the upload's second");
    }

    [TestMethod]
    public void AFindingWhoseRowCountChanges_KeepsItsReviewAndItsHistorySaysHowMany()
    {
        var confirmed = Finding(13, rows: 50_000);
        confirmed.Status = "confirmed";

        var plan = FindingVersions.Plan([confirmed], [Finding(13, rows: 49_000)], Version("v2"));

        var kept = plan.Updated.Single();
        Assert.AreEqual(("confirmed", 49_000), (kept.Status, kept.RowCount));
        var entry = plan.History.Single();
        Assert.AreEqual(("confirmed", "confirmed", 49_000), (entry.FromStatus, entry.ToStatus, entry.Rows));
        StringAssert.Contains(entry.Note, "rows 50000 → 49000");
    }

    [TestMethod]
    public void ADeclaredRateThatChanges_ResolvesTheOldFindingAndAddsTheNew()
    {
        var plan = FindingVersions.Plan([Finding(13, rows: 100)], [Finding(14, rows: 100)], Version("v2"));

        Assert.AreEqual(14, plan.Added.Single().Observed);
        var resolved = plan.Updated.Single();
        Assert.AreEqual((13.0, ViolationEntity.ResolvedStatus, "v2"), (resolved.Observed, resolved.Status, resolved.ResolvedByVersion));
        Assert.AreEqual(0, plan.History.Single().Rows, "the version that resolved it has none of its rows");
    }

    [TestMethod]
    public void AFindingResolvedByAVersion_IsOpenAgainWhenALaterVersionHasItAgain()
    {
        var resolved = Finding(13, rows: 100);
        (resolved.Status, resolved.ResolvedByVersion) = (ViolationEntity.ResolvedStatus, "v2");

        var plan = FindingVersions.Plan([resolved], [Finding(13, rows: 7)], Version("v3"));

        var reopened = plan.Updated.Single();
        Assert.AreEqual((ViolationEntity.OpenStatus, null, 7), (reopened.Status, reopened.ResolvedByVersion, reopened.RowCount));
        Assert.AreEqual((ViolationEntity.ResolvedStatus, ViolationEntity.OpenStatus, 7), (plan.History[0].FromStatus, plan.History[0].ToStatus, plan.History[0].Rows));
    }

    [TestMethod]
    public void AFindingARegulatorResolved_IsLeftAsItIsWhenTheVersionDropsIt()
    {
        var byRegulator = Finding(13, rows: 5);
        byRegulator.Status = ViolationEntity.ResolvedStatus;

        var plan = FindingVersions.Plan([byRegulator], [], Version("v2"));

        Assert.AreEqual((0, 0, 0), (plan.Updated.Count, plan.History.Count, plan.Resolved));
    }

    [TestMethod]
    public void AnExemptedFindingThatStays_KeepsItsExemption()
    {
        var exempted = Finding(13, rows: 20);
        exempted.Status = ViolationEntity.ExemptedStatus;
        exempted.ExemptUntil = Uploaded.AddMonths(6);

        var plan = FindingVersions.Plan([exempted], [Finding(13, rows: 21)], Version("v2"));

        var kept = plan.Updated.Single();
        Assert.AreEqual((ViolationEntity.ExemptedStatus, Uploaded.AddMonths(6), 21), (kept.Status, kept.ExemptUntil, kept.RowCount));
        Assert.AreEqual(("exempted", "exempted"), (plan.History[0].FromStatus, plan.History[0].ToStatus));
    }

    private static FilingVersionStamp Version(string id, DateTimeOffset? checkedAt = null) => new(id, "payroll.csv", Uploaded, checkedAt ?? Uploaded.AddMinutes(1));

    /// <summary>A declared housing-fund rate applied on <paramref name="rows"/> rows from row 2 on: its key follows from the rate, as the checker's does.</summary>
    private static ViolationEntity Finding(double declared, int rows, DateTimeOffset? reviewedAt = null)
    {
        var id = Compliance.Core.Rules.Finding.IdOf("HF-RATE-CAP", "housing_fund_employer_rate", "国发〔2016〕48号 (二十)", Uscc, "2016-07", "510100", (decimal)declared);
        return new()
        {
            PartitionKey = Uscc,
            RowKey = StorageKeys.Finding(FilingId, id),
            FindingId = id,
            Rule = "HF-RATE-CAP",
            Uscc = Uscc,
            Period = "2016-07",
            Region = "510100",
            Row = 2,
            RowCount = rows,
            EmployeeCount = rows,
            FirstRows = string.Join(',', Enumerable.Range(2, Math.Min(rows, 5))),
            EmployeeId = "E1",
            Field = "housing_fund_employer_rate",
            Declared = true,
            Observed = declared,
            ObservedMin = declared,
            ObservedMax = declared,
            Limit = "<= 12",
            Citation = "国发〔2016〕48号 (二十)",
            FilingId = FilingId,
            ReviewedAt = reviewedAt,
        };
    }

    private static ViolationEntity Copy(ViolationEntity v) => v.CopyAs(v.PartitionKey, v.RowKey);
}
