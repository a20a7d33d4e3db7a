using System.Globalization;
using System.Runtime.CompilerServices;
using Compliance.Core.Filings;
using Compliance.Core.Texts;
using static Compliance.Core.Texts.MessageArgs;

namespace Compliance.Core.Reading;

/// <summary>
/// Types one raw record against its kind's columns. Every problem in the row is collected (not just the
/// first) so the filer can fix the row in one go; each names the row and column and what to write instead.
/// </summary>
internal sealed class RecordParser
{
    /// <summary>Half a fen either way is rounding, per row; beyond that a declared rate and its amount disagree.</summary>
    internal const decimal AmountTolerance = 0.01m;

    /// <summary>C0 and C1 controls (tab and line breaks included: an identifier has none), DEL, and the bidi embeddings, overrides and isolates.</summary>
    private static readonly System.Buffers.SearchValues<char> InvisibleControls = System.Buffers.SearchValues.Create(
        "\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\u0009\u000A\u000B\u000C\u000D\u000E\u000F\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001A\u001B\u001C\u001D\u001E\u001F\u007F"
        + "\u0080\u0081\u0082\u0083\u0084\u0085\u0086\u0087\u0088\u0089\u008A\u008B\u008C\u008D\u008E\u008F\u0090\u0091\u0092\u0093\u0094\u0095\u0096\u0097\u0098\u0099\u009A\u009B\u009C\u009D\u009E\u009F"
        + "\u061C\u200E\u200F\u202A\u202B\u202C\u202D\u202E\u2066\u2067\u2068\u2069");

    private readonly FilingSchema schema;
    private readonly ColumnDefinition[] columns;
    private readonly (ColumnDefinition Rate, ColumnDefinition Amount)[] ratesWithAmounts;
    private readonly FilingRecord record;
    private readonly ColumnDefinition? uscc;
    private readonly ColumnDefinition? period;
    private readonly ColumnDefinition? region;
    private readonly ColumnDefinition? periodSource;
    private readonly string defaultUscc;
    private readonly ColumnDefinition? frequency;
    private readonly ColumnDefinition? wageBase;

    // The last valid spelling seen of the values that repeat on every row, and what it parsed to.
    private string? lastUsccText;
    private string lastUscc = string.Empty;
    private string? lastPeriodText;
    private Period lastPeriod;
    private string? lastRegionText;
    private string lastRegion = string.Empty;

    /// <param name="defaultUscc">The enterprise a row is for when its kind has no USCC cell (the uploader's).</param>
    public RecordParser(FilingSchema schema, string? defaultUscc = null)
    {
        this.schema = schema;
        columns = [.. schema.Columns];
        ratesWithAmounts = [.. schema.Columns.Where(c => c.AmountColumn is not null).Select(c => (c, schema[c.AmountColumn!]))];
        record = new FilingRecord(schema);
        uscc = schema.Find("uscc");
        period = schema.Find("period");
        region = schema.Find("region");
        periodSource = schema.Columns.FirstOrDefault(c => c.GivesPeriod);
        this.defaultUscc = defaultUscc ?? string.Empty;
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
                    errors.Add(Error(raw.Row, column, UserMessage.Of(MessageCode.RequiredEmpty, column.Display)));
                }

