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
        ArgumentNullException.ThrowIfNull(text);
        return TryParseRate(text.AsSpan(), out percent);
    }

    /// <summary>As <see cref="TryParseRate(string, out decimal)"/>; plain ASCII numbers are parsed without allocating.</summary>
    public static bool TryParseRate(ReadOnlySpan<char> text, out decimal percent)
    {
        if (TryParseSimple(text, '%', out percent))
        {
            return true;
        }

        var s = TextNormalizer.Normalize(text.ToString());
        if (s.EndsWith('%'))
        {
            s = s[..^1].TrimEnd();
        }

        return TryParsePlain(s, out percent);
    }

    /// <summary>An amount in yuan: <c>1234.5</c>, <c>1,234.50</c>, <c>¥1,234.50</c>, <c>１２３４．５</c>.</summary>
    public static bool TryParseAmount(string text, out decimal yuan)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryParseAmount(text.AsSpan(), out yuan);
    }

    /// <summary>As <see cref="TryParseAmount(string, out decimal)"/>; plain ASCII numbers are parsed without allocating.</summary>
    public static bool TryParseAmount(ReadOnlySpan<char> text, out decimal yuan)
    {
        if (TryParseSimple(text, suffix: '\0', out yuan))
        {
            return true;
        }

        var s = TextNormalizer.Normalize(text.ToString());
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

    /// <summary>
    /// The shape almost every cell has: optional sign, ASCII digits, at most one point, up to 18 digits,
    /// optionally followed by <paramref name="suffix"/>. Anything else (thousands separators, full-width
    /// digits, currency signs, exponents) returns false and takes the general path, which gives the same
    /// value for the shapes both accept.
    /// </summary>
    private static bool TryParseSimple(ReadOnlySpan<char> text, char suffix, out decimal value)
    {
        value = 0;
        text = text.Trim(' ');
        if (suffix != '\0' && !text.IsEmpty && text[^1] == suffix)
        {
            text = text[..^1].TrimEnd(' ');
        }

        var negative = false;
        if (!text.IsEmpty && (text[0] == '-' || text[0] == '+'))
        {
            negative = text[0] == '-';
            text = text[1..];
        }

        if (text.IsEmpty || text.Length > 19)
        {
            return false;
        }

        ulong mantissa = 0;
        var digits = 0;
        var scale = -1;
        foreach (var c in text)
        {
            var digit = (uint)(c - '0');
            if (digit <= 9)
            {
                mantissa = (mantissa * 10) + digit;
                digits++;
            }
            else if (c == '.' && scale < 0)
            {
                scale = digits;
            }
            else
            {
                return false;
            }
        }

        if (digits == 0)
        {
            return false;
        }

        value = new decimal((int)(uint)mantissa, (int)(uint)(mantissa >> 32), 0, negative, (byte)(scale < 0 ? 0 : digits - scale));
        return true;
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
        var scale = value.Scale;
        if (scale == 0)
        {
            return 0;
        }

        Span<int> bits = stackalloc int[4];
        decimal.GetBits(value, bits);
        var mantissa = new UInt128(((ulong)(uint)bits[2] << 32) | 0, ((ulong)(uint)bits[1] << 32) | (uint)bits[0]);
        while (scale > 0 && mantissa % 10 == 0)
        {
            mantissa /= 10;
            scale--;
        }

        return scale;
    }
}
