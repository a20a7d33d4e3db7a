using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Compliance.Core.Digests;

/// <summary>The regulator digest as CSV: one row per violation. Cells a spreadsheet would run as a formula are neutralised.</summary>
public static class DigestCsv
{
    private static readonly string[] Header = ["uscc", "enterprise", "region", "period", "rule", "field", "observed", "limit", "citation", "status", "filing", "row"];

    public static string Render(RegulatorDigest digest)
    {
        ArgumentNullException.ThrowIfNull(digest);
        var csv = new StringBuilder();
        csv.AppendJoin(',', Header).Append("\r\n");
        foreach (var v in digest.Violations)
        {
            csv.AppendJoin(',', new[]
            {
                v.Uscc, digest.NameOf(v.Uscc), v.Region, v.Period, v.Rule, v.Field, v.Observed.ToString(CultureInfo.InvariantCulture),
                v.Limit, v.Citation, v.Status, v.FilingName, v.Row.ToString(CultureInfo.InvariantCulture),
            }.Select(Cell)).Append("\r\n");
        }

        return csv.ToString();
    }

    /// <summary>
    /// CSV injection: a cell starting with = + - @, a tab or a carriage return is prefixed with a quote so
    /// Excel and WPS show it as text; then RFC 4180 quoting.
    /// </summary>
    public static string Cell(string? value)
    {
        var text = value ?? string.Empty;
        if (text.Length > 0 && text[0] is '=' or '+' or '-' or '@' or '\t' or '\r')
        {
            text = "'" + text;
        }

        return text.IndexOfAny([',', '"', '\r', '\n']) >= 0 ? $"\"{text.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : text;
    }
}

