using System.Globalization;
using System.Text.Json;
using Compliance.Core.Checking;
using Compliance.Core.Rules;
using Compliance.Testing;

namespace Compliance.Core.Tests.Checking;

/// <summary>Rows that break a limit the same way are one finding; the rows stay in the report as evidence.</summary>
[TestClass]
public sealed class FindingTests
{
    [TestMethod]
    public void FiftyThousandRowsAtThirteenPercent_AreOneFindingOfFiftyThousandRows()
    {
        using var report = Checks.Csv(Payroll(50_000, _ => "13")).AssertChecked();

        var finding = report.Findings.Single();
        Assert.AreEqual(("HF-RATE-CAP", "housing_fund_employer_rate", 13m, 50_000, 50_000), (finding.Rule, finding.Field, finding.Observed, finding.RowCount, finding.EmployeeCount));
        CollectionAssert.AreEqual(new[] { 2, 3, 4, 5, 6 }, finding.FirstRows.ToArray());
        Assert.AreEqual(50_000, report.Violations.Count, "every row stays in the report");
        StringAssert.StartsWith(finding.Message, "50000 rows: housing_fund_employer_rate is 13%");
    }

    [TestMethod]
    public void FortyNineThousandAtThirteenAndOneThousandAtFourteen_AreTwoFindings()
    {
        using var report = Checks.Csv(Payroll(50_000, i => i % 50 == 49 ? "14" : "13")).AssertChecked();

        var byRate = report.Findings.ToDictionary(f => f.Observed!.Value, f => f.RowCount);
        Assert.HasCount(2, byRate);
        Assert.AreEqual((49_000, 1_000), (byRate[13m], byRate[14m]));
        Assert.AreNotEqual(report.Findings[0].Id, report.Findings[1].Id);
    }

    [TestMethod]
    public void OneEmployeeAtSixTenthsAmongHalfPercent_IsAFindingOfOne()
    {
        var filing = FilingBuilder.Payroll();
        for (var i = 0; i < 200; i++)
        {
            // The employer's 0.9% keeps the total at 1.5%: only the employee's share breaks a limit.
            filing.Row(("unemployment_employee_rate", i == 117 ? "0.6" : "0.5"), ("unemployment_employer_rate", i == 117 ? "0.9" : "1"));
        }

        using var report = Checks.Csv(filing).AssertChecked();

        var finding = report.Findings.Single();
        Assert.AreEqual(("UI-EMPLOYEE-CAP", 1, 1, 0.6m), (finding.Rule, finding.RowCount, finding.EmployeeCount, finding.Observed));
        Assert.AreEqual("E0118", finding.EmployeeId, "a finding of one names its employee");
        CollectionAssert.AreEqual(new[] { 119 }, finding.FirstRows.ToArray());
        Assert.AreEqual(finding.FirstMessage, finding.Message, "one row says it in its own words");
    }

    [TestMethod]
    public void EffectiveRatesThatVary_AreOneFindingPerRuleAndFieldWithTheRange()
    {
        // No declared rate: each row's rate is what it paid over its wage base — 13%, 13.5%, 14%, ... per row.
        var filing = FilingBuilder.Payroll().Without("housing_fund_employer_rate", "housing_fund_employee_rate");
        for (var i = 0; i < 10; i++)
        {
            filing.Row(("housing_fund_employer_amount", (1040 + (i * 40)).ToString(CultureInfo.InvariantCulture)));
        }

        using var report = Checks.Csv(filing).AssertChecked();

        var finding = report.Findings.Single();
        Assert.AreEqual(("housing_fund_employer_amount", 10), (finding.Field, finding.RowCount));
        Assert.IsNull(finding.Observed, "no one value: the rows differ");
        Assert.AreEqual((13m, 17.5m), (finding.ObservedMin, finding.ObservedMax));
        StringAssert.Contains(finding.Message, "from 13 to 17.5 against <= 12");
    }

    [TestMethod]
    public void ManyDistinctDeclaredValues_BeyondTheLimitJoinOneVaryingFinding()
    {
        var count = FindingSet.MaxDeclaredValues + 10;
        using var report = Checks.Csv(Payroll(count, i => (13 + (i / 100m)).ToString(CultureInfo.InvariantCulture))).AssertChecked();

        Assert.HasCount(FindingSet.MaxDeclaredValues + 1, report.Findings);
        var rest = report.Findings.Single(f => f.Observed is null);
        Assert.AreEqual((10, 13.5m, 13.59m), (rest.RowCount, rest.ObservedMin, rest.ObservedMax));
        Assert.AreEqual(count, report.Findings.Sum(f => f.RowCount));
    }

