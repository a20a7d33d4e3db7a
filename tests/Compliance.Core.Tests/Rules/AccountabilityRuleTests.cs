using Compliance.Testing;

namespace Compliance.Core.Tests.Rules;

/// <summary>SOE-DEDUCTION-RANGE (国办发〔2016〕63号 五(二)): every loss level × responsibility cell at its range edges.</summary>
[TestClass]
public sealed class AccountabilityRuleTests
{
    private const string Soe = "91510000MA6CXY2K1U";
    private const string Header = "uscc,case_id,decision_date,loss_level,responsibility,performance_pay_deduction_pct,tenure_incentive_deduction_pct,incentive_ban_years\r\n";

    [TestMethod]
    // 较大 loss, direct and supervisory: 50–100% of both, ban at least five years.
    [DataRow("较大", "直接责任", "performance_pay_deduction_pct", "50", false)]
    [DataRow("较大", "直接责任", "performance_pay_deduction_pct", "49.99", true)]
    [DataRow("较大", "直接责任", "performance_pay_deduction_pct", "100", false)]
    [DataRow("较大", "直接责任", "tenure_incentive_deduction_pct", "50", false)]
    [DataRow("较大", "直接责任", "tenure_incentive_deduction_pct", "49.99", true)]
    [DataRow("较大", "直接责任", "incentive_ban_years", "5", false)]
    [DataRow("较大", "直接责任", "incentive_ban_years", "4", true)]
    [DataRow("较大", "主管责任", "performance_pay_deduction_pct", "49.99", true)]
    [DataRow("较大", "主管责任", "tenure_incentive_deduction_pct", "100", false)]
    [DataRow("较大", "主管责任", "incentive_ban_years", "4.5", true)]
    // 较大 loss, leadership: 30–70% of both, ban at least three years.
    [DataRow("较大", "领导责任", "performance_pay_deduction_pct", "30", false)]
    [DataRow("较大", "领导责任", "performance_pay_deduction_pct", "29.99", true)]
    [DataRow("较大", "领导责任", "performance_pay_deduction_pct", "70", false)]
    [DataRow("较大", "领导责任", "performance_pay_deduction_pct", "70.01", true)]
    [DataRow("较大", "领导责任", "tenure_incentive_deduction_pct", "29.99", true)]
    [DataRow("较大", "领导责任", "tenure_incentive_deduction_pct", "70.01", true)]
    [DataRow("较大", "领导责任", "incentive_ban_years", "3", false)]
    [DataRow("较大", "领导责任", "incentive_ban_years", "2", true)]
    // 重大 loss, direct and supervisory: all of both, no new incentives ever.
    [DataRow("重大", "直接责任", "performance_pay_deduction_pct", "100", false)]
    [DataRow("重大", "直接责任", "performance_pay_deduction_pct", "99.99", true)]
    [DataRow("重大", "直接责任", "tenure_incentive_deduction_pct", "99.99", true)]
    [DataRow("重大", "直接责任", "incentive_ban_years", "终身", false)]
    [DataRow("重大", "直接责任", "incentive_ban_years", "30", true)]
    [DataRow("重大", "主管责任", "performance_pay_deduction_pct", "99.99", true)]
    [DataRow("重大", "主管责任", "incentive_ban_years", "lifetime", false)]
    [DataRow("重大", "主管责任", "incentive_ban_years", "10", true)]
    // 重大 loss, leadership: 70–100% of both, ban at least five years.
    [DataRow("重大", "领导责任", "performance_pay_deduction_pct", "70", false)]
    [DataRow("重大", "领导责任", "performance_pay_deduction_pct", "69.99", true)]
    [DataRow("重大", "领导责任", "performance_pay_deduction_pct", "100", false)]
    [DataRow("重大", "领导责任", "tenure_incentive_deduction_pct", "69.99", true)]
    [DataRow("重大", "领导责任", "incentive_ban_years", "5", false)]
    [DataRow("重大", "领导责任", "incentive_ban_years", "4", true)]
    public void EachCell_AtItsEdges(string loss, string responsibility, string field, string value, bool violated)
    {
        var report = Checks.Run(Header + Row(loss, responsibility, (field, value))).AssertChecked();

        if (violated)
        {
            var violation = report.Violations.Single();
            Assert.AreEqual("SOE-DEDUCTION-RANGE", violation.Rule);
            Assert.AreEqual(field, violation.Field);
            Assert.AreEqual("A-1", violation.Item, "the case travels as the item");
            StringAssert.StartsWith(violation.Citation, loss == "较大" ? "国办发〔2016〕63号 五(二)1" : "国办发〔2016〕63号 五(二)2");
        }
        else
        {
            Assert.IsEmpty(report.Violations, string.Join("; ", report.Violations.Select(v => v.Message)));
        }
    }

