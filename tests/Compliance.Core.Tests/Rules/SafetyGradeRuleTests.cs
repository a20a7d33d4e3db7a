namespace Compliance.Core.Tests.Rules;

/// <summary>SAFETY-GRADE (国办发〔2016〕64号 第七至十条): band edges, bonus points, the one-vote veto, the January deadline.</summary>
[TestClass]
public sealed class SafetyGradeRuleTests
{
    private const string Header = "region,year,score,bonus,grade,special_major_accident,self_report_date\r\n";

    [TestMethod]
    // 以上包括本数，以下不包括本数: each lower bound belongs to its band.
    [DataRow("0", "不合格", "合格")]
    [DataRow("59.99", "不合格", "合格")]
    [DataRow("60", "合格", "不合格")]
    [DataRow("79.99", "合格", "良好")]
    [DataRow("80", "良好", "合格")]
    [DataRow("89.99", "良好", "优秀")]
    [DataRow("90", "优秀", "良好")]
    [DataRow("100", "优秀", "良好")]
    public void ScoreBandEdges(string score, string earned, string neighbour)
    {
        var right = Checks.Run(Header + Row(score, earned)).AssertChecked();
        var wrong = Checks.Run(Header + Row(score, neighbour)).AssertChecked();

        Assert.IsEmpty(right.Violations, $"{score} earns {earned}");
        var violation = wrong.Violations.Single();
        Assert.AreEqual("grade", violation.Field);
        Assert.AreEqual($"= {earned}", violation.Limit);
        Assert.AreEqual("国办发〔2016〕64号 第八条", violation.Citation);
    }

    [TestMethod]
    [DataRow("88", "2", "优秀")]
    [DataRow("88", "1.99", "良好")]
    [DataRow("59", "1", "合格")]
    [DataRow("59.99", "0", "不合格")]
    public void BonusPoints_CountTowardsTheGrade(string score, string bonus, string earned)
    {
        var report = Checks.Run(Header + Row(score, earned, bonus: bonus)).AssertChecked();

        Assert.IsEmpty(report.Violations, string.Join("; ", report.Violations.Select(v => v.Message)));
    }

    [TestMethod]
    public void SpecialMajorAccident_MeansFailWhateverTheScore()
    {
        var graded = Checks.Run(Header + Row("98", "优秀", accident: "是")).AssertChecked();
        var failed = Checks.Run(Header + Row("98", "不合格", accident: "yes")).AssertChecked();

        var violation = graded.Violations.Single();
        Assert.AreEqual("= 不合格", violation.Limit);
        Assert.AreEqual("国办发〔2016〕64号 第九条", violation.Citation);
        StringAssert.Contains(violation.Message, "一票否决");
        Assert.IsEmpty(failed.Violations);
    }

    [TestMethod]
    [DataRow("2016", "2017-01-31", false)]
    [DataRow("2016", "2017-02-01", true)]
    [DataRow("2016", "2016-12-20", false)]
    [DataRow("2019", "2020年1月31日", false)]
    [DataRow("2019", "2020/2/1", true)]
    public void SelfReport_IsDueByTheEndOfJanuaryOfTheNextYear(string year, string sent, bool late)
    {
        var report = Checks.Run(Header + Row("85", "良好", year: year, reported: sent)).AssertChecked();

        if (late)
        {
            var violation = report.Violations.Single();
            Assert.AreEqual("self_report_date", violation.Field);
            Assert.AreEqual($"<= {int.Parse(year, System.Globalization.CultureInfo.InvariantCulture) + 1}-01-31", violation.Limit);
            Assert.AreEqual("国办发〔2016〕64号 第十条", violation.Citation);
        }
        else
        {
            Assert.IsEmpty(report.Violations);
        }

        Assert.AreEqual($"{year}-12", report.Periods.Single(), "an assessment year files under its December");
    }

    [TestMethod]
    public void SameProvinceTwiceInAYear_IsRejected() =>
        Checks.Run(Header + Row("85", "良好") + Row("70", "合格")).AssertRejected("Row 3, column region", "province 510000 already appears in row 2 for 2016");

    [TestMethod]
    public void ChineseHeaders_WithTheUploaderAsTheSubmitter()
    {
        var report = Checks.Run(
            System.Text.Encoding.UTF8.GetBytes("行政区划代码,考核年度,考核得分,加分,考核等级,是否发生特别重大事故,自评报告报送日期\r\n520000,2016年,85,,优秀,否,2017-01-10\r\n"),
            "assessment.csv",
            new Compliance.Core.Checking.CheckOptions { ExpectedUscc = "11510000MB0T4N7Q2E" }).AssertChecked();

        Assert.AreEqual("safety_assessment", report.Kind);
        var violation = report.Violations.Single();
        Assert.AreEqual("11510000MB0T4N7Q2E", violation.Uscc, "no USCC column: the uploader is the submitter");
        Assert.AreEqual("520000", violation.Region);
    }

    [TestMethod]
    [DataRow("2015", 0)]
    [DataRow("2016", 1)]
    public void AssessmentYearsFrom2016_AreChecked(string year, int expected) =>
        Assert.HasCount(expected, Checks.Run(Header + Row("85", "优秀", year: year, reported: $"{int.Parse(year, System.Globalization.CultureInfo.InvariantCulture) + 1}-01-10")).AssertChecked().Violations);

    private static string Row(string score, string grade, string bonus = "", string accident = "否", string year = "2016", string reported = "2017-01-20") =>
        $"510000,{year},{score},{bonus},{grade},{accident},{reported}\r\n";
}
