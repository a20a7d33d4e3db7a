using System.Collections.Frozen;

namespace Compliance.Core.Filings;

/// <summary>How a column's text is read.</summary>
public enum ColumnType
{
    Text,
    Uscc,
    Period,
    Region,
    Rate,
    Amount,
    Frequency,
    YesNo,
}

/// <summary>One column of a filing kind, with its contract names.</summary>
/// <param name="Name">The English snake_case name, also the key used in reports and the catalog.</param>
/// <param name="ChineseName">The Chinese header the contract accepts.</param>
public sealed record ColumnDefinition(string Name, string ChineseName, ColumnType Type, bool Required, int Ordinal)
{
    /// <summary>For a rate column, the amount column whose value ÷ wage base is the effective rate.</summary>
    public string? AmountColumn { get; init; }

    /// <summary>The value an absent column or empty cell stands for, where the contract gives one.</summary>
    public string? Default { get; init; }

    /// <summary>Other spellings seen in real exports.</summary>
    public IReadOnlyList<string> Aliases { get; init; } = [];

    public string Display => $"{Name} ({ChineseName})";
}

/// <summary>The columns of one filing kind, and the lookup from any accepted header spelling to a column.</summary>
public sealed class FilingSchema
{
    private readonly FrozenDictionary<string, ColumnDefinition> byKey;

    private FilingSchema(FilingKind kind, string chineseName, IEnumerable<ColumnDefinition> columns, string[] signature)
    {
        Kind = kind;
        ChineseName = chineseName;
        Columns = [.. columns.Select((c, i) => c with { Ordinal = i })];
        Signature = signature;
        var keys = new Dictionary<string, ColumnDefinition>(StringComparer.Ordinal);
        foreach (var column in Columns)
        {
            keys[TextNormalizer.Key(column.Name)] = column;
            keys[TextNormalizer.Key(column.ChineseName)] = column;
            foreach (var alias in column.Aliases)
            {
                keys[TextNormalizer.Key(alias)] = column;
            }
        }

        byKey = keys.ToFrozenDictionary(StringComparer.Ordinal);
    }

    public FilingKind Kind { get; }

    public string ChineseName { get; }

    public IReadOnlyList<ColumnDefinition> Columns { get; }

    /// <summary>Columns only this kind has; a header that carries them is this kind.</summary>
    public IReadOnlyList<string> Signature { get; }

    public ColumnDefinition this[string name] =>
        Find(name) ?? throw new KeyNotFoundException($"The {Kind.ToContractName()} kind has no column '{name}'.");

    /// <summary>Finds the column a header names (English or Chinese, any case, surrounding spaces ignored).</summary>
    public ColumnDefinition? Find(string header) => byKey.GetValueOrDefault(TextNormalizer.Key(header));

    public static FilingSchema Payroll { get; } = new(
        FilingKind.Payroll,
        "社保公积金缴费明细",
        [
            .. Common(),
            new("employee_id", "职工编号", ColumnType.Text, true, 0) { Aliases = ["员工编号", "工号"] },
            new("wage_base", "缴费基数", ColumnType.Amount, true, 0),
            new("pension_employer_rate", "养老保险单位缴费比例", ColumnType.Rate, false, 0) { AmountColumn = "pension_employer_amount" },
            new("unemployment_employer_rate", "失业保险单位费率", ColumnType.Rate, false, 0) { AmountColumn = "unemployment_employer_amount" },
            new("unemployment_employee_rate", "失业保险个人费率", ColumnType.Rate, false, 0) { AmountColumn = "unemployment_employee_amount" },
            new("housing_fund_employer_rate", "住房公积金单位缴存比例", ColumnType.Rate, false, 0) { AmountColumn = "housing_fund_employer_amount" },
            new("housing_fund_employee_rate", "住房公积金个人缴存比例", ColumnType.Rate, false, 0) { AmountColumn = "housing_fund_employee_amount" },
            new("pension_employer_amount", "养老保险单位缴费额", ColumnType.Amount, false, 0),
            new("unemployment_employer_amount", "失业保险单位缴费额", ColumnType.Amount, false, 0),
            new("unemployment_employee_amount", "失业保险个人缴费额", ColumnType.Amount, false, 0),
            new("housing_fund_employer_amount", "住房公积金单位缴存额", ColumnType.Amount, false, 0),
            new("housing_fund_employee_amount", "住房公积金个人缴存额", ColumnType.Amount, false, 0),
        ],
        ["employee_id", "wage_base"]);

    public static FilingSchema Fees { get; } = new(
        FilingKind.Fees,
        "税费及涉企收费申报",
        [
            .. Common(),
            new("filing_frequency", "申报周期", ColumnType.Frequency, false, 0) { Default = "monthly" },
            new("sales", "销售额或营业额", ColumnType.Amount, true, 0) { Aliases = ["销售额", "营业额"] },
            new("education_surcharge", "教育费附加", ColumnType.Amount, false, 0) { Default = "0" },
            new("local_education_surcharge", "地方教育附加", ColumnType.Amount, false, 0) { Default = "0" },
            new("water_conservancy_fund", "水利建设基金", ColumnType.Amount, false, 0) { Default = "0" },
            new("exemption_claimed", "是否享受免征", ColumnType.YesNo, false, 0) { Default = "no" },
        ],
        ["sales"]);

    public static FilingSchema FeeItems { get; } = new(
        FilingKind.FeeItems,
        "涉企收费明细",
        [
            .. Common(),
            new("item", "收费项目", ColumnType.Text, true, 0),
            new("collector", "收费单位", ColumnType.Text, false, 0),
            new("amount", "金额", ColumnType.Amount, true, 0),
        ],
        ["item"]);

    public static FilingSchema For(FilingKind kind) => kind switch
    {
        FilingKind.Payroll => Payroll,
        FilingKind.Fees => Fees,
        FilingKind.FeeItems => FeeItems,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>
    /// Recognises the kind from header names: the kind whose signature columns are present. Null when no
    /// kind or more than one matches, so the caller can say which columns it expected.
    /// </summary>
    public static FilingSchema? Recognise(IEnumerable<string> headers)
    {
        var list = headers.ToList();
        var matches = FilingKindNames.All.Select(For)
            .Where(schema => schema.Signature.Any(sig => list.Any(h => schema.Find(h)?.Name == sig)))
            .ToList();
        return matches.Count == 1 ? matches[0] : null;
    }

    private static ColumnDefinition[] Common() =>
    [
        new("uscc", "统一社会信用代码", ColumnType.Uscc, true, 0) { Aliases = ["信用代码", "社会信用代码"] },
        new("period", "所属期", ColumnType.Period, true, 0) { Aliases = ["所属期间", "税款所属期"] },
        new("region", "行政区划代码", ColumnType.Region, true, 0) { Aliases = ["行政区划"] },
    ];
}