/// <summary>The regulator digest as JSON, for machines.</summary>
public static class DigestJson
{
    public static string Render(RegulatorDigest digest)
    {
        ArgumentNullException.ThrowIfNull(digest);
        var document = new
        {
            month = digest.Month.ToString(),
            region = digest.Region,
            total = digest.Total,
            previous_total = digest.PreviousTotal,
            change_percent = digest.ChangePercent,
            @new = digest.New,
            recurring = digest.Recurring,
            resolved = digest.Resolved,
            open_backlog = digest.OpenBacklog,
            filings = new { received = digest.FilingsReceived, @checked = digest.FilingsChecked, rejected = digest.FilingsRejected },
            by_rule = digest.ByRule.Select(c => new { rule = c.Key, count = c.Count, citation = c.Citation }),
            by_region = digest.ByRegion.Select(c => new { region = c.Key, count = c.Count }),
            top_enterprises = digest.TopEnterprises.Select(c => new { uscc = c.Key, name = digest.NameOf(c.Key), count = c.Count }),
            trend = digest.Trend.Select(t => new { month = t.Month.ToString(), count = t.Count }),
            violations = digest.Violations.Select(v => new
            {
                rule = v.Rule, uscc = v.Uscc, period = v.Period, region = v.Region, row = v.Row, field = v.Field, observed = v.Observed,
                limit = v.Limit, citation = v.Citation, status = v.Status, filing = v.FilingName, employee_id = EmployeeIds.Mask(v.EmployeeId), item = v.Item,
            }),
        };
        return JsonSerializer.Serialize(document, new JsonSerializerOptions { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }
}

/// <summary>
/// The digest as HTML for mail clients: inline CSS only, no scripts, images referenced by a source the
/// caller chooses (a <c>cid:</c> for mail, a data URI for the archive). Every value that came from a filing
/// or a recipient list is HTML-encoded.
/// </summary>
public static class DigestHtml
{
    public const string RuleChartId = "by-rule";
    public const string TrendChartId = "trend";

    /// <summary>Violation rows shown in the HTML; the totals always cover all of them.</summary>
    public const int MaxListedViolations = 500;

    private const string Cell = "style=\"border:1px solid #ccc;padding:4px 8px;text-align:left\"";

    /// <param name="imageSource">Maps a chart id (<see cref="RuleChartId"/>, <see cref="TrendChartId"/>) to an img src.</param>
    public static string Render(RegulatorDigest digest, Func<string, string> imageSource)
    {
        ArgumentNullException.ThrowIfNull(digest);
        ArgumentNullException.ThrowIfNull(imageSource);
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>")
            .Append(E($"合规月报 Compliance digest {digest.Month} — {digest.Region}")).Append("</title></head>")
            .Append("<body style=\"font-family:Arial,'Microsoft YaHei',sans-serif;color:#222;max-width:760px\">")
            .Append("<h1 style=\"font-size:20px\">").Append(E($"合规月报 Compliance digest {digest.Month}")).Append("</h1>")
            .Append("<p>").Append(E($"Region 行政区划 {digest.Region}: {digest.Total} violations detected in {digest.Month}")).Append(' ')
            .Append(E(digest.ChangePercent is { } change ? $"({(change >= 0 ? "+" : string.Empty)}{change.ToString(CultureInfo.InvariantCulture)}% against {digest.PreviousTotal} the month before)." : $"(the month before: {digest.PreviousTotal}).")).Append("</p>")
            .Append("<p>").Append(E($"Filings received {digest.FilingsReceived}: checked {digest.FilingsChecked}, rejected {digest.FilingsRejected}.")).Append("</p>")
            .Append("<p>").Append(E($"New {digest.New} · recurring {digest.Recurring} (same enterprise and rule as the month before) · resolved {digest.Resolved} · open from earlier months {digest.OpenBacklog}")).Append("</p>");

        Table(html, "By rule 按规则", ["Rule", "Violations", "Clause"], digest.ByRule.Select(c => new[] { c.Key, N(c.Count), c.Citation ?? string.Empty }));
        html.Append("<img id=\"").Append(RuleChartId).Append("\" alt=\"Violations by rule\" width=\"480\" height=\"160\" src=\"").Append(E(imageSource(RuleChartId))).Append("\">");
        Table(html, "By region 按地区", ["Region", "Violations"], digest.ByRegion.Select(c => new[] { c.Key, N(c.Count) }));
        Table(html, "Top enterprises 违规最多的企业", ["USCC", "Enterprise", "Violations"], digest.TopEnterprises.Select(c => new[] { c.Key, digest.NameOf(c.Key), N(c.Count) }));
        Table(html, "Six-month trend 近六个月", ["Month", "Violations"], digest.Trend.Select(t => new[] { t.Month.ToString(), N(t.Count) }));
        html.Append("<img id=\"").Append(TrendChartId).Append("\" alt=\"Violations over six months\" width=\"480\" height=\"160\" src=\"").Append(E(imageSource(TrendChartId))).Append("\">");
        // A mail with every row of a busy month would be megabytes; the HTML lists the first ones, the
        // archived JSON and CSV carry them all.
        if (digest.Violations.Count > MaxListedViolations)
        {
            html.Append("<p>").Append(E($"The first {MaxListedViolations} of {digest.Violations.Count} violations are listed; digest.csv and digest.json in the archive have all of them.")).Append("</p>");
        }

        Table(html, "Violations 违规明细", ["Enterprise", "Rule", "Field", "Observed", "Limit", "Clause", "Filing, row"], digest.Violations.Take(MaxListedViolations).Select(v => new[]
        {
            digest.NameOf(v.Uscc) == v.Uscc ? v.Uscc : $"{digest.NameOf(v.Uscc)} ({v.Uscc})", v.Rule, v.Field, v.Observed.ToString(CultureInfo.InvariantCulture), v.Limit, v.Citation, $"{v.FilingName}, row {v.Row}",
        }));
        return html.Append("</body></html>").ToString();
    }

    /// <summary>An enterprise's own digest: what to fix, row by row, and the clause each breaks.</summary>
    public static string Render(EnterpriseDigest digest)
    {
        ArgumentNullException.ThrowIfNull(digest);
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>").Append(E($"合规月报 {digest.Month} — {digest.Name}")).Append("</title></head>")
            .Append("<body style=\"font-family:Arial,'Microsoft YaHei',sans-serif;color:#222;max-width:760px\">")
            .Append("<h1 style=\"font-size:20px\">").Append(E($"{digest.Name} ({digest.Uscc}) — {digest.Month}")).Append("</h1>")
            .Append("<p>").Append(E($"{digest.Violations.Count} violation(s) were found in your filings for {digest.Month}. Correct them and upload the filing again.")).Append("</p>");
        Table(html, "What to fix 需要改正的内容", ["Filing, row", "What", "Limit", "Clause"], digest.Violations.Select(v => new[] { $"{v.FilingName}, row {v.Row}", v.Message, v.Limit, v.Citation }));
        return html.Append("</body></html>").ToString();
    }

    private static void Table(StringBuilder html, string title, string[] headers, IEnumerable<string[]> rows)
    {
        html.Append("<h2 style=\"font-size:16px\">").Append(E(title)).Append("</h2><table style=\"border-collapse:collapse\"><tr>");
        foreach (var header in headers)
        {
            html.Append("<th ").Append(Cell).Append('>').Append(E(header)).Append("</th>");
        }

        html.Append("</tr>");
        foreach (var row in rows)
        {
            html.Append("<tr>");
            foreach (var value in row)
            {
                html.Append("<td ").Append(Cell).Append('>').Append(E(value)).Append("</td>");
            }

            html.Append("</tr>");
        }

        html.Append("</table>");
    }

    private static string E(string value) => WebUtility.HtmlEncode(value);

    private static string N(int value) => value.ToString(CultureInfo.InvariantCulture);
}
