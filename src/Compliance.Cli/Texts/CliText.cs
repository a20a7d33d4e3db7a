using System.Globalization;
using System.Resources;
using Compliance.Core.Texts;

namespace Compliance.Cli.Texts;

/// <summary>
/// A text of the <c>compliance</c> command's own — its help and its messages — in <c>Cli.resx</c> (English) and
/// <c>Cli.zh-CN.resx</c> under the member's name: an accountant on Chinese Windows reads <c>compliance --help</c>
/// and what the command tells them in Chinese. A report's words are Core's (<c>Labels</c>, <c>Messages</c>).
/// </summary>
internal enum CliText
{
    Root,
    Lang,
    Catalog,
    UsageHint,
    HelpOption,
    VersionOption,
    Check,
    CheckFormat,
    CheckOutput,
    CheckUscc,
    CheckRows,
    CheckRecursive,
    CheckFiles,
    Policies,
    PoliciesFormat,
    Template,
    TemplateKind,
    TemplateFormat,
    TemplateEncoding,
    TemplateOutput,
    FormatNeedsOutput,
    CatalogUnusable,
    Cancelled,
    Unexpected,
    NotAKind,
    TemplateFormatAndEncoding,
    TemplateWritten,
    PoliciesHeading,

    /// <summary>The policies table's column headings, separated by <c>|</c>.</summary>
    PoliciesColumns,
}

/// <summary>The text of a <see cref="CliText"/> in a language.</summary>
internal static class CliTexts
{
    private static readonly ResourceManager Texts = new("Compliance.Cli.Texts.Cli", typeof(CliTexts).Assembly);

    /// <summary>The text in <paramref name="culture"/>'s language (Chinese for any zh culture, else English), formatted with <paramref name="args"/>.</summary>
    public static string Text(this CliText text, CultureInfo culture, params object[] args)
    {
        var key = text.ToString();
        var value = Texts.GetString(key, Languages.Of(culture)) ?? throw new InvalidOperationException($"Cli.resx has no text for {key}.");
        return args.Length == 0 ? value : string.Format(CultureInfo.InvariantCulture, value, args);
    }
}