                continue;
            }

            ParseCell(raw.Row, column, text, errors, warnings);
        }

        if (errors.Count > before)
        {
            return null;
        }

        if (periodSource is not null)
        {
            // Kinds without a period column: a decision's month, an assessment year's December.
            var value = (int)record.Number(periodSource)!.Value;
            record.Period = periodSource.Type == ColumnType.Year ? new Period(value, 12) : new Period(value / 10000, value / 100 % 100);
        }

        if (uscc is null || record.Uscc.Length == 0)
        {
            record.Uscc = defaultUscc;
        }

        if (region is null || record.Region.Length == 0)
        {
            // The registration authority's division is characters 3–8 of a USCC (GB 32100-2015).
            record.Region = RegionCode.TryFromUscc(record.Uscc, out var registered) ? registered.Value : string.Empty;
        }

        if (record.Frequency == FilingFrequency.Quarterly && !record.Period.IsQuarterEnd)
        {
            errors.Add(Error(raw.Row, period!, UserMessage.Of(MessageCode.QuarterlyPeriod, record.Period.ToString())));
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
    /// <remarks>Inlined into <see cref="Parse"/>: called for every cell, its frame was set up and zeroed twelve times a row.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
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
            case ColumnType.Text when !text.IsEmpty && !text.ContainsAnyExcept(AsciiSets.Visible):
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

    /// <summary>Types a cell the short way could not, saying what is wrong with it when it cannot be typed.</summary>
    private void ParseCell(int row, ColumnDefinition column, ReadOnlySpan<char> text, List<RowError> errors, List<FilingWarning> warnings)
    {
        var problem = column.Type switch
        {
            ColumnType.Uscc => TypeUscc(text),
            ColumnType.Period => TypePeriod(text),
            ColumnType.Region => TypeRegion(text),
            ColumnType.Text => TypeText(column, text),
            ColumnType.Rate => TypeRate(column, text),
            ColumnType.Amount => TypeAmount(row, column, text, warnings),
            ColumnType.Frequency => TypeFrequency(text),
            ColumnType.Date => TypeDate(column, text),
            ColumnType.Year => TypeYear(column, text),
            ColumnType.Choice => TypeChoice(column, text),
            ColumnType.BanYears => TypeBanYears(column, text),
            ColumnType.Score => TypeScore(column, text),
            ColumnType.YesNo => TypeYesNo(column, text),
            _ => throw new InvalidOperationException($"Column type {column.Type} has no parser."),
        };
        if (problem is not null)
        {
            errors.Add(Error(row, column, problem));
        }
    }

    // A filing repeats the same code on every row: each distinct spelling is validated once.
    private UserMessage? TypeUscc(ReadOnlySpan<char> text)
    {
        if (text.SequenceEqual(lastUsccText))
        {
            record.Uscc = lastUscc;
            return null;
        }

        if (!Uscc.TryValidate(text.ToString(), out var code, out var reason))
        {
            return reason!;
        }

        (lastUsccText, lastUscc) = (text.ToString(), code);
        record.Uscc = code;
        return null;
    }

    private UserMessage? TypePeriod(ReadOnlySpan<char> text)
    {
        if (text.SequenceEqual(lastPeriodText))
        {
            record.Period = lastPeriod;
            return null;
        }

        if (!(Period.TryParse(text.ToString(), out var p) || FirstOfMonth(text, out p)) || p is not { } parsed)
        {
            return UserMessage.Of(MessageCode.NotAPeriod, text.ToString());
        }

        (lastPeriodText, lastPeriod) = (text.ToString(), parsed);
        record.Period = parsed;
        return null;
    }

    private UserMessage? TypeRegion(ReadOnlySpan<char> text)
    {
        if (text.SequenceEqual(lastRegionText))
        {
            record.Region = lastRegion;
            return null;
        }

        if (!RegionCode.TryParse(TextNormalizer.Normalize(text.ToString()), out var regionCode))
        {
            return UserMessage.Of(MessageCode.NotARegion, text.ToString());
        }

        (lastRegionText, lastRegion) = (text.ToString(), regionCode.Value);
        record.Region = regionCode.Value;
        return null;
    }

    // Plain identifiers were kept raw by TryTypeCommonCell; what reaches here needs normalising. Control and
    // bidirectional-override characters are invisible on screen yet change what a log line, terminal or review
    // page shows (an ID that reads backwards), so they are refused.
    private UserMessage? TypeText(ColumnDefinition column, ReadOnlySpan<char> text)
    {
        if (text.IndexOfAny(InvisibleControls) is >= 0 and var at)
        {
            return UserMessage.Of(MessageCode.ControlCharacter, ((int)text[at]).ToString("X4", CultureInfo.InvariantCulture), Num(at + 1));
        }

        record.SetText(column, TextNormalizer.Normalize(text.ToString()));
        return null;
    }

    private UserMessage? TypeRate(ColumnDefinition column, ReadOnlySpan<char> text)
    {
        if (!NumberParser.TryParseRate(text, out var rate, out var approximate))
        {
            return UserMessage.Of(MessageCode.NotARate, text.ToString());
        }

        if (IsBelowZero(rate) || rate > 100m)
        {
            return UserMessage.Of(MessageCode.RateOutOfRange, rate.ToString(CultureInfo.InvariantCulture));
        }

        record.SetNumber(column, rate, approximate);
        return null;
    }

    private UserMessage? TypeAmount(int row, ColumnDefinition column, ReadOnlySpan<char> text, List<FilingWarning> warnings)
    {
        if (!NumberParser.TryParseAmount(text, out var amount, out var approximate))
        {
            return UserMessage.Of(MessageCode.NotAnAmount, text.ToString());
        }

        var isWageBase = ReferenceEquals(column, wageBase);
        if (IsBelowZero(amount) || (isWageBase && amount == 0m))
        {
            return UserMessage.Of(isWageBase ? MessageCode.WageBaseNotPositive : MessageCode.AmountNegative);
        }

        if (amount.Scale > 2 && NumberParser.Scale(amount) > 2)
        {
            warnings.Add(new FilingWarning("AMOUNT_PRECISION", row, UserMessage.Of(MessageCode.WarnAmountPrecision, MessageArgs.Num(row), column.Display, amount.ToString(CultureInfo.InvariantCulture)), column.Name));
        }

        record.SetNumber(column, amount, approximate);
        return null;
    }

    private UserMessage? TypeFrequency(ReadOnlySpan<char> text)
    {
        switch (TextNormalizer.Key(text.ToString()))
        {
            case "monthly" or "month" or "按月" or "月" or "月报":
                record.Frequency = FilingFrequency.Monthly;
                return null;
            case "quarterly" or "quarter" or "按季" or "按季度" or "季" or "季报":
                record.Frequency = FilingFrequency.Quarterly;
                return null;
            default:
                return UserMessage.Of(MessageCode.NotAFrequency, text.ToString());
        }
    }

    private UserMessage? TypeDate(ColumnDefinition column, ReadOnlySpan<char> text)
    {
        if (ParseDate(text) is not { } date)
        {
            return UserMessage.Of(MessageCode.NotADate, text.ToString());
        }

        record.SetNumber(column, date, date);
        return null;
    }

    private UserMessage? TypeYear(ColumnDefinition column, ReadOnlySpan<char> text)
    {
        var yearText = TextNormalizer.Normalize(text.ToString()).TrimEnd('年').Trim();
        if (yearText.Length != 4 || !int.TryParse(yearText, NumberStyles.None, CultureInfo.InvariantCulture, out var year) || year is < 1990 or > 2100)
        {
            return UserMessage.Of(MessageCode.NotAYear, text.ToString());
        }

        record.SetNumber(column, year, year);
        return null;
    }

    private UserMessage? TypeChoice(ColumnDefinition column, ReadOnlySpan<char> text)
    {
        if (!column.Choices.TryGetValue(TextNormalizer.Key(text.ToString()), out var canonical))
        {
            return UserMessage.Of(MessageCode.NotAChoice, text.ToString(), string.Join(", ", column.Choices.Values.Distinct()));
        }

        record.SetText(column, canonical);
        return null;
    }

    private UserMessage? TypeBanYears(ColumnDefinition column, ReadOnlySpan<char> text)
    {
        if (TextNormalizer.Key(text.ToString()) is "lifetime" or "终身" or "永久" or "permanent")
        {
            record.SetNumber(column, BanYears.Lifetime, (double)BanYears.Lifetime);
            return null;
        }

        if (!NumberParser.TryParseAmount(text, out var years, out var approximate) || IsBelowZero(years) || years >= BanYears.Lifetime)
        {
            return UserMessage.Of(MessageCode.NotBanYears, text.ToString());
        }

        record.SetNumber(column, years, approximate);
        return null;
    }

    private UserMessage? TypeScore(ColumnDefinition column, ReadOnlySpan<char> text)
    {
        if (!NumberParser.TryParseAmount(text, out var score, out var approximate) || IsBelowZero(score) || score > 100m)
        {
            return UserMessage.Of(MessageCode.NotAScore, text.ToString());
        }

        record.SetNumber(column, score, approximate);
        return null;
    }

    private UserMessage? TypeYesNo(ColumnDefinition column, ReadOnlySpan<char> text)
    {
        switch (TextNormalizer.Key(text.ToString()))
        {
            case "yes" or "y" or "true" or "1" or "是":
                record.SetNumber(column, 1, 1);
                return null;
            case "no" or "n" or "false" or "0" or "否":
                record.SetNumber(column, 0, 0);
                return null;
            default:
                return UserMessage.Of(MessageCode.NotYesNo, text.ToString());
        }
    }

    /// <summary>The contract's consistency check: a declared rate should be what the paid amount says.</summary>
    private void CompareDeclaredWithPaid(List<FilingWarning> warnings)
    {
        ref readonly var wage = ref record.Figure(wageBase);
        if (!wage.Given)
        {
            return;
        }

        foreach (var (rateColumn, amountColumn) in ratesWithAmounts)
        {
            ref readonly var declared = ref record.Figure(rateColumn);
            ref readonly var paid = ref record.Figure(amountColumn);
            if (!declared.Given || !paid.Given)
            {
                continue;
            }

            // paid − wage × declared ÷ 100, compared in hundredths so the hot path never divides. Doubles
            // settle the clear cases (see Approximation); a near miss is decided in exact decimals.
            var approximate = Math.Abs((paid.Approximate * 100) - (wage.Approximate * declared.Approximate));
            if ((approximate < 0.5 && wage.Approximate < Approximation.Range) || Math.Abs((paid.Exact * 100m) - (wage.Exact * declared.Exact)) <= AmountTolerance * 100m)
            {
                continue;
            }

            warnings.Add(Mismatch(rateColumn, declared.Exact, amountColumn, paid.Exact, wage.Exact));
        }
    }

    // Apart from the comparison, as the rules' violations are: inlined, the message's arguments made the per-row
    // method reserve and zero stack for them on every row.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private FilingWarning Mismatch(ColumnDefinition rateColumn, decimal declared, ColumnDefinition amountColumn, decimal paid, decimal wage) => new(
        "RATE_AMOUNT_MISMATCH",
        record.Row,
        UserMessage.Of(
            MessageCode.WarnRateAmountMismatch,
            MessageArgs.Num(record.Row),
            rateColumn.Name,
            declared.ToString(CultureInfo.InvariantCulture),
            amountColumn.Name,
            paid.ToString(CultureInfo.InvariantCulture),
            wage.ToString(CultureInfo.InvariantCulture),
            (paid / wage * 100m).ToString("0.####", CultureInfo.InvariantCulture)),
        amountColumn.Name);

    // Column definitions are records: == would compare every property, so identity is compared instead.
    // The sign bit settles "below zero" without a decimal comparison (-0 is not below zero).
    private static bool IsBelowZero(decimal value) => decimal.IsNegative(value) && value != 0m;

    /// <summary>Empty or white space; the common filled cell is decided by its first character.</summary>
    private static bool IsBlank(ReadOnlySpan<char> text) => text.IsEmpty || (char.IsWhiteSpace(text[0]) && text.IsWhiteSpace());

    /// <summary>A date on the first of a month stands for that month: what Excel makes of a typed 2016-06.</summary>
    private static bool FirstOfMonth(ReadOnlySpan<char> text, out Period? period)
    {
        period = ParseDate(text) is { } date && date % 100 == 1 ? new Period(date / 10000, date / 100 % 100) : null;
        return period is not null;
    }

    /// <summary>yyyy-MM-dd, yyyy/M/d, yyyy.M.d, yyyyMMdd or yyyy年M月d日 (an XLSX date cell arrives as yyyy-MM-dd), as the number yyyyMMdd.</summary>
    private static int? ParseDate(ReadOnlySpan<char> text)
    {
        var s = TextNormalizer.Normalize(text.ToString()).Trim().TrimEnd('日');
        if (s.Length == 8 && s.All(char.IsAsciiDigit))
        {
            s = $"{s[..4]}-{s[4..6]}-{s[6..]}";
        }

        var parts = s.Split(['-', '/', '.', '年', '月']);
        return parts.Length == 3
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var y) && parts[0].Length == 4
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var m) && parts[1].Length <= 2
            && int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var d) && parts[2].Length <= 2
            && y is >= 1990 and <= 2100 && m is >= 1 and <= 12 && d >= 1 && d <= DateTime.DaysInMonth(y, m)
            ? (y * 10000) + (m * 100) + d
            : null;
    }

    private static RowError Error(int row, ColumnDefinition column, UserMessage message) =>
        new(row, column.Name, UserMessage.Of(MessageCode.AtCell, Num(row), column.Display, message));
}
