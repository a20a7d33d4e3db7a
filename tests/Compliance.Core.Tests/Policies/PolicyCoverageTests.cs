using System.Text.RegularExpressions;

namespace Compliance.Core.Tests.Policies;

/// <summary>docs/policy-coverage.md against the catalog and the seed: no rule missing, none invented, every quote real.</summary>
[TestClass]
public sealed partial class PolicyCoverageTests
{
    private static readonly Lazy<List<CoverageRow>> Rows = new(() => Parse(File.ReadAllLines(Path.Combine(Checks.RepositoryRoot, "docs", "policy-coverage.md"))));

    [TestMethod]
    public void EveryCatalogRule_AppearsInTheTable_AndEveryRuleInTheTableIsInTheCatalog()
    {
        var inTable = Rows.Value.SelectMany(r => r.RuleIds).ToHashSet(StringComparer.Ordinal);
        var inCatalog = Checks.Catalog.Rules.Select(r => r.Id).ToHashSet(StringComparer.Ordinal);

        CollectionAssert.AreEquivalent(inCatalog.Order(StringComparer.Ordinal).ToList(), inTable.Order(StringComparer.Ordinal).ToList());
    }

    [TestMethod]
    public void EverySentence_StandsInTheSeed_AndSaysWhatEnforcesIt()
    {
        var seed = WhiteSpace().Replace(File.ReadAllText(Path.Combine(Checks.RepositoryRoot, "seeds", "000_3c057c8d342fc2f2.txt")), string.Empty);

        Assert.IsGreaterThanOrEqualTo(60, Rows.Value.Count, "the five documents hold dozens of figures");
        foreach (var row in Rows.Value)
        {
            Assert.Contains(WhiteSpace().Replace(row.Sentence.TrimEnd('…'), string.Empty), seed, $"row {row.Number}: not in the seed: {row.Sentence}");
            Assert.IsTrue(row.RuleIds.Count > 0 || row.EnforcedBy.StartsWith("— ", StringComparison.Ordinal) || row.EnforcedBy.StartsWith("reader:", StringComparison.Ordinal), $"row {row.Number}: neither a rule nor a reason: {row.EnforcedBy}");
        }

        foreach (var document in new[] { "国发〔2016〕48号", "国办发〔2016〕63号", "国办发〔2016〕64号", "川办函〔2016〕130号", "绵府办发〔2016〕52号" })
        {
            Assert.IsTrue(Rows.Value.Any(r => r.Document == document), $"{document} has rows");
        }
    }

    [TestMethod]
    public void ParsingFindsRuleIdsOnlyWhereTheTableNamesThem()
    {
        var rows = Parse(["| 1 | 国发〔2016〕48号 | (二十) | 不得超过１２％。 | HF-RATE-CAP (note) |", "| 2 | x | y | z | — a reason, not a RULE-ID |"]);

        CollectionAssert.AreEqual(new[] { "HF-RATE-CAP" }, rows[0].RuleIds.ToArray());
        Assert.IsEmpty(rows[1].RuleIds);
    }

    private static List<CoverageRow> Parse(IEnumerable<string> lines) =>
        [.. lines.Where(l => TableRow().IsMatch(l)).Select(l =>
        {
            var cells = l.Trim().Trim('|').Split('|').Select(c => c.Trim()).ToArray();
            var enforcedBy = cells[4];
            var ids = enforcedBy.StartsWith("— ", StringComparison.Ordinal) ? [] : RuleId().Matches(enforcedBy).Select(m => m.Value).ToList();
            return new CoverageRow(int.Parse(cells[0], System.Globalization.CultureInfo.InvariantCulture), cells[1], cells[2], cells[3], enforcedBy, ids);
        })];

    [GeneratedRegex(@"^\|\s*\d+\s*\|")]
    private static partial Regex TableRow();

    [GeneratedRegex(@"\b[A-Z]+(?:-[A-Z]+)+\b")]
    private static partial Regex RuleId();

    [GeneratedRegex(@"\s+")]
    private static partial Regex WhiteSpace();

    private sealed record CoverageRow(int Number, string Document, string Clause, string Sentence, string EnforcedBy, List<string> RuleIds);
}
