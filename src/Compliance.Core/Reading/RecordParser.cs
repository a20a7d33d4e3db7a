using System.Globalization;
using Compliance.Core.Filings;

namespace Compliance.Core.Reading;

/// <summary>
/// Types one raw record against its kind's columns. Every problem in the row is collected (not just the
/// first) so the filer can fix the row in one go; each names the row and column and what to write instead.
/// </summary>
internal sealed class RecordParser
{
    /// <summary>Half a fen either way is rounding, per row; beyond that a declared rate and its amount disagree.</summary>
    internal const decimal AmountTolerance = 0.01m;

    private static readonly HashSet<string> Provinces =
    [
        "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
        "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71", "81", "82",
    ];

    /// <summary>C0 and C1 controls (tab and line breaks included: an identifier has none), DEL, and the bidi embeddings, overrides and isolates.</summary>
    private static readonly System.Buffers.SearchValues<char> InvisibleControls = System.Buffers.SearchValues.Create(
        "\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\u0009\u000A\u000B\u000C\u000D\u000E\u000F\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001A\u001B\u001C\u001D\u001E\u001F\u007F"
        + "\u0080\u0081\u0082\u0083\u0084\u0085\u0086\u0087\u0088\u0089\u008A\u008B\u008C\u008D\u008E\u008F\u0090\u0091\u0092\u0093\u0094\u0095\u0096\u0097\u0098\u0099\u009A\u009B\u009C\u009D\u009E\u009F"
        + "\u061C\u200E\u200F\u202A\u202B\u202C\u202D\u202E\u2066\u2067\u2068\u2069");

    private readonly FilingSchema schema;
    private readonly ColumnDefinition[] columns;
    private readonly (ColumnDefinition Rate, ColumnDefinition Amount)[] ratesWithAmounts;
    private readonly FilingRecord record;
    private readonly ColumnDefinition uscc;
    private readonly ColumnDefinition period;
    private readonly ColumnDefinition region;
    private readonly ColumnDefinition? frequency;
    private readonly ColumnDefinition? wageBase;

    // The last valid spelling seen of the values that repeat on every row, and what it parsed to.
    private string? lastUsccText;
    private string lastUscc = string.Empty;
    private string? lastPeriodText;
    private Period lastPeriod;
    private string? lastRegionText;
    private string lastRegion = string.Empty;

    public RecordParser(FilingSchema schema)
    {
        this.schema = schema;
        columns = [.. schema.Columns];
        ratesWithAmounts = [.. schema.Columns.Where(c => c.AmountColumn is not null).Select(c => (c, schema[c.AmountColumn!]))];
        record = new FilingRecord(schema);
        uscc = schema["uscc"];
        period = schema["period"];
        region = schema["region"];
        frequency = schema.Find("filing_frequency");
        wageBase = schema.Find("wage_base");
    }

    /// <summary>Types <paramref name="raw"/>; returns null and fills <paramref name="errors"/> when the row cannot be checked.</summary>
    public FilingRecord? Parse(RawRecord raw, List<RowError> errors, List<FilingWarning> warnings)
    {
        record.Clear();
        record.Row = raw.Row;
        var before = errors.Count;
        foreach (var column in columns)
        {
            var text = raw.Cell(column.Ordinal);
            if (TryTypeCommonCell(raw, column, text))
            {
                continue;
            }

            if (IsBlank(text))
            {
                text = column.Default;
            }

            if (IsBlank(text))
            {
                if (column.Required)
                {
                    errors.Add(Error(raw.Row, column, $"{column.Display} is required but empty."));
                }

                continue;
            }

            ParseCell(raw.Row, column, text, errors, warnings);
        }

        if (errors.Count > before)
        {
            return null;
        }

        if (record.Frequency == FilingFrequency.Quarterly && !record.Period.IsQuarterEnd)
        {
            errors.Add(Error(raw.Row, period, $"a quarterly filer's period names the last month of the quarter (03, 06, 09 or 12), not {record.Period}."));
            return null;
        }

        if (wageBase is not null)
        {
            CompareDeclaredWithPaid(warnings);
        }

        return record;
    }

