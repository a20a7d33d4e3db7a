using System.Globalization;
using Compliance.Core.Checking;
using Compliance.Core.Texts;
using Spectre.Console;

namespace Compliance.Cli;

/// <summary>
/// The readable form of the check, in the user's language: per file its status and a table of its findings (a
/// limit broken the same way on many rows is one line, with the row count) or, with <c>--rows</c>, of every
/// violating row; then a summary. Spectre measures CJK characters as two columns, so the tables stay aligned.
/// </summary>
internal static class ReportTable
{
    private const int MaxRowsShown = 200;

    public static void Render(IAnsiConsole console, IReadOnlyList<FilingReport> reports, ReportText text, bool everyRow = false)
    {
        foreach (var report in reports)
        {
            RenderFile(console, report, text, everyRow);
            console.WriteLine();
        }

        if (reports.Count > 1)
        {
            RenderSummary(console, reports, text);
        }

        var summary = text.Summary(reports, out var verdict);
        var colour = verdict switch { ReportLabel.VerdictRejected => "red", ReportLabel.VerdictViolations => "yellow", _ => "green" };
        console.MarkupLine(CultureInfo.InvariantCulture, "{0} — [{1}]{2}[/]", Markup.Escape(summary), colour, Markup.Escape(text[verdict]));
    }

    private static void RenderFile(IAnsiConsole console, FilingReport report, ReportText text, bool everyRow)
    {
        var status = report.Status == FilingStatus.Checked ? $"[green]{Markup.Escape(text.Status(report))}[/]" : $"[red]{Markup.Escape(text.Status(report))}[/]";
        console.MarkupLine(text.Format(
            ReportLabel.FileLine,
            $"[bold]{Markup.Escape(report.File)}[/]",
            status,
            Markup.Escape(text.Kind(report)),
            report.Rows.ToString(CultureInfo.InvariantCulture),
            Markup.Escape(string.Join(", ", report.Periods))));

        if (report.Status == FilingStatus.Rejected)
        {
            console.MarkupLine("  [red]{0}[/]", Markup.Escape(text.Error(report)));
            foreach (var error in report.Errors.Skip(1).Take(MaxRowsShown))
            {
                console.MarkupLine("  [red]-[/] {0}", Markup.Escape(error.Text.ToString(text.Culture)));
            }

            return;
        }

        if (report.Violations.Count == 0)
        {
            console.MarkupLine("  [green]{0}[/]", Markup.Escape(text[ReportLabel.NoViolations]));
        }
        else if (!everyRow)
        {
            RenderFindings(console, report, text);
        }
        else
        {
            var table = new Table().Border(TableBorder.Rounded).AddColumns(
                text[ReportLabel.ColRow], text[ReportLabel.ColRule], text[ReportLabel.ColWho], text[ReportLabel.ColField], text[ReportLabel.ColObserved], text[ReportLabel.ColLimit], text[ReportLabel.ColClause]);
            foreach (var v in report.Violations.Take(MaxRowsShown))
            {
                table.AddRow(
                    v.Row.ToString(CultureInfo.InvariantCulture),
                    Markup.Escape(v.Rule),
                    Markup.Escape(text.Who(report, v.EmployeeId, v.Item, v.Region, v.Uscc)),
                    Markup.Escape(text.Field(report, v.Field)),
                    v.Observed.ToString("0.####", CultureInfo.InvariantCulture),
                    Markup.Escape(v.Limit),
                    Markup.Escape(v.Citation));
            }

            console.Write(table);
            if (report.Violations.Count > MaxRowsShown)
            {
                console.MarkupLine("  {0}", Markup.Escape(text.Format(ReportLabel.MoreRows, report.Violations.Count - MaxRowsShown)));
            }
        }

        var idle = text.Idle(report);
        if (idle.Count > 0)
        {
            console.MarkupLine("  [grey]{0}[/]", Markup.Escape(text.Format(ReportLabel.NotApplied, string.Join("; ", idle))));
        }

        if (report.WarningCount > 0)
        {
            console.MarkupLine("  [yellow]{0}[/]", Markup.Escape(text.Format(ReportLabel.Warnings, report.WarningCount)));
            foreach (var warning in report.Warnings.Take(20))
            {
                console.MarkupLine("  [yellow]-[/] {0}", Markup.Escape(warning.Text.ToString(text.Culture)));
            }
        }
    }

    /// <summary>One line per file, for a folder's worth: what was checked, what was turned away, where the findings are.</summary>
    private static void RenderSummary(IAnsiConsole console, IReadOnlyList<FilingReport> reports, ReportText text)
    {
        var table = new Table().Border(TableBorder.Rounded).AddColumns(
            text[ReportLabel.ColFile], text[ReportLabel.ColStatus], text[ReportLabel.ColKind], text[ReportLabel.ColRowsRead], text[ReportLabel.ColFindings], text[ReportLabel.ColViolatingRows]);
        foreach (var column in table.Columns.Skip(3))
        {
            column.RightAligned();
        }

        foreach (var report in reports)
        {
            var colour = report.Status == FilingStatus.Rejected ? "red" : report.Violations.Count > 0 ? "yellow" : "green";
            table.AddRow(
                Markup.Escape(report.File),
                $"[{colour}]{Markup.Escape(text.Status(report))}[/]",
                Markup.Escape(text.Kind(report)),
                report.Rows.ToString("N0", CultureInfo.InvariantCulture),
                report.Violations.Findings.Count.ToString("N0", CultureInfo.InvariantCulture),
                report.Violations.Count.ToString("N0", CultureInfo.InvariantCulture));
        }

        console.Write(table);
    }

    private static void RenderFindings(IAnsiConsole console, FilingReport report, ReportText text)
    {
        var findings = report.Findings;
        var table = new Table().Border(TableBorder.Rounded).AddColumns(
            text[ReportLabel.ColRows], text[ReportLabel.ColRule], text[ReportLabel.ColWhoFirst], text[ReportLabel.ColField], text[ReportLabel.ColObserved], text[ReportLabel.ColLimit], text[ReportLabel.ColFirstRows], text[ReportLabel.ColClause]);
        foreach (var f in findings.Take(MaxRowsShown))
        {
            table.AddRow(
                f.RowCount.ToString("N0", CultureInfo.InvariantCulture),
                $"[bold]{Markup.Escape(f.Rule)}[/]\n{Markup.Escape(text.RuleTitle(f.Rule))}",
                Markup.Escape(text.Who(report, f.EmployeeId, f.Item, f.Region, f.Uscc) + (f.RowCount > 1 ? ", …" : string.Empty)),
                Markup.Escape(text.Field(report, f.Field)),
                Markup.Escape(ReportText.Observed(f)),
                Markup.Escape(f.Limit),
                Markup.Escape(string.Join(", ", f.FirstRows) + (f.RowCount > f.FirstRows.Count ? ", …" : string.Empty)),
                Markup.Escape(f.Citation));
        }

        console.Write(table);
        console.MarkupLine("  {0}", Markup.Escape(text.Format(ReportLabel.FindingsLine, findings.Count, report.Violations.Count)));
        if (findings.Count > MaxRowsShown)
        {
            console.MarkupLine("  {0}", Markup.Escape(text.Format(ReportLabel.MoreFindings, findings.Count - MaxRowsShown)));
        }
    }
}
