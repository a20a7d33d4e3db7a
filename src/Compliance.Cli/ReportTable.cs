using System.Globalization;
using Compliance.Core.Checking;
using Spectre.Console;

namespace Compliance.Cli;

/// <summary>The readable form of the check: per file its status and a table of violations, then a summary.</summary>
internal static class ReportTable
{
    private const int MaxRowsShown = 200;

    public static void Render(IAnsiConsole console, IReadOnlyList<FilingReport> reports)
    {
        foreach (var report in reports)
        {
            RenderFile(console, report);
            console.WriteLine();
        }

        var rejected = reports.Count(r => r.Status == FilingStatus.Rejected);
        var violations = reports.Sum(r => r.Violations.Count);
        var verdict = rejected > 0 ? "[red]fix the rejected files and check again[/]"
            : violations > 0 ? "[yellow]violations found[/]"
            : "[green]no violations[/]";
        console.MarkupLine(CultureInfo.InvariantCulture, "{0} file(s): {1} checked, {2} rejected, {3} violation(s) — {4}",
            reports.Count, reports.Count - rejected, rejected, violations, verdict);
    }

    private static void RenderFile(IAnsiConsole console, FilingReport report)
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
}
