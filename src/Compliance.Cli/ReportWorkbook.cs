using Compliance.Core.Checking;
using Compliance.Core.Templates;
using Compliance.Core.Texts;

namespace Compliance.Cli;

/// <summary>
/// <c>--format xlsx</c>: the check as a workbook an accountant keeps — a summary sheet, then one sheet per file
/// with a line per finding (or, for a rejected file, per problem), the clause quoted and what to do. Headers are
/// Chinese with their English, like every workbook the product writes; the texts follow <c>--lang</c>.
/// </summary>
internal static class ReportWorkbook
{
    /// <summary>The columns of a file's sheet, in order (<see cref="ReportText.FindingCells"/>); a test reads them back by these labels.</summary>
    public static IReadOnlyList<ReportLabel> FindingColumns { get; } =
    [
        ReportLabel.ColRule, ReportLabel.ColMessage, ReportLabel.ColWhoFirst, ReportLabel.ColField, ReportLabel.ColObserved, ReportLabel.ColLimit,
        ReportLabel.ColRows, ReportLabel.ColFirstRows, ReportLabel.ColClause, ReportLabel.ColQuote, ReportLabel.ColRemedy,
    ];

    public static IReadOnlyList<ReportLabel> SummaryColumns { get; } =
    [
        ReportLabel.ColFile, ReportLabel.ColStatus, ReportLabel.ColKind, ReportLabel.ColRowsRead, ReportLabel.ColPeriods, ReportLabel.ColFindings, ReportLabel.ColViolatingRows, ReportLabel.ColMessage,
    ];

    /// <summary>The columns of a rejected file's problems: where, and what is wrong.</summary>
    public static IReadOnlyList<ReportLabel> ProblemColumns { get; } = [ReportLabel.ColRow, ReportLabel.ColColumn, ReportLabel.ColMessage];

    public static void Write(IReadOnlyList<FilingReport> reports, ReportText text, Stream output)
    {
        var sheets = new List<SheetContent>
        {
            new(Both(ReportLabel.SheetSummary), Headers(SummaryColumns), reports.Select(r => Summary(r, text)).ToList()),
        };
        sheets.AddRange(reports.Select(report => report.Status == FilingStatus.Rejected
            ? new SheetContent(Path.GetFileNameWithoutExtension(report.File), Headers(ProblemColumns), Problems(report, text))
            : new SheetContent(Path.GetFileNameWithoutExtension(report.File), Headers(FindingColumns), Findings(report, text))));
        SheetWriter.WriteWorkbook(sheets, output);
    }

    /// <summary>"规则 Rule": the header in Chinese, then English.</summary>
    public static string Both(ReportLabel label) => $"{label.Text(Languages.Chinese)} {label.Text(Languages.English)}";

    private static List<string> Headers(IEnumerable<ReportLabel> labels) => [.. labels.Select(Both)];

    private static object?[] Summary(FilingReport r, ReportText text) =>
    [
        r.File, text.Status(r), text.Kind(r), r.Rows, string.Join(", ", r.Periods), r.Violations.Findings.Count, r.Violations.Count,
        r.Status == FilingStatus.Rejected ? text.Error(r) : r.Violations.Count == 0 ? text[ReportLabel.NoViolations] : string.Empty,
    ];

    private static IEnumerable<object?[]> Findings(FilingReport report, ReportText text)
    {
        var findings = report.Findings;
        if (findings.Count == 0)
        {
            yield return [text[ReportLabel.NoViolations]];
        }

        foreach (var f in findings)
        {
            yield return text.FindingCells(report, f);
        }
    }

    private static IEnumerable<object?[]> Problems(FilingReport report, ReportText text)
    {
        yield return [report.ErrorRow, report.ErrorColumn, text.Error(report)];
        foreach (var error in report.Errors.Skip(1))
        {
            yield return [error.Row, error.Column, error.Text.ToString(text.Culture)];
        }
    }
}
