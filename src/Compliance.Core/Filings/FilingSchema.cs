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

    /// <summary>A calendar date (yyyy-MM-dd, yyyy/M/d, yyyyMMdd, yyyy年M月d日), held as the number yyyyMMdd.</summary>
    Date,

    /// <summary>A calendar year (2016 or 2016年), held as a number.</summary>
    Year,

    /// <summary>One of the values in <see cref="ColumnDefinition.Choices"/>, held as its canonical (Chinese) text.</summary>
    Choice,

    /// <summary>A number of years, or lifetime (终身), held as a number with lifetime as <see cref="BanYears.Lifetime"/>.</summary>
    BanYears,

    /// <summary>An assessment score: a number from 0 to 100 with up to two decimals.</summary>
    Score,
}

/// <summary>The "ban years" convention: lifetime is a number larger than any term.</summary>
public static class BanYears
{
    /// <summary>What 终身 (lifetime) reads as: longer than any term a rule can ask for.</summary>
    public const decimal Lifetime = 999m;

    public static string Display(decimal years) => years >= Lifetime ? "lifetime (终身)" : $"{years:0.##} years";
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

    /// <summary>For a <see cref="ColumnType.Choice"/> column: each accepted spelling (normalised key) and the canonical value it stands for.</summary>
    public IReadOnlyDictionary<string, string> Choices { get; init; } = new Dictionary<string, string>();

    /// <summary>The row's filing period comes from this column (a decision date's month, a year's December) where the kind has no period column.</summary>
    public bool GivesPeriod { get; init; }

    public string Display => $"{Name} ({ChineseName})";
}

/// <summary>The columns of one filing kind, and the lookup from any accepted header spelling to a column.</summary>
public sealed class FilingSchema
{
    private readonly FrozenDictionary<string, ColumnDefinition> byKey;

