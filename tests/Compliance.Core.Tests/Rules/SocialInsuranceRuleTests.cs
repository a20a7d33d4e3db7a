using Compliance.Testing;

namespace Compliance.Core.Tests.Rules;

[TestClass]
public sealed class SocialInsuranceRuleTests
{
    [TestMethod]
    [DataRow("1", "0.5", "")]
    [DataRow("0.5", "0.5", "")]
    [DataRow("1.01", "0.5", "UI-TOTAL-RANGE@2:unemployment_employer_rate+unemployment_employee_rate")]
    [DataRow("0.5", "0.49", "UI-TOTAL-RANGE@2:unemployment_employer_rate+unemployment_employee_rate")]
    [DataRow("1.5", "0", "")]
    [DataRow("0.9", "0.6", "UI-EMPLOYEE-CAP@2:unemployment_employee_rate")]
    public void UnemploymentTotalBetweenOneAndOneAndAHalf(string employer, string employee, string expected)
    {
        var report = Checks.Csv(FilingBuilder.Payroll().Row(("unemployment_employer_rate", employer), ("unemployment_employee_rate", employee))).AssertChecked();

        CollectionAssert.AreEqual(expected.Length == 0 ? Array.Empty<string>() : [expected], report.Findings());
    }

    [TestMethod]
    [DataRow("0.5", 0)]
    [DataRow("0.51", 1)]
    public void EmployeeShareCappedAtHalfAPercent(string employee, int expected)
    {
        var report = Checks.Csv(FilingBuilder.Payroll().Row(("unemployment_employer_rate", "0.9"), ("unemployment_employee_rate", employee))).AssertChecked();

        Assert.AreEqual(expected, report.Violations.Count(v => v.Rule == "UI-EMPLOYEE-CAP"));
    }

    [TestMethod]
    [DataRow("2016-04", 0)]
    [DataRow("2016-05", 3)]
    [DataRow("2018-04", 3)]
    [DataRow("2018-05", 0)]
    public void TwoYearWindowFromMay2016(string period, int expected)
    {
        var report = Checks.Csv(FilingBuilder.Payroll(period).Row(
            ("unemployment_employer_rate", "1.5"), ("unemployment_employee_rate", "1"), ("pension_employer_rate", "21"))).AssertChecked();

        Assert.AreEqual(expected, report.Violations.Count(v => v.Rule is "UI-TOTAL-RANGE" or "UI-EMPLOYEE-CAP" or "PENSION-EMPLOYER-CAP"));
    }

    [TestMethod]
    [DataRow("20", 0)]
    [DataRow("20.00", 0)]
    [DataRow("20.01", 1)]
    public void EmployerPensionCappedAtTwenty(string rate, int expected)
    {
        var report = Checks.Csv(FilingBuilder.Payroll().Row(("pension_employer_rate", rate))).AssertChecked();

        Assert.AreEqual(expected, report.Violations.Count(v => v.Rule == "PENSION-EMPLOYER-CAP"));
        if (expected == 1)
        {
            Assert.AreEqual("国发〔2016〕48号 (十九)", report.Violations.Single().Citation);
        }
    }

    [TestMethod]
    public void OnlyEmployerUnemploymentRate_TotalIsNotApplicable()
    {
        var report = Checks.Csv(FilingBuilder.Payroll().Without("unemployment_employee_rate").Row(("unemployment_employer_rate", "3"))).AssertChecked();

        Assert.AreEqual(1, report.Coverage("UI-TOTAL-RANGE").NotApplicable);
        Assert.AreEqual(1, report.Coverage("UI-EMPLOYEE-CAP").NotApplicable);
        Assert.AreEqual(0, report.Violations.Count);
    }

    [TestMethod]
    public void PaidUnemploymentAmountsOutsideTheRange_AreViolation()
    {
        // Declared 1% + 0.5% is in range, but 160 + 40 on 8000 is 2.5%.
        var report = Checks.Csv(FilingBuilder.Payroll().Row(("unemployment_employer_amount", "160"), ("unemployment_employee_amount", "40"))).AssertChecked();

        var total = report.Violations.Single(v => v.Rule == "UI-TOTAL-RANGE");
        Assert.AreEqual("unemployment_employer_amount+unemployment_employee_amount", total.Field);
        Assert.AreEqual(2.5m, total.Observed);
    }
}
