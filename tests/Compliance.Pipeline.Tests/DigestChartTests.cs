using Compliance.Core.Digests;
using Compliance.Core.Filings;
using Compliance.Core.Policies;
using Compliance.Pipeline.Digests;
using SkiaSharp;

namespace Compliance.Pipeline.Tests;

/// <summary>The digest's charts: drawn with the shipped font, Chinese as glyphs, sized for mail, labelled so they read without colour.</summary>
[TestClass]
public sealed class DigestChartTests
{
    private static readonly Period September = Period.Parse("2016-09");
    private static readonly PolicyCatalog Catalog = PolicyCatalog.LoadEmbedded();

    [TestMethod]
    public void Font_IsTheShippedSubset_WhateverTheHostHasInstalled()
    {
        // Not disposed: ScottPlot caches the typeface it hands out and draws every later chart with it.
        var drawn = ScottPlot.Fonts.GetTypeface(ChartFont.Ensure(), bold: false, italic: false);

        Assert.AreEqual(ChartFont.GlyphCount, drawn.GlyphCount, "ScottPlot draws the family with the embedded subset, not a system font");
        Assert.IsLessThan(10_000, ChartFont.GlyphCount, "a subset: the full Noto Sans CJK SC has 65,535 glyphs");
    }

    [TestMethod]
    public void EveryLabel_TheTitleAxesTicksAndTheBarsCounts_IsDrawnWithTheShippedFont()
    {
        var fonts = new List<string>();
        DigestCharts.Drawing = plot =>
        {
            lock (fonts)
            {
                fonts.Add(plot.Axes.Title.Label.FontName);
                foreach (var axis in plot.Axes.GetAxes())
                {
                    fonts.AddRange([axis.Label.FontName, axis.TickLabelStyle.FontName]);
                }

                fonts.AddRange(plot.GetPlottables<ScottPlot.Plottables.BarPlot>().Select(b => b.ValueLabelStyle.FontName));
            }
        };
        try
        {
            _ = DigestCharts.Render(Digest());
        }
        finally
        {
            DigestCharts.Drawing = null;
        }

        Assert.IsGreaterThanOrEqualTo(3 * 6, fonts.Count);
        CollectionAssert.AreEqual(Enumerable.Repeat(ChartFont.Family, fonts.Count).ToList(), fonts, "a label in another font is boxes for Chinese, and nothing at all on a host with no fonts");
    }

    [TestMethod]
    public void Font_HasEveryCharacterOfEveryRegionNameAndRuleTitle()
    {
        var regions = RegionNames.Provinces.Concat(Enumerable.Range(5101, 34).Select(c => $"{c}00")).Select(r => RegionNames.Of(r).Zh);
        var titles = Catalog.Rules.Select(r => r.Title.Zh);

        var missing = regions.Concat(titles).Where(text => !ChartFont.Covers(text)).ToList();

        Assert.IsEmpty(missing, "a name the subset cannot draw: add its characters in Digests/Fonts/subset.sh: " + string.Join(", ", missing));
        Assert.IsFalse(ChartFont.Covers("𪚥"), "and a character outside GB 2312 is known to be missing");
    }

    [TestMethod]
    public void ChineseLabels_AreDrawnAsGlyphs_NotAsBoxes()
    {
        // Two titles of the same length differ only in their characters: drawn as boxes (no glyphs) they would
        // make the same picture.
        var housing = DigestCharts.ByRule(Digest(titles: ("HF-RATE-CAP", "住房公积金缴存比例")));
        var pension = DigestCharts.ByRule(Digest(titles: ("HF-RATE-CAP", "养老保险单位缴费比")));

        CollectionAssert.AreNotEqual(housing.Png, pension.Png);
        StringAssert.Contains(housing.Alt, "住房公积金缴存比例 HF-RATE-CAP 3");
    }

    [TestMethod]
    public void Charts_AreSharpPngsOfTheSizeTheMailShows()
    {
        foreach (var chart in DigestCharts.Render(Digest()))
        {
            using var bitmap = SKBitmap.Decode(chart.Png);

            Assert.IsNotNull(bitmap, chart.Id);
            Assert.AreEqual((DigestCharts.Width, chart.Width), (bitmap.Width / 2, bitmap.Width / 2), $"{chart.Id}: twice the pixels of its CSS width");
            Assert.AreEqual(chart.Height * 2, bitmap.Height, chart.Id);
        }

        CollectionAssert.AreEqual(DigestHtml.ChartIds.ToArray(), DigestCharts.Render(Digest()).Select(c => c.Id).ToArray());
    }

