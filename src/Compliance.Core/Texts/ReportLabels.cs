using System.Collections.Frozen;
using System.Globalization;
using System.Resources;

namespace Compliance.Core.Texts;

/// <summary>
/// A label of the self-check's readable reports — the terminal table, the workbook, the printable page — whose
/// texts live in <c>Labels.resx</c> (English) and <c>Labels.zh-CN.resx</c> under the member's name in UPPER_SNAKE
/// case, beside the messages (<see cref="MessageCode"/>) the same reports quote.
/// </summary>
public enum ReportLabel
{
    StatusChecked,
    StatusRejected,
    FileLine,
    NoViolations,
    ColRow,
    ColRows,
    ColRule,
    ColWho,
    ColWhoFirst,
    ColField,
    ColObserved,
    ColLimit,
    ColFirstRows,
    ColClause,
    ColFile,
    ColStatus,
    ColFindings,
    ColViolatingRows,
    ColMessage,
    ColRemedy,
    MoreRows,
    MoreFindings,
    FindingsLine,
    NotApplied,
    NotInForce,
    ColumnsAbsent,
    Warnings,
    Summary,
    VerdictRejected,
    VerdictViolations,
    VerdictClean,
    ReportTitle,
    ReportIntro,
    SheetSummary,
    Error,
    Progress,
    FolderEmpty,
    FolderEmptyHint,
    Written,
    ColQuote,
    ColKind,
    ColRowsRead,
    ColPeriods,
    ColColumn,
    OutputIsInput,
    CannotWrite,
}

/// <summary>The text of a <see cref="ReportLabel"/> in a language.</summary>
public static class ReportLabels
{
    private static readonly ResourceManager Texts = new("Compliance.Core.Texts.Labels", typeof(ReportLabels).Assembly);

    // Worked out once: a report asks for its labels on every line it draws.
    private static readonly FrozenDictionary<ReportLabel, string> Keys = Enum.GetValues<ReportLabel>().ToFrozenDictionary(label => label, ResourceKeys.Of);

    /// <summary>The label's text in <paramref name="culture"/>'s language (Chinese for any zh culture, else English), formatted with <paramref name="args"/>.</summary>
    public static string Text(this ReportLabel label, CultureInfo culture, params object[] args)
    {
        var language = Languages.Of(culture);
        var key = Keys[label];
        var text = Texts.GetString(key, language) ?? throw new InvalidOperationException($"Labels.resx has no text for {key}.");
        return args.Length == 0 ? text : string.Format(CultureInfo.InvariantCulture, text, args);
    }

    /// <summary>Every label in one language, by resource key: what the enterprise portal reads so that it says what the reports say.</summary>
    public static IReadOnlyDictionary<string, string> All(CultureInfo culture) =>
        Enum.GetValues<ReportLabel>().ToDictionary(Key, label => label.Text(culture), StringComparer.Ordinal);

    /// <summary>The resource key: <c>ColWhoFirst</c> is <c>COL_WHO_FIRST</c>.</summary>
    public static string Key(ReportLabel label) => Keys[label];
}
