using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Unicode;
using Compliance.Core.Checking;
using Compliance.Core.Texts;
using Fluid;

namespace Compliance.Cli;

/// <summary>
/// <c>--format html</c>: the check as one printable page (Templates/report.liquid, rendered by Fluid with HTML
/// encoding on, so a file name or cell text can never become markup), self-contained and under a CSP that allows
/// nothing but its own style sheet.
/// </summary>
internal static class ReportPage
{
    private static readonly IFluidTemplate Template = new FluidParser().Parse(Resource("report.liquid"));

    private static readonly string Style = Resource("report.css").Trim();

    /// <summary>Encodes what HTML needs encoded and leaves Chinese text readable in the source.</summary>
    private static readonly HtmlEncoder Encoder = HtmlEncoder.Create(UnicodeRanges.All);

    public static void Write(IReadOnlyList<FilingReport> reports, ReportText text, DateTimeOffset checkedAt, Stream output)
    {
        var summary = text.Summary(reports, out var verdict);
        var catalog = reports.Select(r => r.CatalogVersion).FirstOrDefault(v => v is not null) ?? string.Empty;
        var findingHeaders = ReportWorkbook.FindingColumns.Where(c => c != ReportLabel.ColRemedy).Select(c => text[c]).ToArray();

        // Fluid reads dictionaries and arrays without reflection, which the trimmed single file would break.
        var context = new TemplateContext(TemplateOptions.Default, StringComparer.Ordinal);
        context.SetValue("lang", text.IsChinese ? "zh-CN" : "en");
        context.SetValue("title", text[ReportLabel.ReportTitle]);
        context.SetValue("intro", text.Format(ReportLabel.ReportIntro, checkedAt.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture), catalog));
        context.SetValue("summary", summary);
        context.SetValue("verdict", text[verdict]);
        context.SetValue("verdict_class", verdict switch { ReportLabel.VerdictClean => "good", ReportLabel.VerdictViolations => "warn", _ => "bad" });
        // Written raw (report.liquid): the style sheet is ours, embedded, and HTML-encoding its quotes would break it.
        context.SetValue("style", Style);
        context.SetValue("style_hash", "sha256-" + Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(Style))));
        context.SetValue("files", reports.Select(report => File(report, text, findingHeaders)).ToArray());

        using var writer = new StreamWriter(output, new UTF8Encoding(false), 1 << 16, leaveOpen: true);
        writer.Write(Template.Render(context, Encoder));
    }

    private static Dictionary<string, object?> File(FilingReport report, ReportText text, string[] findingHeaders)
    {
        var rejected = report.Status == FilingStatus.Rejected;
        var idle = text.Idle(report);
        return new()
        {
            ["name"] = report.File,
            ["status"] = text.Status(report),
            ["status_class"] = rejected ? "bad" : "good",
            ["meta"] = text.Format(ReportLabel.FileLine, string.Empty, string.Empty, text.Kind(report), report.Rows.ToString(CultureInfo.InvariantCulture), string.Join(", ", report.Periods)).Trim(),
            ["error"] = rejected ? text.Error(report) : report.Violations.Count == 0 ? text[ReportLabel.NoViolations] : null,
            ["headers"] = rejected ? new[] { text[ReportLabel.ColRow], text[ReportLabel.ColColumn], text[ReportLabel.ColMessage] } : findingHeaders,
            ["rows"] = rejected
                ? report.Errors.Skip(1).Select(e => new[] { e.Row.ToString(CultureInfo.InvariantCulture), e.Column ?? string.Empty, e.Text.ToString(text.Culture) }).ToArray()
                : report.Findings.Select(f => new[]
                {
                    f.Rule, text.RuleTitle(f.Rule), text.Who(report, f.EmployeeId, f.Item, f.Region, f.Uscc), text.Field(report, f.Field), ReportText.Observed(f), f.Limit,
                    f.RowCount.ToString("N0", CultureInfo.InvariantCulture), string.Join(", ", f.FirstRows), f.Citation, text.Quote(f),
                }).ToArray(),
            ["note"] = idle.Count > 0 ? text.Format(ReportLabel.NotApplied, string.Join("; ", idle)) : null,
        };
    }

    private static string Resource(string name)
    {
        using var stream = typeof(ReportPage).Assembly.GetManifestResourceStream($"Compliance.Cli.Templates.{name}")
            ?? throw new InvalidOperationException($"The report template {name} is not embedded.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