    /// <summary>
    /// The cells nearly every row is made of: a plain ASCII rate or amount that is valid as it stands, the
    /// same enterprise, period and region as the row before, an identifier that needs no normalising. Typed
    /// here without the general dispatch; anything else (empty, full-width, separators, out of range, more
    /// than two decimals, a new code) returns false and goes through <see cref="ParseCell"/>, which
    /// validates it and says what is wrong.
    /// </summary>
    private bool TryTypeCommonCell(RawRecord raw, ColumnDefinition column, ReadOnlySpan<char> text)
    {
        switch (column.Type)
        {
            case ColumnType.Uscc when lastUsccText is not null && text.SequenceEqual(lastUsccText):
                record.Uscc = lastUscc;
                return true;
            case ColumnType.Period when lastPeriodText is not null && text.SequenceEqual(lastPeriodText):
                record.Period = lastPeriod;
                return true;
            case ColumnType.Region when lastRegionText is not null && text.SequenceEqual(lastRegionText):
                record.Region = lastRegion;
                return true;
            case ColumnType.Text when !text.IsEmpty && !text.ContainsAnyExceptInRange('!', '~'):
                record.SetTextFromRaw(column, raw);
                return true;
            case ColumnType.Rate when NumberParser.TryParseSimple(text, '%', out var rate, out var approximate)
                && !decimal.IsNegative(rate) && (approximate < 100 || rate <= 100m):
                record.SetNumber(column, rate, approximate);
                return true;
            case ColumnType.Amount when NumberParser.TryParseSimple(text, '\0', out var amount, out var approximate)
                && !decimal.IsNegative(amount) && amount.Scale <= 2 && (approximate != 0 || !ReferenceEquals(column, wageBase)):
                record.SetNumber(column, amount, approximate);
                return true;
            default:
                return false;
        }
    }

    private void ParseCell(int row, ColumnDefinition column, ReadOnlySpan<char> text, List<RowError> errors, List<FilingWarning> warnings)
    {
        switch (column.Type)
        {
            case ColumnType.Uscc:
                // A filing repeats the same code on every row: validate each distinct spelling once.
                if (text.SequenceEqual(lastUsccText))
                {
                    record.Uscc = lastUscc;
                }
                else if (Uscc.TryValidate(text.ToString(), out var code, out var reason))
                {
                    (lastUsccText, lastUscc) = (text.ToString(), code);
                    record.Uscc = code;
                }
                else
                {
                    errors.Add(Error(row, column, reason + "."));
                }

                break;
            case ColumnType.Period:
                if (text.SequenceEqual(lastPeriodText))
                {
                    record.Period = lastPeriod;
                }
                else if (Period.TryParse(text.ToString(), out var p))
                {
                    (lastPeriodText, lastPeriod) = (text.ToString(), p.Value);
                    record.Period = p.Value;
                }
                else
                {
                    errors.Add(Error(row, column, $"'{text}' is not a period; write yyyy-MM (2016-06), yyyyMM (201606) or yyyy年M月 (2016年6月)."));
                }

                break;
            case ColumnType.Region:
                if (text.SequenceEqual(lastRegionText))
                {
                    record.Region = lastRegion;
                }
                else if (TextNormalizer.Normalize(text.ToString()) is var regionText && regionText.Length == 6 && regionText.All(char.IsAsciiDigit) && Provinces.Contains(regionText[..2]))
                {
                    (lastRegionText, lastRegion) = (text.ToString(), regionText);
                    record.Region = regionText;
                }
                else
                {
                    errors.Add(Error(row, column, $"'{text}' is not a 6-digit GB/T 2260 administrative division code (for example 510100 for 成都市)."));
                }

                break;
            case ColumnType.Text:
                // Plain identifiers were kept raw by TryTypeCommonCell; what reaches here needs normalising.
                // Control and bidirectional-override characters are invisible on screen yet change what a
                // log line, terminal or review page shows (an ID that reads backwards), so they are refused.
                if (text.IndexOfAny(InvisibleControls) is >= 0 and var at)
                {
                    errors.Add(Error(row, column, $"the text has an invisible control character (U+{(int)text[at]:X4}) at position {at + 1}; remove it."));
                    break;
                }

                record.SetText(column, TextNormalizer.Normalize(text.ToString()));
                break;
            case ColumnType.Rate:
                if (!NumberParser.TryParseRate(text, out var rate, out var approximateRate))
                {
                    errors.Add(Error(row, column, $"'{text}' is not a rate; write the percent, for example 12, 12% or 0.5."));
                }
                else if (IsBelowZero(rate) || rate > 100m)
                {
                    errors.Add(Error(row, column, $"{rate.ToString(CultureInfo.InvariantCulture)} is not a percent between 0 and 100."));
                }
                else
                {
                    record.SetNumber(column, rate, approximateRate);
                }

                break;
            case ColumnType.Amount:
                if (!NumberParser.TryParseAmount(text, out var amount, out var approximateAmount))
                {
                    errors.Add(Error(row, column, $"'{text}' is not an amount; write yuan with up to 2 decimals, for example 8000, 8000.50 or \"8,000.50\"."));
                }
                else if (IsBelowZero(amount) || (ReferenceEquals(column, wageBase) && amount == 0m))
                {
                    errors.Add(Error(row, column, ReferenceEquals(column, wageBase) ? "the wage base must be greater than 0." : "an amount cannot be negative."));
                }
                else
                {
                    if (amount.Scale > 2 && NumberParser.Scale(amount) > 2)
                    {
                        warnings.Add(new FilingWarning("AMOUNT_PRECISION", row, $"Row {row}, {column.Display}: {amount.ToString(CultureInfo.InvariantCulture)} has more than 2 decimals; amounts are yuan to the fen.", column.Name));
                    }

                    record.SetNumber(column, amount, approximateAmount);
                }

                break;
            case ColumnType.Frequency:
                switch (TextNormalizer.Key(text.ToString()))
                {
                    case "monthly" or "month" or "按月" or "月" or "月报":
                        record.Frequency = FilingFrequency.Monthly;
                        break;
                    case "quarterly" or "quarter" or "按季" or "按季度" or "季" or "季报":
                        record.Frequency = FilingFrequency.Quarterly;
                        break;
                    default:
                        errors.Add(Error(row, column, $"'{text}' is not a filing frequency; write monthly (按月) or quarterly (按季)."));
                        break;
                }

                break;
            case ColumnType.YesNo:
                switch (TextNormalizer.Key(text.ToString()))
                {
                    case "yes" or "y" or "true" or "1" or "是":
                        record.SetNumber(column, 1, 1);
                        break;
                    case "no" or "n" or "false" or "0" or "否":
                        record.SetNumber(column, 0, 0);
                        break;
                    default:
                        errors.Add(Error(row, column, $"'{text}' is not yes or no; write yes (是) or no (否)."));
                        break;
                }

                break;
            default:
                throw new InvalidOperationException($"Column type {column.Type} has no parser.");
        }
    }

