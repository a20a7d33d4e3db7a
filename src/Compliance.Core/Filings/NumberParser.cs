using System.Globalization;

namespace Compliance.Core.Filings;

/// <summary>
/// Parses the numbers enterprises type: full-width digits, percent signs, thousands separators.
/// Everything is <see cref="decimal"/> so that 12.00 is exactly 12 and 100,000.01 is exactly that.
/// </summary>
public static class NumberParser
{
    private const NumberStyles Styles = NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowThousands;

    /// <summary>A rate in percent: <c>12</c>, <c>12%</c>, <c>12.0 %</c>, <c>１２％</c> all give 12.</summary>
    public static bool TryParseRate(string text, out decimal percent)
    {
        var s = TextNormalizer.Normalize(text);
        if (s.EndsWith('%'))
        {
            s = s[..^1].TrimEnd();
        }

        return TryParsePlain(s, out percent);
    }

    /// <summary>An amount in yuan: <c>1234.5</c>, <c>1,234.50</c>, <c>¥1,234.50</c>, <c>１２３４．５</c>.</summary>
    public static bool TryParseAmount(string text, out decimal yuan)
    {
        var s = TextNormalizer.Normalize(text);
        if (s.Length > 0 && (s[0] == '¥' || s[0] == '￥'))
        {
            s = s[1..].TrimStart();
        }

        if (s.EndsWith('元'))
        {
            s = s[..^1].TrimEnd();
        }

        return TryParsePlain(s, out yuan);
    }

    private static bool TryParsePlain(string s, out decimal value)
    {
        value = 0;
        if (s.Length == 0 || !IsWellFormed(s))
        {
            return false;
        }

        if (decimal.TryParse(s, Styles, CultureInfo.InvariantCulture, out value))
        {
            return true;
        }

        // Exponent form only comes from machine exports (XLSX raw values); accept it there.
        return decimal.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>
    /// decimal.TryParse accepts "1,2,3" as 123; a thousands separator must sit between groups of three
    /// digits, or a mistyped decimal comma would silently become a much larger number.
    /// </summary>
    private static bool IsWellFormed(string s)
    {
        var comma = s.IndexOf(',', StringComparison.Ordinal);
        if (comma < 0)
        {
            return true;
        }

        var dot = s.IndexOf('.', StringComparison.Ordinal);
        var integerPart = dot < 0 ? s : s[..dot];
        if (integerPart.StartsWith('-') || integerPart.StartsWith('+'))
        {
            integerPart = integerPart[1..];
        }

        var groups = integerPart.Split(',');
        if (groups[0].Length is < 1 or > 3)
        {
            return false;
        }

        for (var i = 1; i < groups.Length; i++)
        {
            if (groups[i].Length != 3)
            {
                return false;
            }
        }

        return dot < 0 || !s.AsSpan(dot).Contains(',');
    }

    /// <summary>Digits after the decimal point, ignoring trailing zeros (12.50 has 1).</summary>
    public static int Scale(decimal value)
    {
        var normalized = value / 1.0000000000000000000000000000m;
        return normalized.Scale;
    }
}
