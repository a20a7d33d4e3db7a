using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Compliance.Core.Filings;
using Compliance.Core.Policies;

namespace Compliance.Core.Tests.Policies;

[TestClass]
public sealed partial class PolicyCatalogTests
{
    private static string CatalogPath => Path.Combine(Checks.RepositoryRoot, "seeds", "policy-catalog.json");

    [TestMethod]
    public void EmbeddedCatalog_HasTheNineRulesOfTheContract()
    {
        var ids = Checks.Catalog.Rules.Select(r => r.Id).ToArray();

        CollectionAssert.AreEquivalent(
            new[] { "HF-RATE-CAP", "UI-TOTAL-RANGE", "UI-EMPLOYEE-CAP", "PENSION-EMPLOYER-CAP", "SURCHARGE-EXEMPT-CHARGED", "SURCHARGE-EXEMPT-INELIGIBLE", "FEE-ABOLISHED", "SOE-DEDUCTION-RANGE", "SAFETY-GRADE" },
            ids);
    }

    [TestMethod]
    public void EmbeddedCatalog_IsTheSeedFile()
    {
        var fromFile = PolicyCatalog.LoadFile(CatalogPath);

        Assert.AreEqual(fromFile.Version, Checks.Catalog.Version);
        CollectionAssert.AreEqual(fromFile.Rules.Select(r => r.Id).ToArray(), Checks.Catalog.Rules.Select(r => r.Id).ToArray());
    }

    [TestMethod]
    public void EveryQuotedSentence_StandsInTheGazette()
    {
        var seed = WhiteSpace().Replace(File.ReadAllText(Path.Combine(Checks.RepositoryRoot, "seeds", "000_3c057c8d342fc2f2.txt")), string.Empty);
        var quotes = Descendants(JsonNode.Parse(File.ReadAllText(CatalogPath))!)
            .OfType<JsonObject>().Where(o => o.ContainsKey("quote")).Select(o => (string)o["quote"]!).ToList();

        Assert.IsGreaterThanOrEqualTo(8, quotes.Count);
        foreach (var quote in quotes)
        {
            Assert.Contains(WhiteSpace().Replace(quote, string.Empty), seed, $"quote not found in the gazette: {quote}");
        }
    }

    [TestMethod]
    public void VersionFor_PicksTheVersionInForceForThePeriod()
    {
        var rule = Checks.Catalog.Rules.Single(r => r.Id == "SURCHARGE-EXEMPT-CHARGED");

        StringAssert.Contains(rule.VersionFor(new Period(2016, 1))!.Summary, "30,000");
        StringAssert.Contains(rule.VersionFor(new Period(2016, 2))!.Summary, "100,000");
        Assert.IsNull(Checks.Catalog.Rules.Single(r => r.Id == "UI-TOTAL-RANGE").VersionFor(new Period(2018, 5)));
    }

    [TestMethod]
    public void UnknownKind_IsRefused() => AssertInvalid(c => Rule(c, "HF-RATE-CAP")["kind"] = "rate-cieling", "unknown kind 'rate-cieling'");

    [TestMethod]
    public void OverlappingWindows_AreRefused() =>
        AssertInvalid(c => Rule(c, "SURCHARGE-EXEMPT-CHARGED")["versions"]![1]!["from"] = "2016-01", "overlap");

    [TestMethod]
    public void MissingCitation_IsRefused() =>
        AssertInvalid(c => Rule(c, "HF-RATE-CAP")["versions"]![0]!.AsObject().Remove("citation"), "missing citation");

    [TestMethod]
    public void EmptyQuote_IsRefused() =>
        AssertInvalid(c => Rule(c, "HF-RATE-CAP")["versions"]![0]!["citation"]!["quote"] = " ", "missing citation");

    [TestMethod]
    public void UnknownField_IsRefused() =>
        AssertInvalid(c => Rule(c, "HF-RATE-CAP")["versions"]![0]!["parameters"]!["components"]![0]!["rate"] = "housing_rate", "'housing_rate' is not a column of payroll filings");

    [TestMethod]
    public void RemedyWithoutEnglish_IsRefused() =>
        AssertInvalid(c => Rule(c, "FEE-ABOLISHED")["remedy"]!.AsObject().Remove("en"), "needs a remedy (what the filer does about a breach) in Chinese and English");

    [TestMethod]
    public void DuplicateRuleId_IsRefused() =>
        AssertInvalid(c => Rule(c, "UI-EMPLOYEE-CAP")["id"] = "HF-RATE-CAP", "appears twice");

    [TestMethod]
    public void BadPeriod_IsRefused() =>
        AssertInvalid(c => Rule(c, "HF-RATE-CAP")["versions"]![0]!["from"] = "May 2016", "'May 2016' is not a period");

    [TestMethod]
    public void NewVersionAddedAsData_IsUsedForItsPeriods()
    {
        var catalog = Modified(c =>
        {
            var versions = Rule(c, "HF-RATE-CAP")["versions"]!.AsArray();
            versions[0]!["to"] = "2019-12";
            var next = versions[0]!.DeepClone();
            next["from"] = "2020-01";
            next["to"] = null;
            next["parameters"]!["max"] = 10;
            versions.Add(next);
        });
        var checker = new Compliance.Core.Checking.FilingChecker(catalog);
        FilingBuilderRun(checker, "2019-12", 0);
        FilingBuilderRun(checker, "2020-01", 2);
    }

    private static void FilingBuilderRun(Compliance.Core.Checking.FilingChecker checker, string period, int expected)
    {
        var csv = Compliance.Testing.FilingBuilder.Payroll(period).Row(("housing_fund_employer_rate", "11")).ToCsv();
        var report = checker.Check(new MemoryStream(Encoding.UTF8.GetBytes(csv)), "p.csv");
        Assert.AreEqual(expected, report.Violations.Count, period);
    }

    private static IEnumerable<JsonNode> Descendants(JsonNode node)
    {
        yield return node;
        var children = node switch
        {
            JsonObject o => o.Select(p => p.Value),
            JsonArray a => a.AsEnumerable(),
            _ => [],
        };
        foreach (var child in children.OfType<JsonNode>().SelectMany(Descendants))
        {
            yield return child;
        }
    }

    private static JsonObject Rule(JsonObject catalog, string id) =>
        catalog["rules"]!.AsArray().Select(r => r!.AsObject()).Single(r => (string)r["id"]! == id);

    private static PolicyCatalog Modified(Action<JsonObject> change)
    {
        var json = JsonNode.Parse(File.ReadAllText(CatalogPath))!.AsObject();
        change(json);
        return PolicyCatalog.Load(new MemoryStream(Encoding.UTF8.GetBytes(json.ToJsonString())), "test");
    }

    private static void AssertInvalid(Action<JsonObject> change, string message)
    {
        var ex = Assert.ThrowsExactly<PolicyCatalogException>(() => Modified(change));
        StringAssert.Contains(ex.Message, message);
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex WhiteSpace();
}
