using Compliance.Core.Digests;
using Compliance.Core.Filings;

namespace Compliance.Core.Tests.Digests;

[TestClass]
public sealed class DigestTests
{
    private const string Chengdu = "91510100A4C12H3B1Y";
    private const string Deyang = "91510600G612DD2721";
    private const string Guiyang = "91520100MA6CUB2L8Y";

    private static readonly Period June = new(2016, 6);

    [TestMethod]
    [DataRow("510000", "510104", true)]
    [DataRow("510000", "520100", false)]
    [DataRow("510100", "510104", true)]
    [DataRow("510100", "510600", false)]
    [DataRow("510104", "510104", true)]
    [DataRow("510104", "510105", false)]
    [DataRow("000000", "520100", true)]
    public void RegulatorSeesItsRegionAndWhatIsUnderIt(string regulator, string region, bool covered) =>
        Assert.AreEqual(covered, DigestBuilder.Covers(regulator, region));

    [TestMethod]
    public void RegulatorDigest_CountsOnlyItsRegion()
    {
        var digest = DigestBuilder.ForRegulator(Input(), "510000");

        Assert.AreEqual(4, digest.Total);
        CollectionAssert.AreEqual(new[] { "HF-RATE-CAP:2", "PENSION-EMPLOYER-CAP:1", "UI-EMPLOYEE-CAP:1" }, digest.ByRule.Select(c => $"{c.Key}:{c.Count}").ToArray());
        Assert.AreEqual("国发〔2016〕48号 (二十)", digest.ByRule[0].Citation);
        CollectionAssert.AreEqual(new[] { "510100:3", "510600:1" }, digest.ByRegion.Select(c => $"{c.Key}:{c.Count}").ToArray());
        Assert.IsFalse(digest.Violations.Any(v => v.Uscc == Guiyang), "Guizhou is not Sichuan's");
    }

    [TestMethod]
    public void RegulatorDigest_CountsFindingsAndTheRowsAndEmployeesTheyCover()
    {
        var systemic = Input().Violations[0] with { Rows = 50_000, Employees = 50_000 };
        var input = Input() with { Violations = [systemic, .. Input().Violations.Skip(1)] };

        var digest = DigestBuilder.ForRegulator(input, "510000");
        var html = DigestHtml.Render(digest, _ => null);

        Assert.AreEqual(4, digest.Total, "a rate applied to 50,000 staff is one finding");
        Assert.AreEqual((50_003, 50_000), (digest.ViolatingRows, digest.AffectedEmployees));
        StringAssert.Contains(html, "违规事项 4 项，涉及 50003 行、50000 名职工");
        StringAssert.Contains(DigestCsv.Render(digest), ",50000,50000\r\n");
        StringAssert.Contains(DigestJson.Render(digest), "\"affected_employees\": 50000");
    }

    [TestMethod]
    public void NewRecurringResolvedAndBacklog_ComparedWithTheMonthBefore()
    {
        var digest = DigestBuilder.ForRegulator(Input(), "510000");

        // May had Chengdu HF-RATE-CAP (recurs twice in June) and Deyang FEE-ABOLISHED (gone in June).
        Assert.AreEqual(2, digest.Recurring);
        Assert.AreEqual(2, digest.New);
        Assert.AreEqual(1, digest.Resolved);
        Assert.AreEqual(1, digest.OpenBacklog, "Deyang's May finding; Guiyang's is Guizhou's, Chengdu's of June 2015 is older than eleven months");
        CollectionAssert.AreEqual(new[] { 0, 0, 0, 0, 2, 4 }, digest.Trend.Select(t => t.Count).ToArray(), "earlier months from the counts, June its own findings");
        Assert.AreEqual(2, digest.PreviousTotal);
        Assert.AreEqual(100m, digest.ChangePercent);
    }

    [TestMethod]
    public void FilingsReceived_CountByTheRegionsTheirRowsName_OrTheSubmittersAuthority()
    {
        var input = Input() with
        {
            Filings =
            [
                new DigestFiling(Chengdu, Checked: true, ["510100"]),
                new DigestFiling(Chengdu, Checked: false, []),
                new DigestFiling(Guiyang, Checked: true, ["520100"]),
                new DigestFiling(Deyang, Checked: true, ["510600", "520100"]),
            ],
        };

        var sichuan = DigestBuilder.ForRegulator(input, "510000");
        var guizhou = DigestBuilder.ForRegulator(input, "520000");

        Assert.AreEqual((3, 2, 1), (sichuan.FilingsReceived, sichuan.FilingsChecked, sichuan.FilingsRejected), "the unreadable one counts under its submitter's authority, 510100");
        Assert.AreEqual((2, 2, 0), (guizhou.FilingsReceived, guizhou.FilingsChecked, guizhou.FilingsRejected));
    }

    [TestMethod]
    public void EnterpriseDigests_OnePerEnterpriseWithViolations()
    {
        var digests = DigestBuilder.ForEnterprises(Input());

        CollectionAssert.AreEqual(new[] { Chengdu, Deyang, Guiyang }, digests.Select(d => d.Uscc).ToArray());
        Assert.HasCount(3, digests[0].Violations);
        Assert.AreEqual("<script>alert('x')</script> 有限公司", digests[0].Name);
    }

    [TestMethod]
    public void DecemberToJanuary_CrossesTheYear()
    {
        var january = new Period(2017, 1);

        Assert.AreEqual(new Period(2016, 12), DigestBuilder.Previous(january));
        CollectionAssert.AreEqual(
            new[] { "2016-08", "2016-09", "2016-10", "2016-11", "2016-12", "2017-01" },
            DigestBuilder.TrendMonths(january).Select(p => p.ToString()).ToArray());
    }

