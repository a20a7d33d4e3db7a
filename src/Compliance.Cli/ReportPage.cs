using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;
using Compliance.Core.Checking;
using Compliance.Core.Texts;

namespace Compliance.Cli;

/// <summary>
/// <c>--format html</c>: the check as one printable page, self-contained, under a CSP that allows nothing but its
/// own style sheet (Templates/report.css). Built as an <see cref="XElement"/> tree, which encodes every text it
/// is given, so a file name or a cell can never become markup; not with Fluid as the digest is, because Fluid
/// reads its model by reflection, which the trimmed single file would break (it fails the trimmed publish).
/// </summary>
internal static class ReportPage
{
    private static readonly string Style = Resource("report.css").Trim();

    public static void Write(IReadOnlyList<FilingReport> reports, ReportText text, DateTimeOffset checkedAt, Stream output)
    {
        var summary = text.Summary(reports, out var verdict);
        var catalog = reports.Select(r => r.CatalogVersion).FirstOrDefault(v => v is not null) ?? string.Empty;
        var hash = "sha256-" + Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(Style)));
        var html = new XElement(
            "html",
            new XAttribute("lang", text.IsChinese ? "zh-CN" : "en"),
            new XElement(
                "head",
                new XElement("meta", new XAttribute("charset", "utf-8")),
                new XElement("meta", new XAttribute("name", "viewport"), new XAttribute("content", "width=device-width, initial-scale=1")),
                new XElement("meta", new XAttribute("http-equiv", "Content-Security-Policy"), new XAttribute("content", $"default-src 'none'; style-src '{hash}'")),
                new XElement("title", text[ReportLabel.ReportTitle]),
                new XElement("style", Style)),
            new XElement(
                "body",
                new XElement(
                    "main",
                    new XElement("h1", text[ReportLabel.ReportTitle]),
                    new XElement("p", text.Format(ReportLabel.ReportIntro, checkedAt.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture), catalog)),
                    new XElement("p", Class("verdict " + Tone(verdict)), new XElement("strong", summary), " — " + text[verdict]),
                    reports.Select(report => Section(report, text)))));

        using var writer = new StreamWriter(output, new UTF8Encoding(false), 1 << 16, leaveOpen: true);
        writer.Write("<!DOCTYPE html>\n");
        writer.Write(html.ToString(SaveOptions.DisableFormatting));
    }

    private static XElement Section(FilingReport report, ReportText text)
    {
        var rejected = report.Status == FilingStatus.Rejected;
        // The workbook's columns; what to do is left to the workbook, where there is room for it.
        var columns = rejected ? ReportWorkbook.ProblemColumns : [.. ReportWorkbook.FindingColumns.Where(c => c != ReportLabel.ColRemedy)];
        var headers = columns.Select(c => text[c]).ToArray();
        IEnumerable<string[]> rows = rejected
            ? report.Errors.Skip(1).Select(e => new[] { e.Row.ToString(CultureInfo.InvariantCulture), e.Column ?? string.Empty, e.Text.ToString(text.Culture) })
            : report.Findings.Select(f => text.FindingCells(report, f)
                .Where((_, i) => ReportWorkbook.FindingColumns[i] != ReportLabel.ColRemedy)
                .Select(cell => cell is int count ? count.ToString("N0", CultureInfo.InvariantCulture) : (string)cell)
                .ToArray());
        // Each cell carries its column's name, which a phone shows before it when the rows become cards.
        var body = rows.Select(cells => new XElement("tr", cells.Select((cell, i) => new XElement("td", new XAttribute("data-label", headers[i]), cell)))).ToList();
        var note = rejected ? text.Error(report) : report.Violations.Count == 0 ? text[ReportLabel.NoViolations] : null;
        var idle = text.Idle(report);
        return new XElement(
            "section",
            new XElement("h2", report.File, " ", new XElement("span", Class("status " + (rejected ? "bad" : "good")), text.Status(report))),
            new XElement("p", Class("meta"), text.Format(ReportLabel.FileLine, string.Empty, string.Empty, text.Kind(report), report.Rows.ToString(CultureInfo.InvariantCulture), string.Join(", ", report.Periods)).Trim()),
            note is null ? null : new XElement("p", Class(rejected ? "error" : "meta"), note),
            body.Count == 0 ? null : new XElement(
                "div",
                Class("scroll"),
                new XElement(
                    "table",
                    new XElement("thead", new XElement("tr", headers.Select(h => new XElement("th", new XAttribute("scope", "col"), h)))),
                    new XElement("tbody", body))),
            idle.Count == 0 ? null : new XElement("p", Class("meta"), text.Format(ReportLabel.NotApplied, string.Join("; ", idle))));
    }

    private static XAttribute Class(string name) => new("class", name);

    private static string Tone(ReportLabel verdict) => verdict switch { ReportLabel.VerdictClean => "good", ReportLabel.VerdictViolations => "warn", _ => "bad" };

    private static string Resource(string name)
    {
        using var stream = typeof(ReportPage).Assembly.GetManifestResourceStream($"Compliance.Cli.Templates.{name}")
            ?? throw new InvalidOperationException($"The report's {name} is not embedded.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