    [TestMethod]
    public void GeneralLoss_HasNoStandardInTheSeed_SoNothingIsChecked() =>
        Assert.IsEmpty(Checks.Run(Header + Row("一般", "直接责任", ("performance_pay_deduction_pct", "0"), ("incentive_ban_years", "0"))).AssertChecked().Violations);

    [TestMethod]
    public void EmptyMeasures_AreNotApplicable_NotViolated() =>
        Assert.IsEmpty(Checks.Run(Header + $"{Soe},A-1,2017-03-15,较大,直接责任,,,\r\n").AssertChecked().Violations);

    [TestMethod]
    [DataRow("2016-07-31", 0)]
    [DataRow("2016-08-01", 1)]
    public void DecisionsFromAugust2016_AreChecked(string decided, int expected)
    {
        var report = Checks.Run(Header + $"{Soe},A-1,{decided},较大,直接责任,40,60,5\r\n").AssertChecked();

        Assert.HasCount(expected, report.Violations);
        Assert.AreEqual(decided[..7], report.Periods.Single(), "the period is the decision's month");
    }

    [TestMethod]
    public void ChineseHeadersAndEnglishValues_AreTheSameFiling()
    {
        var report = Checks.Run("统一社会信用代码,案件编号,责任认定日期,资产损失程度,责任类型,扣减绩效年薪比例,扣减任期激励比例,不得参加中长期激励年限\r\n"
            + $"{Soe},A-1,2017年3月15日,significant,leadership,80%,50%,3\r\n").AssertChecked();

        Assert.AreEqual("accountability", report.Kind);
        Assert.AreEqual("performance_pay_deduction_pct", report.Violations.Single().Field);
        Assert.AreEqual("510000", report.Violations.Single().Region, "the region comes from the USCC's registration division");
    }

    [TestMethod]
    public void XlsxWithDateCells_AndJson_GiveTheSameFindings()
    {
        var xlsx = new XlsxBuilder()
            .Row([.. Header.TrimEnd().Split(',').Select(XlsxCell.Text)])
            .Row(XlsxCell.Text(Soe), XlsxCell.Text("A-1"), XlsxCell.Date(new DateTime(2017, 3, 1)), XlsxCell.Text("重大"), XlsxCell.Text("直接责任"), XlsxCell.Percent(1m), XlsxCell.Percent(0.9m), XlsxCell.Text("终身"))
            .Build();
        var json = $$"""{"kind":"accountability","uscc":"{{Soe}}","rows":[{"case_id":"A-1","decision_date":"2017-03-01","loss_level":"重大","responsibility":"直接责任","performance_pay_deduction_pct":100,"tenure_incentive_deduction_pct":90,"incentive_ban_years":"lifetime"}]}""";

        var fromXlsx = Checks.Run(xlsx, "cases.xlsx").AssertChecked();
        var fromJson = Checks.Run(json, "cases.json").AssertChecked();

        CollectionAssert.AreEqual(new[] { "SOE-DEDUCTION-RANGE@2:tenure_incentive_deduction_pct" }, fromXlsx.Findings());
        CollectionAssert.AreEqual(new[] { "SOE-DEDUCTION-RANGE@1:tenure_incentive_deduction_pct" }, fromJson.Findings());
        Assert.AreEqual("2017-03", fromXlsx.Periods.Single(), "a date cell on the 1st is still a date here");
    }

    [TestMethod]
    [DataRow("loss_level", "严重", "is not one of 一般, 较大, 重大")]
    [DataRow("decision_date", "2017-02-30", "is not a date")]
    [DataRow("incentive_ban_years", "forever-ish", "is not a number of years")]
    [DataRow("performance_pay_deduction_pct", "120", "not a percent between 0 and 100")]
    public void BadCells_RejectTheFilingNamingRowAndColumn(string field, string value, string message)
    {
        var report = Checks.Run(Header + Row("较大", "直接责任", (field, value))).AssertRejected(message, "Row 2");

        Assert.AreEqual(field, report.ErrorColumn);
    }

    private static string Row(string loss, string responsibility, params (string Field, string Value)[] overrides)
    {
        // Values that pass for the cell, so the one override decides.
        var (pay, tenure, ban) = (loss, responsibility) switch
        {
            ("重大", "领导责任") => ("80", "80", "5"),
            ("重大", _) => ("100", "100", "终身"),
            ("较大", "领导责任") => ("50", "50", "3"),
            _ => ("60", "60", "5"),
        };
        var cells = new Dictionary<string, string>
        {
            ["uscc"] = Soe, ["case_id"] = "A-1", ["decision_date"] = "2017-03-15", ["loss_level"] = loss, ["responsibility"] = responsibility,
            ["performance_pay_deduction_pct"] = pay, ["tenure_incentive_deduction_pct"] = tenure, ["incentive_ban_years"] = ban,
        };
        foreach (var (field, value) in overrides)
        {
            cells[field] = value;
        }

        return string.Join(',', Header.TrimEnd().Split(',').Select(c => cells[c])) + "\r\n";
    }
}
