using System.Globalization;
using System.Resources;
using Compliance.Core.Texts;

namespace Compliance.Cli.Texts;

/// <summary>
/// A text of the <c>compliance</c> command's help, in <c>Help.resx</c> (English) and <c>Help.zh-CN.resx</c>
/// under the member's name: an accountant on Chinese Windows reads <c>compliance --help</c> in Chinese.
/// </summary>
internal enum HelpText
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
}

/// <summary>The text of a <see cref="HelpText"/> in a language.</summary>
internal static class HelpTexts
{
    private static readonly ResourceManager Texts = new("Compliance.Cli.Texts.Help", typeof(HelpTexts).Assembly);

    /// <summary>The text in <paramref name="culture"/>'s language (Chinese for any zh culture, else English), formatted with <paramref name="args"/>.</summary>
    public static string Text(this HelpText text, CultureInfo culture, params object[] args)
    {
        var key = text.ToString();
        var value = Texts.GetString(key, Languages.Of(culture)) ?? throw new InvalidOperationException($"Help.resx has no text for {key}.");
        return args.Length == 0 ? value : string.Format(CultureInfo.InvariantCulture, value, args);
    }
}
