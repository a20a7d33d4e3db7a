using System.Globalization;
using Compliance.Core.Checking;
using Compliance.Core.Filings;
using Compliance.Core.Policies;
using Compliance.Core.Rules;
using Compliance.Core.Texts;

namespace Compliance.Cli;

/// <summary>
/// What the readable reports (terminal table, workbook, printable page) say about a report, in one language:
/// the same words for the same things in all three. Texts come from the labels and messages of Core and the
/// catalog's rule titles; the JSON report is not touched (its contract fields stay English).
/// </summary>
internal sealed class ReportText(CultureInfo culture, PolicyCatalog catalog)
{
    public CultureInfo Culture { get; } = Languages.Of(culture);

    public bool IsChinese => Languages.IsChinese(Culture);

    public string this[ReportLabel label] => label.Text(Culture);

    public string Format(ReportLabel label, params object[] args) => label.Text(Culture, args);

    public string Status(FilingReport report) => this[report.Status == FilingStatus.Checked ? ReportLabel.StatusChecked : ReportLabel.StatusRejected];

    /// <summary>The kind as the filer knows it: 社保公积金缴费明细 in Chinese, the contract's name in English.</summary>
    public string Kind(FilingReport report) =>
        FilingKindNames.TryParse(report.Kind, out var kind) ? FilingSchema.For(kind).Name.Pick(Culture) : report.Kind ?? "?";

    /// <summary>
    /// A column by the name the filer's header most likely used: the Chinese one in Chinese. A limit on a sum
    /// names its columns joined by '+', each translated.
    /// </summary>
    public string Field(FilingReport report, string field) =>
        IsChinese && FilingKindNames.TryParse(report.Kind, out var kind)
            ? string.Join('+', field.Split('+').Select(part => FilingSchema.For(kind).Find(part)?.ChineseName ?? part))
            : field;

    /// <summary>What the rule asks, from the catalog (the rule's id when the catalog does not know it).</summary>
    public string RuleTitle(string rule) => catalog.Find(rule)?.Title.Pick(Culture) ?? rule;

    /// <summary>
    /// The words of the clause a finding cites, from the catalog version in force for its period; empty where the
    /// finding cites a part of the rule with a citation of its own (an abolished fee, a grading band).
    /// </summary>
    public string Quote(Finding finding) =>
        Period.TryParse(finding.Period, out var period) && catalog.Find(finding.Rule)?.VersionFor(period.Value) is { } version && version.Citation.ToString() == finding.Citation
            ? version.Citation.Quote
            : string.Empty;

    public string Remedy(string rule) => catalog.Find(rule)?.Remedy.Pick(Culture) ?? string.Empty;

    public string Error(FilingReport report) => report.ErrorText?.ToString(Culture) ?? report.Error ?? this[ReportLabel.StatusRejected];

    public string Who(FilingReport report, string? employee, string? item, string region, string uscc) =>
        employee ?? item ?? (report.Kind == FilingKind.SafetyAssessment.ToContractName() ? region : uscc);

    public static string Observed(Finding finding) =>
        finding.ObservedMin == finding.ObservedMax ? Finding.Number(finding.ObservedMin) : $"{Finding.Number(finding.ObservedMin)}–{Finding.Number(finding.ObservedMax)}";

    /// <summary>
    /// A finding as the workbook and the page list it, one cell per column of <c>ReportWorkbook.FindingColumns</c>
    /// and in that order: text, or the row count as a number.
    /// </summary>
    public object[] FindingCells(FilingReport report, Finding f) =>
    [
        f.Rule, RuleTitle(f.Rule), Who(report, f.EmployeeId, f.Item, f.Region, f.Uscc), Field(report, f.Field), Observed(f), f.Limit,
        f.RowCount, string.Join(", ", f.FirstRows), f.Citation, Quote(f), Remedy(f.Rule),
    ];

    /// <summary>The rules that checked no row, and why: out of force for the periods, or their columns absent.</summary>
    public IReadOnlyList<string> Idle(FilingReport report) =>
        [.. report.Rules.Where(r => r.Checked == 0).Select(r => Format(r.NotInForce > 0 && r.NotApplicable == 0 ? ReportLabel.NotInForce : ReportLabel.ColumnsAbsent, r.Rule))];

    public string Summary(IReadOnlyList<FilingReport> reports, out ReportLabel verdict)
    {
        var rejected = reports.Count(r => r.Status == FilingStatus.Rejected);
        var violations = reports.Sum(r => r.Violations.Count);
        verdict = rejected > 0 ? ReportLabel.VerdictRejected : violations > 0 ? ReportLabel.VerdictViolations : ReportLabel.VerdictClean;
        return Format(ReportLabel.Summary, reports.Count, reports.Count - rejected, rejected, reports.Sum(r => r.Violations.Findings.Count), violations);
    }
}
