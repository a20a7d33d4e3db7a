using Compliance.Testing;

namespace Compliance.Core.Tests.Rules;

[TestClass]
public sealed class AbolishedFeeRuleTests
{
    [TestMethod]
    [DataRow("价格调节基金", "国发〔2016〕48号 (七)")]
    [DataRow("新菜地开发建设基金", "国发〔2016〕48号 (七)")]
    [DataRow("育林基金", "国发〔2016〕48号 (七)")]
    [DataRow("大工业用户燃气燃油加工费", "国发〔2016〕48号 (七)")]
    [DataRow("国内植物检疫费", "国发〔2016〕48号 (六)")]
    [DataRow("社会公用计量标准证书费", "国发〔2016〕48号 (六)")]
    public void AbolishedItemCharged_IsViolationCitingItsClause(string item, string citation)
    {
        var report = Checks.Csv(FilingBuilder.FeeItems().Row(("item", item), ("amount", "500"))).AssertChecked();

        var violation = report.Violations.Single();
        Assert.AreEqual("FEE-ABOLISHED", violation.Rule);
        Assert.AreEqual(item, violation.Item);
        Assert.AreEqual(500m, violation.Observed);
        Assert.AreEqual(citation, violation.Citation);
    }

    [TestMethod]
    [DataRow("2016-07", 0)]
    [DataRow("2016-08", 1)]
    public void WindowStartsAugust2016(string period, int expected)
    {
        var report = Checks.Csv(FilingBuilder.FeeItems(period).Row(("item", "价格调节基金"))).AssertChecked();

        Assert.AreEqual(expected, report.Violations.Count);
    }

    [TestMethod]
    public void NameWithSpacesOrFullWidthCharacters_StillMatches()
    {
        var report = Checks.Csv(FilingBuilder.FeeItems().Row(("item", "　育林基金 ")).Row(("item", "燃气燃油加工费"))).AssertChecked();

        Assert.AreEqual(2, report.Violations.Count);
    }

    [TestMethod]
    [DataRow("价格调节基金", "0")]
    [DataRow("排污费", "1200")]
    public void ZeroAmountOrOrdinaryFee_Passes(string item, string amount)
    {
        var report = Checks.Csv(FilingBuilder.FeeItems().Row(("item", item), ("amount", amount))).AssertChecked();

        Assert.AreEqual(0, report.Violations.Count);
        Assert.AreEqual(1, report.Coverage("FEE-ABOLISHED").Checked);
    }
}
