using Compliance.Testing;

namespace Compliance.Core.Tests.Rules;

[TestClass]
public sealed class HousingFundRuleTests
{
    [TestMethod]
    [DataRow("12")]
    [DataRow("12.00")]
    [DataRow("12%")]
    [DataRow("0")]
    public void RateAtOrBelowTwelve_Passes(string rate)
    {
        var report = Checks.Csv(FilingBuilder.Payroll().Row(("housing_fund_employer_rate", rate), ("housing_fund_employee_rate", rate))).AssertChecked();

        CollectionAssert.AreEqual(Array.Empty<string>(), report.Findings());
        Assert.AreEqual(1, report.Coverage("HF-RATE-CAP").Checked);
    }

    [TestMethod]
    public void EmployerRateJustAboveTwelve_IsViolation()
    {
        var report = Checks.Csv(FilingBuilder.Payroll().Row(("housing_fund_employer_rate", "12.01"))).AssertChecked();

        var violation = report.Violations.Single();
        Assert.AreEqual("HF-RATE-CAP", violation.Rule);
        Assert.AreEqual(2, violation.Row);
        Assert.AreEqual("E0001", violation.EmployeeId);
        Assert.AreEqual("housing_fund_employer_rate", violation.Field);
        Assert.AreEqual(12.01m, violation.Observed);
        Assert.AreEqual("<= 12", violation.Limit);
        Assert.AreEqual("国发〔2016〕48号 (二十)", violation.Citation);
    }

    [TestMethod]
    public void EmployeeRateAboveTwelve_IsViolation()
    {
        var report = Checks.Csv(FilingBuilder.Payroll().Row(("housing_fund_employee_rate", "13"))).AssertChecked();

        CollectionAssert.AreEqual(new[] { "HF-RATE-CAP@2:housing_fund_employee_rate" }, report.Findings());
    }

    [TestMethod]
    public void BothRatesAboveTwelve_GiveOneViolationEach()
    {
        var report = Checks.Csv(FilingBuilder.Payroll().Row(("housing_fund_employer_rate", "15"), ("housing_fund_employee_rate", "14"))).AssertChecked();

        CollectionAssert.AreEqual(new[] { "HF-RATE-CAP@2:housing_fund_employer_rate", "HF-RATE-CAP@2:housing_fund_employee_rate" }, report.Findings());
        Assert.AreEqual(1, report.Coverage("HF-RATE-CAP").Violated);
    }

    [TestMethod]
    [DataRow("2016-04", 0)]
    [DataRow("2016-05", 1)]
    [DataRow("2018-05", 1)]
    public void WindowStartsMay2016AndStaysOpen(string period, int expected)
    {
        var report = Checks.Csv(FilingBuilder.Payroll(period).Row(("housing_fund_employer_rate", "13"))).AssertChecked();

        Assert.AreEqual(expected, report.Violations.Count(v => v.Rule == "HF-RATE-CAP"));
        Assert.AreEqual(expected == 0 ? 1 : 0, report.Coverage("HF-RATE-CAP").NotInForce);
    }

    [TestMethod]
    public void DeclaresTwelveButPaysFifteen_IsViolationOnTheAmount()
    {
        var report = Checks.Csv(FilingBuilder.Payroll().Row(("housing_fund_employer_rate", "12"), ("housing_fund_employer_amount", "1200"))).AssertChecked();

        var violation = report.Violations.Single();
        Assert.AreEqual("housing_fund_employer_amount", violation.Field);
        Assert.AreEqual(15m, violation.Observed);
        Assert.IsTrue(report.Warnings.Any(w => w.Code == "RATE_AMOUNT_MISMATCH" && w.Row == 2), "the declared/paid mismatch is a warning too");
    }

    [TestMethod]
    [DataRow("960.01", 0)]
    [DataRow("960.02", 1)]
    public void PaidAmountWithinOneFenOfTheCeiling_IsRounding(string amount, int expected)
    {
        var report = Checks.Csv(FilingBuilder.Payroll().Row(("housing_fund_employer_rate", null), ("housing_fund_employer_amount", amount))).AssertChecked();

        Assert.AreEqual(expected, report.Violations.Count);
    }

    [TestMethod]
    public void RowWithoutHousingFundColumns_IsNotApplicable()
    {
        var report = Checks.Csv(FilingBuilder.Payroll().Without("housing_fund_employer_rate", "housing_fund_employee_rate").Row()).AssertChecked();

        var coverage = report.Coverage("HF-RATE-CAP");
        Assert.AreEqual(0, coverage.Checked);
        Assert.AreEqual(1, coverage.NotApplicable);
    }
}
