using System.Text.Json;

namespace Compliance.Cli.Tests;

[TestClass]
public sealed class PoliciesCommandTests
{
    private static readonly string[] RuleIds = ["HF-RATE-CAP", "UI-TOTAL-RANGE", "UI-EMPLOYEE-CAP", "PENSION-EMPLOYER-CAP", "SURCHARGE-EXEMPT-CHARGED", "SURCHARGE-EXEMPT-INELIGIBLE", "FEE-ABOLISHED", "SOE-DEDUCTION-RANGE", "SAFETY-GRADE"];

    [TestMethod]
    public async Task Table_ShowsAllNineRulesWithTheirClauses()
    {
        var (exit, output, _) = await Cli.RunAsync("policies");

        Assert.AreEqual(0, exit);
        foreach (var id in RuleIds)
        {
            StringAssert.Contains(output, id);
        }

        StringAssert.Contains(output, "国发〔2016〕48号 (二十)");
        StringAssert.Contains(output, "国发〔2016〕48号 (十九)");
        StringAssert.Contains(output, "2016-05 to 2018-04");
        StringAssert.Contains(output, "国办发〔2016〕63号");
        StringAssert.Contains(output, "国办发〔2016〕64号");
    }

    [TestMethod]
    public async Task Json_ListsWindowsAndCitations()
    {
        var (exit, output, _) = await Cli.RunAsync("policies", "--format", "json");

        Assert.AreEqual(0, exit);
        var rules = JsonDocument.Parse(output).RootElement.GetProperty("rules").EnumerateArray().ToList();
        CollectionAssert.AreEquivalent(RuleIds, rules.Select(r => r.GetProperty("id").GetString()).ToArray());
        var surcharge = rules.Single(r => r.GetProperty("id").GetString() == "SURCHARGE-EXEMPT-CHARGED").GetProperty("versions");
        Assert.AreEqual(2, surcharge.GetArrayLength());
        Assert.AreEqual("2016-02", surcharge[1].GetProperty("from").GetString());
        StringAssert.Contains(surcharge[1].GetProperty("citation").GetProperty("note").GetString(), "财税〔2016〕12号");
    }

    [TestMethod]
    public async Task CatalogOption_ReplacesTheEmbeddedCatalog()
    {
        using var temp = new TempFolder();
        var json = await File.ReadAllTextAsync(Path.Combine(Cli.RepositoryRoot, "seeds", "policy-catalog.json"));
        var path = temp.Write("catalog.json", json.Replace("\"catalogVersion\": \"2016.2\"", "\"catalogVersion\": \"test-9\"", StringComparison.Ordinal));

        var (_, output, _) = await Cli.RunAsync("policies", "--catalog", path, "--format", "json");

        Assert.AreEqual("test-9", JsonDocument.Parse(output).RootElement.GetProperty("catalog_version").GetString());
    }
}
