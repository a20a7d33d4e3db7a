using System.Collections;
using System.Globalization;
using System.Reflection;
using System.Resources;
using System.Text.RegularExpressions;

namespace Compliance.Testing;

/// <summary>
/// A set of texts kept as an English resource file and its zh-CN twin (messages, report labels, the CLI's help),
/// read back as the build embedded them, to hold the two files together.
/// </summary>
public static partial class TextResources
{
    /// <summary>The texts of one culture alone (no fallback to the English), by key.</summary>
    public static Dictionary<string, string> Read(Assembly assembly, string baseName, CultureInfo culture)
    {
        var manager = new ResourceManager(baseName, assembly);
        using var set = manager.GetResourceSet(culture, createIfNotExists: true, tryParents: false)
            ?? throw new InvalidOperationException($"{baseName} has no texts for '{culture.Name}'.");
        return set.Cast<DictionaryEntry>().ToDictionary(e => (string)e.Key, e => (string)e.Value!, StringComparer.Ordinal);
    }

    /// <summary>
    /// What is wrong between the English and the zh-CN texts of <paramref name="keys"/>: a key without either text, a
    /// Chinese text without Chinese in it or with other placeholders, a text no key names. Empty when they agree.
    /// </summary>
    public static List<string> Problems(Assembly assembly, string baseName, IReadOnlyCollection<string> keys)
    {
        var english = Read(assembly, baseName, CultureInfo.InvariantCulture);
        var chinese = Read(assembly, baseName, CultureInfo.GetCultureInfo("zh-CN"));
        var problems = new List<string>();
        foreach (var key in keys)
        {
            if (!english.TryGetValue(key, out var en))
            {
                problems.Add($"{key} has no English text");
            }
            else if (!chinese.TryGetValue(key, out var zh))
            {
                problems.Add($"{key} has no zh-CN text");
            }
            else if (!Placeholders(en).Order().SequenceEqual(Placeholders(zh).Order()))
            {
                problems.Add($"{key}: the zh-CN text takes other arguments than the English");
            }
            else if (!Han().IsMatch(zh))
            {
                problems.Add($"{key}: the zh-CN text has no Chinese in it: {zh}");
            }
        }

        problems.AddRange(english.Keys.Union(chinese.Keys).Except(keys).Select(key => $"{key} is in the resource files but no code names it"));
        return problems;
    }

    /// <summary>The distinct placeholders of a format string (<c>{0}</c>, <c>{1}</c> ...), escaped braces not counted.</summary>
    public static List<string> Placeholders(string text) => [.. Placeholder().Matches(text.Replace("{{", string.Empty, StringComparison.Ordinal)).Select(m => m.Value).Distinct()];

    /// <summary>Whether a text has Chinese characters in it.</summary>
    public static bool HasChinese(string text) => Han().IsMatch(text);

    [GeneratedRegex(@"\{\d+\}")]
    private static partial Regex Placeholder();

    [GeneratedRegex(@"\p{IsCJKUnifiedIdeographs}")]
    private static partial Regex Han();
}
