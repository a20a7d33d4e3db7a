using System.Globalization;
using Compliance.Core.Checking;
using Compliance.Core.Rules;
using Spectre.Console;

namespace Compliance.Cli;

/// <summary>
/// The readable form of the check: per file its status and a table of its findings (a limit broken the same way
/// on many rows is one line, with the row count) or, with <c>--rows</c>, of every violating row; then a summary.
/// </summary>
internal static class ReportTable
{
    private const int MaxRowsShown = 200;

    public static void Render(IAnsiConsole console, IReadOnlyList<FilingReport> reports, bool everyRow = false)
    {
        foreach (var report in reports)
        {
            RenderFile(console, report, everyRow);
            console.WriteLine();
        }

        var rejected = reports.Count(r => r.Status == FilingStatus.Rejected);
        var violations = reports.Sum(r => r.Violations.Count);
        var findings = reports.Sum(r => r.Violations.Findings.Count);
        var verdict = rejected > 0 ? "[red]fix the rejected files and check again[/]"
            : violations > 0 ? "[yellow]violations found[/]"
            : "[green]no violations[/]";
        console.MarkupLine(CultureInfo.InvariantCulture, "{0} file(s): {1} checked, {2} rejected, {3} finding(s) over {4} violating row(s) — {5}",
            reports.Count, reports.Count - rejected, rejected, findings, violations, verdict);
    }

    private static void RenderFile(IAnsiConsole console, FilingReport report, bool everyRow)
    {
        var status = report.Status == FilingStatus.Checked ? "[green]checked[/]" : "[red]rejected[/]";
        console.MarkupLine(CultureInfo.InvariantCulture, "[bold]{0}[/]  {1}  kind: {2}  rows: {3}  periods: {4}",
            Markup.Escape(report.File), status, Markup.Escape(report.Kind ?? "?"), report.Rows, Markup.Escape(string.Join(", ", report.Periods)));

        if (report.Status == FilingStatus.Rejected)
        {
            console.MarkupLine("  [red]{0}[/]", Markup.Escape(report.Error ?? FilingStatus.Rejected.ToContractName()));
            foreach (var error in report.Errors.Skip(1).Take(MaxRowsShown))
            {
                console.MarkupLine("  [red]-[/] {0}", Markup.Escape(error.Message));
            }

            return;
        }

        if (report.Violations.Count == 0)
        {
            console.MarkupLine("  [green]No violations.[/]");
        }
        else if (!everyRow)
        {
            RenderFindings(console, report);
        }
        else
        {
            var table = new Table().Border(TableBorder.Rounded)
                .AddColumns("Row", "Rule", "Who / item", "Field", "Observed", "Limit", "Clause");
            foreach (var v in report.Violations.Take(MaxRowsShown))
            {
                table.AddRow(
                    v.Row.ToString(CultureInfo.InvariantCulture),
                    Markup.Escape(v.Rule),
                    Markup.Escape(v.EmployeeId ?? v.Item ?? (report.Kind == "safety_assessment" ? v.Region : v.Uscc)),
                    Markup.Escape(v.Field),
                    v.Observed.ToString("0.####", CultureInfo.InvariantCulture),
                    Markup.Escape(v.Limit),
                    Markup.Escape(v.Citation));
            }

            console.Write(table);
            if (report.Violations.Count > MaxRowsShown)
            {
                console.MarkupLine(CultureInfo.InvariantCulture, "  … and {0} more; use --format json for all of them.", report.Violations.Count - MaxRowsShown);
            }
        }

        var idle = report.Rules.Where(r => r.Checked == 0).Select(r => r.NotInForce > 0 && r.NotApplicable == 0 ? $"{r.Rule} (not in force for these periods)" : $"{r.Rule} (columns not in this file)").ToList();
        if (idle.Count > 0)
        {
            console.MarkupLine("  [grey]Not applied: {0}[/]", Markup.Escape(string.Join("; ", idle)));
        }

        if (report.WarningCount > 0)
        {
            console.MarkupLine(CultureInfo.InvariantCulture, "  [yellow]{0} warning(s):[/]", report.WarningCount);
            foreach (var warning in report.Warnings.Take(20))
            {
                console.MarkupLine("  [yellow]-[/] {0}", Markup.Escape(warning.Message));
            }
        }
    }

    private static void RenderFindings(IAnsiConsole console, FilingReport report)
    {
        var findings = report.Findings;
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumns("Rows", "Rule", "Who / item (first)", "Field", "Observed", "Limit", "First rows", "Clause");
        foreach (var f in findings.Take(MaxRowsShown))
        {
            table.AddRow(
                f.RowCount.ToString("N0", CultureInfo.InvariantCulture),
                Markup.Escape(f.Rule),
                Markup.Escape((f.EmployeeId ?? f.Item ?? (report.Kind == "safety_assessment" ? f.Region : f.Uscc)) + (f.RowCount > 1 ? ", …" : string.Empty)),
                Markup.Escape(f.Field),
                Markup.Escape(f.ObservedMin == f.ObservedMax ? Finding.Number(f.ObservedMin) : $"{Finding.Number(f.ObservedMin)}–{Finding.Number(f.ObservedMax)}"),
                Markup.Escape(f.Limit),
                Markup.Escape(string.Join(", ", f.FirstRows) + (f.RowCount > f.FirstRows.Count ? ", …" : string.Empty)),
                Markup.Escape(f.Citation));
        }

        console.Write(table);
        console.MarkupLine(CultureInfo.InvariantCulture, "  {0} finding(s) over {1} violating row(s); --rows lists every row.", findings.Count, report.Violations.Count);
        if (findings.Count > MaxRowsShown)
        {
            console.MarkupLine(CultureInfo.InvariantCulture, "  … and {0} more findings; use --format json for all of them.", findings.Count - MaxRowsShown);
        }
    }
}
