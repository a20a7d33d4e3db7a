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
        var stored = new List<ViolationEntity> { Finding("E1", row: 2, observed: 13), Finding("E2", row: 3, observed: 14) };
        var version = Version("v2");
        var first = FindingVersions.Plan(FilingId, stored, [Finding("E2", row: 2, observed: 14), Finding("E3", row: 3, observed: 15)], version);
        Assert.AreEqual((1, 2, 0, 1), (first.Added.Count, first.Updated.Count, first.Unchanged.Count, first.Resolved));

        var afterFirst = first.Added.Concat(first.Updated).Concat(first.Unchanged).Select(Copy).ToList();
        var again = FindingVersions.Plan(FilingId, afterFirst, [Finding("E2", row: 2, observed: 14), Finding("E3", row: 3, observed: 15)], version);

        Assert.AreEqual((0, 0, 2), (again.Added.Count, again.Updated.Count, again.Unchanged.Count), "a redelivered trigger finds everything in place");
        Assert.IsEmpty(again.History);
    }

    [TestMethod]
    public void ARetryBeforeTheFindingsWereWritten_RewritesTheSameHistoryKeys()
    {
        var stored = new List<ViolationEntity> { Finding("E1", row: 2, observed: 13, reviewedAt: Uploaded.AddSeconds(5)) };

        var first = FindingVersions.Plan(FilingId, stored.Select(Copy).ToList(), [], Version("v2"));
        var retry = FindingVersions.Plan(FilingId, stored.Select(Copy).ToList(), [], Version("v2", checkedAt: Uploaded.AddMinutes(3)));

        Assert.AreEqual(first.History.Single().RowKey, retry.History.Single().RowKey);
        Assert.IsGreaterThan(Uploaded.AddSeconds(5).UtcTicks, long.Parse(first.History[0].RowKey[..19], System.Globalization.CultureInfo.InvariantCulture), "after the review made in the upload's second");
    }

    [TestMethod]
    public void ANewFindingWhoseRowKeyIsHeldByAMovedOne_TakesTheNextSequence()
    {
        // E1 was on row 2; now E9 is on row 2 and E1 on row 3.
        var stored = new List<ViolationEntity> { Finding("E1", row: 2, observed: 13) };

        var plan = FindingVersions.Plan(FilingId, stored, [Finding("E9", row: 2, observed: 13), Finding("E1", row: 3, observed: 13)], Version("v2"));

        Assert.AreEqual(StorageKeys.Violation(FilingId, 2, "HF-RATE-CAP", 0), plan.Updated.Single().RowKey, "E1 keeps its key and id");
        Assert.AreEqual(3, plan.Updated[0].Row);
        Assert.AreEqual(StorageKeys.Violation(FilingId, 2, "HF-RATE-CAP", 1), plan.Added.Single().RowKey);
        Assert.AreEqual("E9", plan.Added[0].EmployeeId);
    }

    [TestMethod]
    public void AFindingARegulatorResolved_IsLeftAsItIsWhenTheVersionDropsIt()
    {
        var byRegulator = Finding("E1", row: 2, observed: 13);
        byRegulator.Status = ViolationEntity.ResolvedStatus;

        var plan = FindingVersions.Plan(FilingId, [byRegulator], [], Version("v2"));

        Assert.AreEqual((0, 0, 0), (plan.Updated.Count, plan.History.Count, plan.Resolved));
    }

    [TestMethod]
    public void AnExemptedFindingThatStays_KeepsItsExemption()
    {
        var exempted = Finding("E1", row: 2, observed: 13);
        exempted.Status = ViolationEntity.ExemptedStatus;
        exempted.ExemptUntil = Uploaded.AddMonths(6);

        var plan = FindingVersions.Plan(FilingId, [exempted], [Finding("E1", row: 2, observed: 13.5)], Version("v2"));

        var kept = plan.Updated.Single();
        Assert.AreEqual((ViolationEntity.ExemptedStatus, Uploaded.AddMonths(6), 13.5), (kept.Status, kept.ExemptUntil, kept.Observed));
        Assert.AreEqual(("exempted", "exempted"), (plan.History[0].FromStatus, plan.History[0].ToStatus));
    }

    private static FilingVersionStamp Version(string id, DateTimeOffset? checkedAt = null) => new(id, "payroll.csv", Uploaded, checkedAt ?? Uploaded.AddMinutes(1));

    private static ViolationEntity Finding(string employee, int row, double observed, DateTimeOffset? reviewedAt = null) => new()
    {
        PartitionKey = Uscc,
        RowKey = StorageKeys.Violation(FilingId, row, "HF-RATE-CAP", 0),
        Rule = "HF-RATE-CAP",
        Uscc = Uscc,
        Period = "2016-07",
        Region = "510100",
        Row = row,
        EmployeeId = employee,
        Field = "housing_fund_employer_rate",
        Observed = observed,
        Limit = "<= 12",
        Citation = "国发〔2016〕48号 (二十)",
        FilingId = FilingId,
        ReviewedAt = reviewedAt,
    };

    private static ViolationEntity Copy(ViolationEntity v) => v.CopyAs(v.PartitionKey, v.RowKey);
}
