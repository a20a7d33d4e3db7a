using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Compliance.Core.Filings;

/// <summary>A filing period (所属期): one calendar month. A quarterly filing names the quarter's last month.</summary>
public readonly record struct Period(int Year, int Month) : IComparable<Period>
{
    public int CompareTo(Period other) => Ordinal.CompareTo(other.Ordinal);

    /// <summary>Months since year 0; makes ranges and comparisons simple integer work.</summary>
    public int Ordinal => (Year * 12) + Month - 1;

    public bool IsQuarterEnd => Month % 3 == 0;

    /// <summary>The period <paramref name="months"/> later (earlier when negative).</summary>
    public Period AddMonths(int months)
    {
        var ordinal = Ordinal + months;
        return new Period(ordinal / 12, (ordinal % 12) + 1);
    }

    public static bool operator <(Period left, Period right) => left.CompareTo(right) < 0;

    public static bool operator >(Period left, Period right) => left.CompareTo(right) > 0;

    public static bool operator <=(Period left, Period right) => left.CompareTo(right) <= 0;

    public static bool operator >=(Period left, Period right) => left.CompareTo(right) >= 0;

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Year:D4}-{Month:D2}");

    /// <summary>Parses <c>yyyy-MM</c>, <c>yyyy-M</c>, <c>yyyy/MM</c>, <c>yyyyMM</c> and <c>yyyy年M月</c>, after full-width normalisation.</summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out Period? period)
    {
        period = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var s = TextNormalizer.Normalize(text);
        int year;
        int month;
        if (s.Length == 6 && s.All(char.IsAsciiDigit))
        {
            year = int.Parse(s.AsSpan(0, 4), CultureInfo.InvariantCulture);
            month = int.Parse(s.AsSpan(4, 2), CultureInfo.InvariantCulture);
        }
        else
        {
            if (s.EndsWith('月'))
            {
                s = s[..^1];
            }

            var sep = s.IndexOfAny(['-', '/', '年', '.']);
            if (sep != 4 || !int.TryParse(s.AsSpan(0, 4), NumberStyles.None, CultureInfo.InvariantCulture, out year))
            {
                return false;
            }

            var rest = s.AsSpan(5).Trim();
            if (rest.Length is < 1 or > 2 || !int.TryParse(rest, NumberStyles.None, CultureInfo.InvariantCulture, out month))
            {
                return false;
            }
        }

        if (year is < 1990 or > 2100 || month is < 1 or > 12)
        {
            return false;
        }

        period = new Period(year, month);
        return true;
    }

    /// <summary>Parses a period the catalog or a caller wrote; throws on a bad one.</summary>
    public static Period Parse(string text) =>
        TryParse(text, out var p) ? p.Value : throw new FormatException($"'{text}' is not a period (yyyy-MM).");
}
