using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Unicode;
using System.Text.Json;
using Fluid;

namespace Compliance.Core.Digests;

/// <summary>The regulator digest as CSV: one row per finding, with its row and employee counts. Cells a spreadsheet would run as a formula are neutralised.</summary>
public static class DigestCsv
{
    private static readonly string[] Header = ["uscc", "enterprise", "region", "period", "rule", "field", "observed", "limit", "citation", "status", "filing", "row", "rows", "employees"];

    public static string Render(RegulatorDigest digest)
    {
        using var buffer = new MemoryStream();
        Write(digest, buffer);
        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <summary>Writes the CSV as UTF-8 (no BOM) row by row, never as one string: a national month is hundreds of megabytes.</summary>
    public static void Write(RegulatorDigest digest, Stream output)
    {
        ArgumentNullException.ThrowIfNull(digest);
        using var csv = new StreamWriter(output, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), bufferSize: 1 << 16, leaveOpen: true);
        csv.Write(string.Join(',', Header));
        csv.Write("\r\n");
        foreach (var v in digest.Violations)
        {
            csv.Write(string.Join(',', new[]
            {
                v.Uscc, digest.NameOf(v.Uscc), v.Region, v.Period, v.Rule, v.Field, v.Observed.ToString(CultureInfo.InvariantCulture),
                v.Limit, v.Citation, v.Status, v.FilingName, v.Row.ToString(CultureInfo.InvariantCulture), v.Rows.ToString(CultureInfo.InvariantCulture), v.Employees.ToString(CultureInfo.InvariantCulture),
            }.Select(Cell)));
            csv.Write("\r\n");
        }
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
        using var buffer = new MemoryStream();
        Write(digest, buffer);
        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <summary>Writes the JSON as UTF-8 to <paramref name="output"/>, the violations serialized as they are enumerated.</summary>
    public static void Write(RegulatorDigest digest, Stream output)
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
            violating_rows = digest.ViolatingRows,
            affected_employees = digest.AffectedEmployees,
            filings = new { received = digest.FilingsReceived, @checked = digest.FilingsChecked, rejected = digest.FilingsRejected },
            by_rule = digest.ByRule.Select(c => new { rule = c.Key, count = c.Count, citation = c.Citation }),
            by_region = digest.ByRegion.Select(c => new { region = c.Key, count = c.Count }),
            top_enterprises = digest.TopEnterprises.Select(c => new { uscc = c.Key, name = digest.NameOf(c.Key), count = c.Count }),
            trend = digest.Trend.Select(t => new { month = t.Month.ToString(), count = t.Count }),
            violations = digest.Violations.Select(v => new
            {
                rule = v.Rule, uscc = v.Uscc, period = v.Period, region = v.Region, row = v.Row, field = v.Field, observed = v.Observed,
                limit = v.Limit, citation = v.Citation, status = v.Status, filing = v.FilingName, employee_id = EmployeeIds.Mask(v.EmployeeId), item = v.Item,
                rows = v.Rows, employees = v.Employees,
            }),
        };
        JsonSerializer.Serialize(output, document, Options);
    }

    private static readonly JsonSerializerOptions Options = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}

/// <summary>A chart as the HTML shows it: where the image is (a <c>cid:</c> in mail, a data URI in the archive), what it says in words, its size in CSS pixels.</summary>
public sealed record ChartImage(string Source, string Alt, int Width, int Height);

/// <summary>
/// The digest as HTML for mail clients: inline CSS only, no scripts, images referenced by a source the
/// caller chooses (a <c>cid:</c> for mail, a data URI for the archive). Rendered from a Liquid template
/// (<c>Digests/Templates/digest.liquid</c>, Fluid; the regulator's and the enterprise's digests alike) with HTML encoding on by default, so every value that
/// came from a filing or a recipient list is encoded without anyone remembering to.
/// </summary>
public static class DigestHtml
{
    public const string RuleChartId = "by-rule";
    public const string RegionChartId = "by-region";
    public const string TrendChartId = "trend";

    /// <summary>The regulator digest's charts, in the order the digest shows them.</summary>
    public static IReadOnlyList<string> ChartIds { get; } = [RuleChartId, RegionChartId, TrendChartId];

    /// <summary>Violation rows shown in the HTML; the totals always cover all of them.</summary>
    public const int MaxListedViolations = 500;

    private static readonly IFluidTemplate Template = new FluidParser().Parse(ReadTemplate("digest.liquid"));

    /// <summary>Encodes what HTML needs encoded and leaves Chinese text readable in the source.</summary>
    private static readonly HtmlEncoder Encoder = HtmlEncoder.Create(UnicodeRanges.All);

