using System.Text;

namespace Compliance.Core.Filings;

/// <summary>
/// Folds what Chinese input methods and Excel produce into plain ASCII where it matters:
/// full-width digits, signs and the ideographic space (NFKC), and surrounding white space.
/// </summary>
public static class TextNormalizer
{
    public static string Normalize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);

        // The common case is already ASCII; skip the normalisation allocation for it.
        var ascii = true;
        foreach (var c in text)
        {
            if (c > 0x7E)
            {
                ascii = false;
                break;
            }
        }

        var s = ascii ? text : text.Normalize(NormalizationForm.FormKC);
        return s.Trim();
    }

    /// <summary>Normalises a column header or item name for lookup: NFKC, trimmed, lower case, inner spaces removed.</summary>
    public static string Key(string text)
    {
        var s = Normalize(text).ToLowerInvariant();
        return s.Contains(' ', StringComparison.Ordinal) ? s.Replace(" ", string.Empty, StringComparison.Ordinal) : s;
    }
}