    [TestMethod]
    public void TheSameRateWrittenTwoWays_IsOneFindingWithOneId()
    {
        using var report = Checks.Csv(Payroll(4, i => i % 2 == 0 ? "13" : "13.00")).AssertChecked();

        Assert.AreEqual(4, report.Findings.Single().RowCount);
        Assert.AreEqual(
            Finding.IdOf("HF-RATE-CAP", "housing_fund_employer_rate", report.Findings[0].Citation, FilingBuilder.Uscc, "2016-06", "510100", 13.0m),
            report.Findings[0].Id,
            "the id does not depend on how the rate was written");
    }

    [TestMethod]
    public void JsonReport_ListsEveryRowAndTheFindingsTheyMake()
    {
        var filing = Payroll(7, i => i < 5 ? "13" : "14");
        filing.Row(("unemployment_employee_rate", "0.6"), ("unemployment_employer_rate", "0.9"));
        using var report = Checks.Csv(filing).AssertChecked();

        using var json = JsonDocument.Parse(ReportJson.ToJson([report]));
        var file = json.RootElement.GetProperty("files")[0];
        var violations = file.GetProperty("violations").EnumerateArray().ToList();
        var findings = file.GetProperty("findings").EnumerateArray().ToList();

        Assert.HasCount(8, violations, "the contract's violations: every violating row");
        Assert.HasCount(3, findings);
        Assert.AreEqual(violations.Count, findings.Sum(f => f.GetProperty("rowCount").GetInt32()), "rowCount adds up to the violations");
        foreach (var finding in findings)
        {
            var id = finding.GetProperty("id").GetString();
            var rows = violations.Where(v => v.GetProperty("finding").GetString() == id).Select(v => v.GetProperty("row").GetInt32()).ToList();
            Assert.HasCount(finding.GetProperty("rowCount").GetInt32(), rows, $"finding {id} names its rows");
            CollectionAssert.AreEqual(rows.Take(Finding.FirstRowsListed).ToList(), finding.GetProperty("firstRows").EnumerateArray().Select(r => r.GetInt32()).ToList());
        }

        var thirteen = findings.Single(f => f.GetProperty("observed").ValueKind == JsonValueKind.Number && f.GetProperty("observed").GetDecimal() == 13m);
        Assert.AreEqual((5, 5, 13m, 13m), (thirteen.GetProperty("rowCount").GetInt32(), thirteen.GetProperty("employeeCount").GetInt32(), thirteen.GetProperty("observedMin").GetDecimal(), thirteen.GetProperty("observedMax").GetDecimal()));
        Assert.AreEqual("国发〔2016〕48号 (二十)", thirteen.GetProperty("citation").GetString());
    }

    [TestMethod]
    public void ASpilledLog_GroupsAsItsRowsWereAdded()
    {
        using var log = new ViolationLog(inMemory: 3);
        for (var row = 2; row < 12; row++)
        {
            log.Add(Violation(row, row % 2 == 0 ? 13m : 14m));
        }

        Assert.IsTrue(log.Spilled);
        var findings = log.Findings.ToList();
        Assert.AreEqual((5, 5), (findings[0].RowCount, findings[1].RowCount));
        foreach (var violation in log)
        {
            Assert.AreEqual(violation.Observed == 13m ? findings[0].Id : findings[1].Id, log.Findings.IdOf(violation), $"row {violation.Row} read back from disk");
        }
    }

    /// <summary>A payroll filing of <paramref name="rows"/> employees whose employer housing-fund rate is <paramref name="rate"/>(row index).</summary>
    private static FilingBuilder Payroll(int rows, Func<int, string> rate)
    {
        var filing = FilingBuilder.Payroll();
        for (var i = 0; i < rows; i++)
        {
            filing.Row(("housing_fund_employer_rate", rate(i)));
        }

        return filing;
    }

    private static Violation Violation(int row, decimal observed) => new()
    {
        Rule = "HF-RATE-CAP",
        Severity = Core.Policies.Severity.High,
        Uscc = FilingBuilder.Uscc,
        Period = "2016-06",
        Region = "510100",
        Row = row,
        EmployeeId = $"E{row}",
        Field = "housing_fund_employer_rate",
        Observed = observed,
        Limit = "<= 12",
        Citation = "国发〔2016〕48号 (二十)",
        Message = "m",
        Declared = true,
    };
}