    private FilingSchema(FilingKind kind, string chineseName, IEnumerable<ColumnDefinition> columns, string[] signature, string? subject = null)
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
        Subject = subject is null ? null : byKey[TextNormalizer.Key(subject)];
    }

    /// <summary>The column that names what a row is about, for reports: the employee, the fee item, the case, the province.</summary>
    public ColumnDefinition? Subject { get; }

    public FilingKind Kind { get; }

    public string ChineseName { get; }

    /// <summary>The kind's name as a message argument: 社保公积金缴费明细 in Chinese, the contract's name in English.</summary>
    public Policies.LocalizedText Name => new(ChineseName, Kind.ToContractName());

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
        ["employee_id", "wage_base"],
        "employee_id");

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
        ["item"],
        "item");

    /// <summary>
    /// 国办发〔2016〕63号: one row per responsible person. No period column: the period is the month of the
    /// decision (责任认定). No region column needed: it defaults to the registration authority's division in
    /// the USCC (characters 3–8).
    /// </summary>
    public static FilingSchema Accountability { get; } = new(
        FilingKind.Accountability,
        "国有企业违规经营投资责任追究处理",
        [
            new("uscc", "统一社会信用代码", ColumnType.Uscc, true, 0) { Aliases = ["信用代码", "社会信用代码"] },
            new("region", "行政区划代码", ColumnType.Region, false, 0) { Aliases = ["行政区划"] },
            new("case_id", "案件编号", ColumnType.Text, true, 0) { Aliases = ["案号"] },
            new("decision_date", "责任认定日期", ColumnType.Date, true, 0) { Aliases = ["认定日期", "处理决定日期"], GivesPeriod = true },
            new("loss_level", "资产损失程度", ColumnType.Choice, true, 0)
            {
                Aliases = ["损失程度", "资产损失"],
                Choices = Choice(("一般", ["一般资产损失", "general"]), ("较大", ["较大资产损失", "significant", "larger"]), ("重大", ["重大资产损失", "major"])),
            },
            new("responsibility", "责任类型", ColumnType.Choice, true, 0)
            {
                Aliases = ["责任"],
                Choices = Choice(("直接责任", ["直接", "direct"]), ("主管责任", ["主管", "supervisory"]), ("领导责任", ["领导", "leadership"])),
            },
            new("performance_pay_deduction_pct", "扣减绩效年薪比例", ColumnType.Rate, false, 0) { Aliases = ["绩效年薪扣减比例"] },
            new("tenure_incentive_deduction_pct", "扣减任期激励比例", ColumnType.Rate, false, 0) { Aliases = ["任期激励收入扣减比例"] },
            new("incentive_ban_years", "不得参加中长期激励年限", ColumnType.BanYears, false, 0) { Aliases = ["中长期激励禁入年限"] },
        ],
        ["loss_level", "responsibility"],
        "case_id");

    /// <summary>
    /// 国办发〔2016〕64号: one row per province and assessment year. No period column: the period is the
    /// year's December. The USCC column is optional: the submitting government is the uploader.
    /// </summary>
    public static FilingSchema SafetyAssessment { get; } = new(
        FilingKind.SafetyAssessment,
        "省级政府安全生产工作考核",
        [
            new("uscc", "统一社会信用代码", ColumnType.Uscc, false, 0) { Aliases = ["信用代码", "社会信用代码"] },
            new("region", "行政区划代码", ColumnType.Region, true, 0) { Aliases = ["行政区划", "省份代码"] },
            new("year", "考核年度", ColumnType.Year, true, 0) { Aliases = ["年度"], GivesPeriod = true },
            new("score", "考核得分", ColumnType.Score, true, 0) { Aliases = ["得分"] },
            new("bonus", "加分", ColumnType.Score, false, 0) { Default = "0" },
            new("grade", "考核等级", ColumnType.Choice, true, 0)
            {
                Aliases = ["等级", "考核结果"],
                Choices = Choice(("优秀", ["excellent"]), ("良好", ["good"]), ("合格", ["pass", "passed", "qualified"]), ("不合格", ["fail", "failed", "unqualified"])),
            },
            new("special_major_accident", "是否发生特别重大事故", ColumnType.YesNo, false, 0) { Aliases = ["特别重大事故"], Default = "no" },
            new("self_report_date", "自评报告报送日期", ColumnType.Date, false, 0) { Aliases = ["自评报告报送时间", "报送日期"] },
        ],
        ["special_major_accident", "self_report_date", "grade"],
        "region");

    public static FilingSchema For(FilingKind kind) => kind switch
    {
        FilingKind.Payroll => Payroll,
        FilingKind.Fees => Fees,
        FilingKind.FeeItems => FeeItems,
        FilingKind.Accountability => Accountability,
        FilingKind.SafetyAssessment => SafetyAssessment,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>What tells each kind apart in a header, from the schemas: "A payroll filing has employee_id (职工编号) or …".</summary>
    public static Policies.LocalizedText Signatures { get; } = new(
        string.Join("；", FilingKindNames.All.Select(For).Select(schema =>
            $"{schema.Kind.ToContractName()} 申报须有 {string.Join(" 或 ", schema.Signature.Select(name => schema.Columns.Single(c => c.Name == name).Display))}")),
        "A " + string.Join("; a ", FilingKindNames.All.Select(For).Select(schema =>
            $"{schema.Kind.ToContractName()} filing has {string.Join(" or ", schema.Signature.Select(name => schema.Columns.Single(c => c.Name == name).Display))}")));

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

    private static Dictionary<string, string> Choice(params (string Canonical, string[] Others)[] values)
    {
        var choices = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (canonical, others) in values)
        {
            foreach (var spelling in others.Prepend(canonical))
            {
                choices[TextNormalizer.Key(spelling)] = canonical;
            }
        }

        return choices;
    }

    private static ColumnDefinition[] Common() =>
    [
        new("uscc", "统一社会信用代码", ColumnType.Uscc, true, 0) { Aliases = ["信用代码", "社会信用代码"] },
        new("period", "所属期", ColumnType.Period, true, 0) { Aliases = ["所属期间", "税款所属期"] },
        new("region", "行政区划代码", ColumnType.Region, true, 0) { Aliases = ["行政区划"] },
    ];
}