    [TestMethod]
    public void Alt_SaysWhatTheChartSays_RegionsByName_MonthsAndCounts()
    {
        var digest = Digest();

        var region = DigestCharts.ByRegion(digest);
        var trend = DigestCharts.Trend(digest);
        var rule = DigestCharts.ByRule(digest);

        Assert.AreEqual("按地区 Findings by region · 2016-09: 成都市 510100 3, 绵阳市 510700 2", region.Alt, "a province's digest counts its cities");
        Assert.AreEqual("按地区 Findings by region · 2016-09: 绵阳市 510700 1, 510799 1", DigestCharts.ByRegion(Digest("510700")).Alt, "a city's counts its districts; one the workspace has no name for by its code");
        StringAssert.EndsWith(trend.Alt, "2016-04 0, 2016-05 0, 2016-06 0, 2016-07 2, 2016-08 0, 2016-09 5");
        StringAssert.Contains(rule.Alt, "住房公积金缴存比例不得超过12% HF-RATE-CAP 3");
        StringAssert.Contains(rule.Alt, "企业职工基本养老保险单位缴费比例不… PENSION-EMPLOYER-CAP 2", "a long title is cut; the table has it whole");
    }

    [TestMethod]
    public void ATitleTheFontCannotDraw_IsLeftOut_AndTheIdStays()
    {
        var chart = DigestCharts.ByRule(Digest(titles: ("HF-RATE-CAP", "住房𪚥公积金")));

        StringAssert.StartsWith(chart.Alt, "按规则 Findings by rule · 2016-09: HF-RATE-CAP 3");
        Assert.DoesNotContain("𪚥", chart.Alt);
    }

    [TestMethod]
    public void ManyRegions_TheLargestElevenAndOneBarForTheRest()
    {
        var many = Enumerable.Range(0, 20).Select(i => Violation("HF-RATE-CAP", $"5101{i:00}")).ToList();
        var digest = DigestBuilder.ForRegulator(new DigestInput(September, many, [], Earlier(), new Dictionary<string, string>()), "510100");

        var chart = DigestCharts.ByRegion(digest);

        Assert.AreEqual(DigestCharts.MaxBars, chart.Alt.Split(", ").Length);
        StringAssert.EndsWith(chart.Alt, "其他 9 项 Others 9");
        Assert.AreEqual(110 + (44 * DigestCharts.MaxBars), chart.Height);
    }

    [TestMethod]
    public void AMonthWithoutFindings_StillDrawsItsAxes()
    {
        var digest = DigestBuilder.ForRegulator(new DigestInput(September, [], [], Earlier(), new Dictionary<string, string>()), "510000");

        var charts = DigestCharts.Render(digest);

        Assert.AreEqual("按规则 Findings by rule · 2016-09: 无 none", charts[0].Alt);
        Assert.IsTrue(charts.All(c => SKBitmap.DecodeBounds(c.Png).Width == DigestCharts.Width * 2));
    }

    private static RegulatorDigest Digest(params (string Rule, string Title)[] titles) => Digest("510000", titles);

    private static RegulatorDigest Digest(string scope, params (string Rule, string Title)[] titles)
    {
        DigestViolation[] violations =
        [
            Violation("HF-RATE-CAP", "510100"), Violation("HF-RATE-CAP", "510100"), Violation("HF-RATE-CAP", "510700"),
            Violation("PENSION-EMPLOYER-CAP", "510100"), Violation("PENSION-EMPLOYER-CAP", "510799"),
        ];
        var known = Catalog.Rules.ToDictionary(r => r.Id, r => r.Title);
        foreach (var (rule, title) in titles)
        {
            known[rule] = new LocalizedText(title, rule);
        }

        return DigestBuilder.ForRegulator(new DigestInput(September, violations, [], Earlier(), new Dictionary<string, string>()) { RuleTitles = known }, scope);
    }

    // July had two findings in Chengdu; September's come from the violations themselves.
    private static List<DigestCell> Earlier() => [new DigestCell(Period.Parse("2016-07"), "510100", 2, 0)];

    private static DigestViolation Violation(string rule, string region) =>
        new(rule, "91510100MA61XXXX0X", "2016-09", region, 2, "housing_fund_employer_rate", 13m, "<= 12", "国发〔2016〕48号", "open", "payroll.csv", "above the ceiling");
}
