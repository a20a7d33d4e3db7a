namespace Compliance.Core.Filings;

/// <summary>What a filing declares; each kind has its own columns and rules.</summary>
public enum FilingKind
{
    /// <summary>社保公积金缴费明细: one row per employee per month.</summary>
    Payroll,

    /// <summary>税费及涉企收费申报: one row per enterprise per period.</summary>
    Fees,

    /// <summary>涉企收费明细: one row per fee charged.</summary>
    FeeItems,

    /// <summary>国有企业违规经营投资责任追究处理 (国办发〔2016〕63号): one row per responsible person of a case.</summary>
    Accountability,

    /// <summary>省级政府安全生产工作考核 (国办发〔2016〕64号): one row per province and year.</summary>
    SafetyAssessment,
}

/// <summary>The contract's names for <see cref="FilingKind"/>.</summary>
public static class FilingKindNames
{
    public static string ToContractName(this FilingKind kind) => kind switch
    {
        FilingKind.Payroll => "payroll",
        FilingKind.Fees => "fees",
        FilingKind.FeeItems => "fee_items",
        FilingKind.Accountability => "accountability",
        FilingKind.SafetyAssessment => "safety_assessment",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    public static bool TryParse(string? name, out FilingKind kind)
    {
        switch (name?.Trim().ToLowerInvariant())
        {
            case "payroll" or "社保公积金缴费明细":
                kind = FilingKind.Payroll;
                return true;
            case "fees" or "税费及涉企收费申报":
                kind = FilingKind.Fees;
                return true;
            case "fee_items" or "涉企收费明细":
                kind = FilingKind.FeeItems;
                return true;
            case "accountability" or "国有企业违规经营投资责任追究处理" or "责任追究处理":
                kind = FilingKind.Accountability;
                return true;
            case "safety_assessment" or "省级政府安全生产工作考核" or "安全生产工作考核":
                kind = FilingKind.SafetyAssessment;
                return true;
            default:
                kind = default;
                return false;
        }
    }

    /// <summary>Every kind, in declaration order: the one list messages and lookups are built from.</summary>
    public static IReadOnlyList<FilingKind> All { get; } = Enum.GetValues<FilingKind>();

    /// <summary>The contract names of every kind for a message: <c>"payroll", "fees", … or "safety_assessment"</c>.</summary>
    public static string Listed { get; } =
        string.Join(", ", All.SkipLast(1).Select(k => $"\"{k.ToContractName()}\"")) + $" or \"{All[^1].ToContractName()}\"";

    /// <summary><see cref="Listed"/> in both languages, for a message a filer reads.</summary>
    public static Policies.LocalizedText ListedText { get; } = new(
        string.Join("、", All.SkipLast(1).Select(k => $"\"{k.ToContractName()}\"")) + $" 或 \"{All[^1].ToContractName()}\"",
        Listed);
}
