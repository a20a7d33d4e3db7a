using System.Text;
using Compliance.Core.Checking;
using Compliance.Core.Policies;
using Compliance.Testing;

namespace Compliance.Core.Tests;

/// <summary>Runs the real checker with the shipped catalog over in-memory files.</summary>
internal static class Checks
{
    public static PolicyCatalog Catalog { get; } = PolicyCatalog.LoadEmbedded();

    public static FilingReport Run(byte[] content, string fileName, CheckOptions? options = null) =>
        new FilingChecker(Catalog).Check(new MemoryStream(content), fileName, options);

    public static FilingReport Run(string content, string fileName = "filing.csv") => Run(Encoding.UTF8.GetBytes(content), fileName);

    public static FilingReport Csv(FilingBuilder filing) => Run(filing.ToCsv());

    public static FilingReport Json(FilingBuilder filing, params string[] header) => Run(filing.ToJson(header), "filing.json");

    public static FilingReport Xlsx(XlsxBuilder workbook) => Run(workbook.Build(), "filing.xlsx");

    /// <summary>"RULE@row:field" for each violation: compact and exact to compare.</summary>
    public static string[] Findings(this FilingReport report) =>
        [.. report.Violations.Select(v => $"{v.Rule}@{v.Row}:{v.Field}")];

    public static FilingReport AssertChecked(this FilingReport report)
    {
        Assert.AreEqual(FilingStatus.Checked, report.Status, report.Error);
        return report;
    }

    public static FilingReport AssertRejected(this FilingReport report, params string[] fragments)
    {
        Assert.AreEqual(FilingStatus.Rejected, report.Status, "expected the file to be rejected");
        foreach (var fragment in fragments)
        {
            StringAssert.Contains(report.Error, fragment);
        }

        return report;
    }

    public static RuleCoverage Coverage(this FilingReport report, string rule) => report.Rules.Single(r => r.Rule == rule);

    /// <summary>The repository root, found from the test binaries, for the seed files.</summary>
    public static string RepositoryRoot => Compliance.Testing.Repository.Root;
}
