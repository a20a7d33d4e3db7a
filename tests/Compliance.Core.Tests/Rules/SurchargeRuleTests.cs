using Compliance.Testing;

namespace Compliance.Core.Tests.Rules;

[TestClass]
public sealed class SurchargeRuleTests
{
    [TestMethod]
    [DataRow("2016-06", "monthly", "100000.00", 1)]
    [DataRow("2016-06", "monthly", "100,000.01", 0)]
    [DataRow("2016-02", "monthly", "50000", 1)]
    [DataRow("2016-01", "monthly", "50000", 0)]
    [DataRow("2016-01", "monthly", "30000", 1)]
    [DataRow("2016-01", "monthly", "30000.01", 0)]
    [DataRow("2016-09", "quarterly", "300000", 1)]
    [DataRow("2016-09", "quarterly", "300000.01", 0)]
    [DataRow("2016-09", "按季", "250000", 1)]
    [DataRow("2015-12", "quarterly", "90000", 1)]
    [DataRow("2015-12", "quarterly", "90000.01", 0)]
    public void SurchargeChargedWithinTheThreshold_IsViolation(string period, string frequency, string sales, int expected)
    {
        var report = Checks.Csv(FilingBuilder.Fees(period).Row(("filing_frequency", frequency), ("sales", sales), ("education_surcharge", "300"))).AssertChecked();

        Assert.AreEqual(expected, report.Violations.Count(v => v.Rule == "SURCHARGE-EXEMPT-CHARGED"));
    }

    [TestMethod]
    public void EachWaivedChargeIsItsOwnViolation()
    {
        var report = Checks.Csv(FilingBuilder.Fees().Row(("sales", "80000"), ("education_surcharge", "2400"), ("local_education_surcharge", "1600"), ("water_conservancy_fund", "80"))).AssertChecked();

        CollectionAssert.AreEqual(
            new[] { "SURCHARGE-EXEMPT-CHARGED@2:education_surcharge", "SURCHARGE-EXEMPT-CHARGED@2:local_education_surcharge", "SURCHARGE-EXEMPT-CHARGED@2:water_conservancy_fund" },
            report.Findings());
        Assert.AreEqual(2400m, report.Violations.First().Observed);
        Assert.AreEqual("国发〔2016〕48号 (七)", report.Violations.First().Citation);
    }

    [TestMethod]
    public void MissingSurchargeColumns_DefaultToZero()
    {
        var report = Checks.Csv(FilingBuilder.Fees().Without("education_surcharge", "local_education_surcharge", "water_conservancy_fund", "filing_frequency", "exemption_claimed").Row(("sales", "80000"))).AssertChecked();

        Assert.AreEqual(0, report.Violations.Count);
        Assert.AreEqual(1, report.Coverage("SURCHARGE-EXEMPT-CHARGED").Checked);
    }

    [TestMethod]
    [DataRow("yes", "100000", 0)]
    [DataRow("yes", "100000.01", 1)]
    [DataRow("是", "150000", 1)]
    [DataRow("否", "150000", 0)]
    public void ExemptionClaimedAboveTheThreshold_IsViolation(string claimed, string sales, int expected)
    {
        var report = Checks.Csv(FilingBuilder.Fees().Row(("exemption_claimed", claimed), ("sales", sales))).AssertChecked();

        Assert.AreEqual(expected, report.Violations.Count(v => v.Rule == "SURCHARGE-EXEMPT-INELIGIBLE"));
    }

    [TestMethod]
    public void QuarterlyPeriodThatIsNotAQuarterEnd_IsRowError()
    {
        var report = Checks.Csv(FilingBuilder.Fees("2016-08").Row(("filing_frequency", "quarterly"))).AssertRejected("Row 2", "period", "last month of the quarter");

        Assert.AreEqual(2, report.ErrorRow);
    }
}