    [TestMethod]
    public void Html_EscapesEverythingThatCameFromAFilingOrARecipientList()
    {
        var digest = DigestBuilder.ForRegulator(Input(), "510000");

        var html = DigestHtml.Render(digest, id => new ChartImage($"cid:{id}", $"<b>{id}</b>", 640, 300));
        var enterprise = DigestHtml.Render(DigestBuilder.ForEnterprises(Input())[0]);

        foreach (var page in new[] { html, enterprise })
        {
            Assert.DoesNotContain("<script", page);
            StringAssert.Contains(page, "&lt;script&gt;alert(", "the name is shown, encoded");
            StringAssert.Contains(page, "&lt;/script&gt; 有限公司", "and Chinese stays readable");
        }

        StringAssert.Contains(html, "src=\"cid:by-rule\"");
        StringAssert.Contains(html, "src=\"cid:by-region\"");
        StringAssert.Contains(html, "src=\"cid:trend\"");
        StringAssert.Contains(html, "alt=\"&lt;b&gt;trend&lt;/b&gt;\" width=\"640\" height=\"300\"", "the chart's words are encoded like the rest");
        StringAssert.Contains(html, "国发〔2016〕48号 (二十)");
        StringAssert.Contains(enterprise, "housing_fund_employer_rate is 13%");
    }

    [TestMethod]
    public void Html_ListsTheFirstRowsOfABusyMonth_TotalsCoverAll()
    {
        var many = Enumerable.Range(0, 600).Select(i => Input().Violations[0] with { Row = i + 2 }).ToList();
        var digest = DigestBuilder.ForRegulator(Input() with { Violations = many }, "510000");

        var html = DigestHtml.Render(digest, _ => null);

        StringAssert.Contains(html, "600 violations detected");
        StringAssert.Contains(html, "The first 500 of 600 violations are listed");
        Assert.AreEqual(500, html.Split("payroll.csv, row ").Length - 1);
        Assert.AreEqual(601, DigestCsv.Render(digest).Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Length, "the CSV has them all");
    }

    [TestMethod]
    [DataRow("=HYPERLINK(\"http://x\")", "\"'=HYPERLINK(\"\"http://x\"\")\"")]
    [DataRow("+86 28", "'+86 28")]
    [DataRow("-1", "'-1")]
    [DataRow("@SUM(A1)", "'@SUM(A1)")]
    [DataRow("\tcmd", "'\tcmd")]
    [DataRow("\rcmd", "\"'\rcmd\"")]
    [DataRow("plain", "plain")]
    [DataRow("a,b", "\"a,b\"")]
    public void CsvCells_ThatASpreadsheetWouldRun_AreNeutralised(string value, string cell) =>
        Assert.AreEqual(cell, DigestCsv.Cell(value));

    [TestMethod]
    public void Csv_HasOneRowPerViolationWithNeutralisedNames()
    {
        var names = new Dictionary<string, string> { [Chengdu] = "=cmd|' /C calc'!A0" };
        var digest = DigestBuilder.ForRegulator(Input() with { EnterpriseNames = names }, "510000");

        var lines = DigestCsv.Render(digest).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);

        Assert.HasCount(5, lines);
        StringAssert.StartsWith(lines[1], $"{Chengdu},'=cmd|' /C calc'!A0,510100,2016-06,");
    }

    [TestMethod]
    public void Json_CarriesTheCountsAndTheViolations()
    {
        using var json = System.Text.Json.JsonDocument.Parse(DigestJson.Render(DigestBuilder.ForRegulator(Input(), "510000")));

        Assert.AreEqual(4, json.RootElement.GetProperty("total").GetInt32());
        Assert.AreEqual(4, json.RootElement.GetProperty("violations").GetArrayLength());
        Assert.AreEqual(6, json.RootElement.GetProperty("trend").GetArrayLength());
    }

    private static DigestInput Input()
    {
        DigestViolation V(string uscc, string region, string rule, int row, string period = "2016-06", string status = "open") =>
            new(rule, uscc, period, region, row, "housing_fund_employer_rate", 13m, "<= 12",
                rule == "HF-RATE-CAP" ? "国发〔2016〕48号 (二十)" : "国发〔2016〕48号 (十九)", status, $"{uscc}/payroll.csv",
                "housing_fund_employer_rate is 13%, above the 12% ceiling.");

        return new DigestInput(
            June,
            [V(Chengdu, "510100", "HF-RATE-CAP", 2), V(Chengdu, "510100", "HF-RATE-CAP", 3), V(Chengdu, "510100", "PENSION-EMPLOYER-CAP", 4), V(Deyang, "510600", "UI-EMPLOYEE-CAP", 2), V(Guiyang, "520100", "HF-RATE-CAP", 2)],
            [V(Chengdu, "510100", "HF-RATE-CAP", 2, "2016-05"), V(Deyang, "510600", "FEE-ABOLISHED", 3, "2016-05")],
            [
                // May: Chengdu's finding confirmed and corrected since, Deyang's still open; April: Guiyang's open;
                // a year before: Chengdu's, outside the backlog's eleven months.
                new DigestCell(Period.Parse("2016-05"), "510100", 1, 0), new DigestCell(Period.Parse("2016-05"), "510600", 1, 1),
                new DigestCell(Period.Parse("2016-04"), "520100", 1, 1), new DigestCell(Period.Parse("2015-06"), "510100", 5, 5),
            ],
            new Dictionary<string, string> { [Chengdu] = "<script>alert('x')</script> 有限公司" });
    }
}