    /// <summary>The contract's consistency check: a declared rate should be what the paid amount says.</summary>
    private void CompareDeclaredWithPaid(List<FilingWarning> warnings)
    {
        var wage = record.Number(wageBase!)!.Value;
        foreach (var (rateColumn, amountColumn) in ratesWithAmounts)
        {
            if (record.Number(rateColumn) is not { } declared || record.Number(amountColumn) is not { } paid)
            {
                continue;
            }

            // paid − wage × declared ÷ 100, compared in hundredths so the hot path never divides. Doubles
            // settle the clear cases (see Approximation); a near miss is decided in exact decimals.
            var approximate = Math.Abs((record.Approximate(amountColumn) * 100) - (record.Approximate(wageBase!) * record.Approximate(rateColumn)));
            if ((approximate < 0.5 && record.Approximate(wageBase!) < Approximation.Range) || Math.Abs((paid * 100m) - (wage * declared)) <= AmountTolerance * 100m)
            {
                continue;
            }

            var effective = (paid / wage * 100m).ToString("0.####", CultureInfo.InvariantCulture);
            warnings.Add(new FilingWarning(
                "RATE_AMOUNT_MISMATCH",
                record.Row,
                $"Row {record.Row}: {rateColumn.Name} declares {declared.ToString(CultureInfo.InvariantCulture)}% but {amountColumn.Name} "
                + $"{paid.ToString(CultureInfo.InvariantCulture)} on a wage base of {wage.ToString(CultureInfo.InvariantCulture)} is {effective}%.",
                amountColumn.Name));
        }
    }

    // Column definitions are records: == would compare every property, so identity is compared instead.
    // The sign bit settles "below zero" without a decimal comparison (-0 is not below zero).
    private static bool IsBelowZero(decimal value) => decimal.IsNegative(value) && value != 0m;

    /// <summary>Empty or white space; the common filled cell is decided by its first character.</summary>
    private static bool IsBlank(ReadOnlySpan<char> text) => text.IsEmpty || (char.IsWhiteSpace(text[0]) && text.IsWhiteSpace());

    private static RowError Error(int row, ColumnDefinition column, string message) =>
        new(row, column.Name, $"Row {row}, column {column.Display}: {message}");
}