    /// <param name="chart">Maps a chart id (one of <see cref="ChartIds"/>) to its image, or null to show the table alone.</param>
    public static string Render(RegulatorDigest digest, Func<string, ChartImage?> chart)
    {
        ArgumentNullException.ThrowIfNull(digest);
        ArgumentNullException.ThrowIfNull(chart);
        var change = digest.ChangePercent is { } percent
            ? $"({(percent >= 0 ? "+" : string.Empty)}{percent.ToString(CultureInfo.InvariantCulture)}% against {digest.PreviousTotal} the month before)."
            : $"(the month before: {digest.PreviousTotal}).";
        var region = Filings.RegionNames.Display(digest.Region);
        return Render(
            $"合规月报 Compliance digest {digest.Month} — {region}",
            $"合规月报 Compliance digest {digest.Month}",
            [
                $"Region 行政区划 {region}: {digest.Total} violations detected in {digest.Month} {change}",
                $"违规事项 {digest.Total} 项，涉及 {digest.ViolatingRows} 行、{digest.AffectedEmployees} 名职工 · Those findings cover {digest.ViolatingRows} violating rows and {digest.AffectedEmployees} employees (a rate applied to all staff is one finding).",
                $"Filings received {digest.FilingsReceived}: checked {digest.FilingsChecked}, rejected {digest.FilingsRejected}.",
                $"New {digest.New} · recurring {digest.Recurring} (same enterprise and rule as the month before) · resolved {digest.Resolved} · outstanding from the {DigestBuilder.BacklogMonths} months before (open or confirmed) {digest.OpenBacklog}",
            ],
            [
                Section("By rule 按规则", ["Rule 规则", "Limit 限制", "Violations", "Clause"], digest.ByRule.Select(c => new[] { c.Key, digest.TitleOf(c.Key) ?? string.Empty, N(c.Count), c.Citation ?? string.Empty }), Chart(chart(RuleChartId))),
                Section("By region 按地区", ["Region", "Violations"], digest.ByRegion.Select(c => new[] { Filings.RegionNames.Display(c.Key), N(c.Count) }), Chart(chart(RegionChartId))),
                Section("Top enterprises 违规最多的企业", ["USCC", "Enterprise", "Violations"], digest.TopEnterprises.Select(c => new[] { c.Key, digest.EnterpriseNames.GetValueOrDefault(c.Key) ?? string.Empty, N(c.Count) })),
                Section("Six-month trend 近六个月", ["Month", "Violations"], digest.Trend.Select(t => new[] { t.Month.ToString(), N(t.Count) }), Chart(chart(TrendChartId))),

                // A mail with every row of a busy month would be megabytes; the HTML lists the first ones, the
                // archived JSON and CSV carry them all.
                Section(
                    "Violations 违规明细",
                    ["Enterprise", "Rule", "Field", "Observed", "Limit", "Clause", "Rows 行数", "Employees 职工", "Filing, first row"],
                    digest.Violations.Take(MaxListedViolations).Select(v => new[]
                    {
                        digest.NameOf(v.Uscc) == v.Uscc ? v.Uscc : $"{digest.NameOf(v.Uscc)} ({v.Uscc})", v.Rule, v.Field, v.Observed.ToString(CultureInfo.InvariantCulture), v.Limit, v.Citation, N(v.Rows), N(v.Employees), $"{v.FilingName}, row {v.Row}",
                    }),
                    note: digest.Violations.Count > MaxListedViolations ? $"The first {MaxListedViolations} of {digest.Violations.Count} violations are listed; digest.csv and digest.json in the archive have all of them." : null),
            ]);
    }

    /// <summary>An enterprise's own digest: what to fix, row by row, and the clause each breaks.</summary>
    public static string Render(EnterpriseDigest digest)
    {
        ArgumentNullException.ThrowIfNull(digest);
        return Render(
            $"合规月报 {digest.Month} — {digest.Name}",
            $"{digest.Name} ({digest.Uscc}) — {digest.Month}",
            [$"{digest.Violations.Count} violation(s) were found in your filings for {digest.Month}. Correct them and upload the filing again."],
            [Section("What to fix 需要改正的内容", ["Filing, first row", "Rows 行数", "What", "Limit", "Clause"], digest.Violations.Select(v => new[] { $"{v.FilingName}, row {v.Row}", N(v.Rows), v.Message, v.Limit, v.Citation }))]);
    }

    private static string Render(string title, string heading, string[] paragraphs, Dictionary<string, object?>[] sections)
    {
        var context = new TemplateContext(TemplateOptions.Default, StringComparer.Ordinal);
        context.SetValue("title", title);
        context.SetValue("heading", heading);
        context.SetValue("paragraphs", paragraphs);
        context.SetValue("sections", sections);
        return Template.Render(context, Encoder);
    }

    private static Dictionary<string, object?> Section(string title, string[] headers, IEnumerable<string[]> rows, Dictionary<string, object?>? chart = null, string? note = null) => new()
    {
        ["title"] = title,
        ["headers"] = headers,
        ["rows"] = rows.ToArray(),
        ["chart"] = chart,
        ["note"] = note,
    };

    private static Dictionary<string, object?>? Chart(ChartImage? image) => image is null ? null : new()
    {
        ["alt"] = image.Alt,
        ["src"] = image.Source,
        ["width"] = image.Width,
        ["height"] = image.Height,
    };

    private static string ReadTemplate(string name)
    {
        using var stream = typeof(DigestHtml).Assembly.GetManifestResourceStream($"Compliance.Core.Digests.Templates.{name}")
            ?? throw new InvalidOperationException($"The digest template {name} is not embedded.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private static string N(int value) => value.ToString(CultureInfo.InvariantCulture);
}
