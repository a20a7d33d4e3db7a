using System.Globalization;
using System.Runtime.CompilerServices;

namespace Compliance.Core.Filings;

/// <summary>
/// Parses the numbers enterprises type: full-width digits, percent signs, thousands separators.
/// Everything is <see cref="decimal"/> so that 12.00 is exactly 12 and 100,000.01 is exactly that.
/// </summary>
public static class NumberParser
{
    private static readonly double[] InversePowersOfTen = [1e0, 1e-1, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8, 1e-9, 1e-10, 1e-11, 1e-12, 1e-13, 1e-14, 1e-15, 1e-16, 1e-17, 1e-18, 1e-19];

    private const NumberStyles Styles = NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowThousands;

    /// <summary>A rate in percent: <c>12</c>, <c>12%</c>, <c>12.0 %</c>, <c>１２％</c> all give 12.</summary>
    public static bool TryParseRate(string text, out decimal percent)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryParseRate(text.AsSpan(), out percent);
    }

    /// <summary>As <see cref="TryParseRate(string, out decimal)"/>; plain ASCII numbers are parsed without allocating.</summary>
    public static bool TryParseRate(ReadOnlySpan<char> text, out decimal percent) => TryParseRate(text, out percent, out _);

    /// <summary>Also gives the value as a double, for the checks' quick path (see <see cref="Approximation"/>).</summary>
    internal static bool TryParseRate(ReadOnlySpan<char> text, out decimal percent, out double approximate)
    {
        if (TryParseSimple(text, '%', out percent, out approximate))
        {
            return true;
        }

        var parsed = TryParseRateGeneral(text, out percent);
        approximate = (double)percent;
        return parsed;
    }

    private static bool TryParseRateGeneral(ReadOnlySpan<char> text, out decimal percent)
    {
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
    public static bool TryParseAmount(ReadOnlySpan<char> text, out decimal yuan) => TryParseAmount(text, out yuan, out _);

    /// <summary>Also gives the value as a double, for the checks' quick path (see <see cref="Approximation"/>).</summary>
    internal static bool TryParseAmount(ReadOnlySpan<char> text, out decimal yuan, out double approximate)
    {
        if (TryParseSimple(text, suffix: '\0', out yuan, out approximate))
        {
            return true;
        }

        var parsed = TryParseAmountGeneral(text, out yuan);
        approximate = (double)yuan;
        return parsed;
    }

    private static bool TryParseAmountGeneral(ReadOnlySpan<char> text, out decimal yuan)
    {
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
    /// <remarks>Inlined: eight cells a payroll row, and the call's out values would otherwise go through memory.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static bool TryParseSimple(ReadOnlySpan<char> text, char suffix, out decimal value, out double approximate)
    {
        value = 0;
        approximate = 0;
        if (text.IsEmpty)
        {
            return false;
        }

        if (text[0] == ' ' || text[^1] == ' ')
        {
            text = text.Trim(' ');
            if (text.IsEmpty)
            {
                return false;
            }
        }

        if (suffix != '\0' && text[^1] == suffix)
        {
            text = text[..^1].TrimEnd(' ');
            if (text.IsEmpty)
            {
                return false;
            }
        }

        var negative = false;
        var start = 0;
        if (text[0] is '-' or '+')
        {
            negative = text[0] == '-';
            start = 1;
        }

        if (text.Length - start is 0 or > 19)
        {
            return false;
        }

        ulong mantissa = 0;
        var digits = 0;
        var point = -1;
        for (var i = start; i < text.Length; i++)
        {
            var c = text[i];
            var digit = (uint)(c - '0');
            if (digit <= 9)
            {
                mantissa = (mantissa * 10) + digit;
                digits++;
            }
            else if (c == '.' && point < 0)
            {
                point = digits;
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

        var fraction = point < 0 ? 0 : digits - point;
        value = new decimal((int)(uint)mantissa, (int)(uint)(mantissa >> 32), 0, negative, (byte)fraction);

        // Within a few ulps of the decimal's value: far inside Approximation.Margin over Approximation.Range.
        approximate = (negative ? -(double)mantissa : mantissa) * InversePowersOfTen[fraction];
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
