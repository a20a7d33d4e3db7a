using Compliance.Core.Checking;
using Compliance.Testing;

namespace Compliance.Core.Tests.Checking;

/// <summary>The shared builders start every kind from a valid filing: checked, no violation, no warning, in each format.</summary>
[TestClass]
public sealed class FilingBuilderTests
{
    public static IEnumerable<object[]> Kinds => FilingBuilder.AllKinds.Keys.Select(k => new object[] { k });

    [TestMethod]
    [DynamicData(nameof(Kinds))]
    public void DefaultRows_OfEveryKind_CheckCleanInCsvJsonAndXlsx(string kind)
    {
        var filing = FilingBuilder.AllKinds[kind]().Row().Row();

        foreach (var (format, report) in new[] { ("csv", Checks.Csv(filing)), ("json", Checks.Json(filing)), ("xlsx", Checks.Xlsx(filing.ToXlsx())) })
        {
            Assert.AreEqual(FilingStatus.Checked, report.Status, $"{kind} as {format}: {report.Error}");
            Assert.AreEqual(kind, report.Kind, format);
            Assert.AreEqual(2, report.Rows, format);
            Assert.IsEmpty(report.Findings(), $"{kind} as {format}: {string.Join(", ", report.Findings())}");
            Assert.AreEqual(0, report.WarningCount, $"{kind} as {format}");
        }
    }

    [TestMethod]
    public void EveryKindOfTheSchema_HasABuilder() =>
        CollectionAssert.AreEquivalent(Filings.FilingKindNames.All.Select(k => Filings.FilingKindNames.ToContractName(k)).ToArray(), FilingBuilder.AllKinds.Keys.ToArray());
}
