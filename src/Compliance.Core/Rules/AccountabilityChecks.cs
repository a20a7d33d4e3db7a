using Compliance.Core.Filings;
using Compliance.Core.Policies;

namespace Compliance.Core.Rules;

/// <summary>
/// <c>soe-deduction-range</c> (国办发〔2016〕63号 五(二)): for a loss level and a kind of responsibility, the
/// share of performance pay and of tenure incentive income deducted must lie in the range the standard
/// sets, and the ban on new medium- and long-term incentives must last at least as long. The cells (loss
/// level × responsibilities) are data; a row whose cell the catalog has none for (一般 loss: the seed
/// leaves its standards to each owner) is not applicable, as is a measure the row leaves empty.
/// </summary>
internal sealed class SoeDeductionCheck : IRuleCheck
{
    private readonly ColumnDefinition lossLevel;
    private readonly ColumnDefinition responsibility;
    private readonly ColumnDefinition performancePay;
    private readonly ColumnDefinition tenureIncentive;
    private readonly ColumnDefinition banYears;
    private readonly Dictionary<(string, string), Cell> cells = [];
    private readonly Dictionary<Cell, Citation> citations = [];

    public SoeDeductionCheck(FilingSchema schema, Parameters parameters, string where)
    {
        lossLevel = RuleKinds.Column(schema, parameters.LossLevelField ?? "loss_level", ColumnType.Choice, where);
        responsibility = RuleKinds.Column(schema, parameters.ResponsibilityField ?? "responsibility", ColumnType.Choice, where);
        performancePay = RuleKinds.Column(schema, parameters.PerformancePayField ?? "performance_pay_deduction_pct", ColumnType.Rate, where);
        tenureIncentive = RuleKinds.Column(schema, parameters.TenureIncentiveField ?? "tenure_incentive_deduction_pct", ColumnType.Rate, where);
        banYears = RuleKinds.Column(schema, parameters.BanYearsField ?? "incentive_ban_years", ColumnType.BanYears, where);
        if (parameters.Cells is not { Count: > 0 })
        {
            throw new PolicyCatalogException($"{where}: parameter \"cells\" lists no loss level and responsibility.");
        }

        foreach (var cell in parameters.Cells)
        {
            var level = RuleKinds.Choice(lossLevel, cell.LossLevel, where);
            if (cell.Responsibilities is not { Count: > 0 })
            {
                throw new PolicyCatalogException($"{where}: the {level} cell names no responsibility.");
            }

            if (cell.Citation is { } own)
            {
                citations[cell] = own.ToCitation($"the {level} cell", where);
            }

            foreach (var range in new[] { cell.PerformancePay, cell.TenureIncentive }.OfType<Range>())
            {
                if (range.Min is < 0 or > 100 || range.Max is < 0 or > 100 || range.Min > range.Max)
                {
                    throw new PolicyCatalogException($"{where}: the {level} cell has a percent range outside 0–100 or upside down.");
                }
            }

            foreach (var who in cell.Responsibilities)
            {
                if (!cells.TryAdd((level, RuleKinds.Choice(responsibility, who, where)), cell))
                {
                    throw new PolicyCatalogException($"{where}: {level} × {who} is listed twice.");
                }
            }
        }
    }

    public string Summary => string.Join("; ", cells.GroupBy(c => c.Value).Select(g =>
        $"{g.First().Key.Item1}/{string.Join("、", g.Select(c => c.Key.Item2))}: {Describe(g.Key)}"));

    public RuleOutcome Evaluate(FilingRecord record, RuleHit hit, ICollection<Violation> violations)
    {
        if (record.Text(lossLevel) is not { } level || record.Text(responsibility) is not { } who || !cells.TryGetValue((level, who), out var cell))
        {
            return RuleOutcome.NotApplicable;
        }

        var citation = citations.GetValueOrDefault(cell);
        var measured = 0;
        var violated = 0;
        foreach (var (column, range, what) in new[] { (performancePay, cell.PerformancePay, "performance pay"), (tenureIncentive, cell.TenureIncentive, "tenure incentive income") })
        {
            if (range is null || record.Number(column) is not { } deducted)
            {
                continue;
            }

            measured++;
            if (deducted < (range.Min ?? 0) || deducted > (range.Max ?? 100))
            {
                violated++;
                violations.Add(hit.Violation(record, column.Name, deducted, Percent(range),
                    $"{level} loss, {who}: {RuleKinds.Number(deducted)}% of {what} deducted; the standard is {Percent(range)}.", citation));
            }
        }

        if (cell.BanYears is { } ban && record.Number(banYears) is { } years)
        {
            measured++;
            var required = ban.Lifetime ? BanYears.Lifetime : ban.Min ?? 0;
            if (years < required)
            {
                violated++;
                violations.Add(hit.Violation(record, banYears.Name, years, ban.Lifetime ? "lifetime (终身)" : $">= {RuleKinds.Number(required)} years",
                    $"{level} loss, {who}: barred from new incentives for {BanYears.Display(years)}; the standard is {(ban.Lifetime ? "for good" : $"at least {RuleKinds.Number(required)} years")}.", citation));
            }
        }

        return measured == 0 ? RuleOutcome.NotApplicable : violated > 0 ? RuleOutcome.Violated : RuleOutcome.Passed;
    }

    private static string Percent(Range range) =>
        range.Min == range.Max ? $"= {RuleKinds.Number(range.Min ?? 0)}%" : $"{RuleKinds.Number(range.Min ?? 0)}%–{RuleKinds.Number(range.Max ?? 100)}%";

    private static string Describe(Cell cell) =>
        string.Join(", ", new[]
        {
            cell.PerformancePay is { } p ? $"performance pay {Percent(p)}" : null,
            cell.TenureIncentive is { } t ? $"tenure incentive {Percent(t)}" : null,
            cell.BanYears is { } b ? b.Lifetime ? "no new incentives for good" : $"incentive ban >= {RuleKinds.Number(b.Min ?? 0)} years" : null,
        }.OfType<string>());

    internal sealed class Parameters
    {
        public string? LossLevelField { get; set; }

        public string? ResponsibilityField { get; set; }

        public string? PerformancePayField { get; set; }

        public string? TenureIncentiveField { get; set; }

        public string? BanYearsField { get; set; }

        public List<Cell>? Cells { get; set; }
    }

    /// <summary>One loss level and the responsibilities that share its standard.</summary>
    internal sealed class Cell
    {
        public string? LossLevel { get; set; }

        public List<string>? Responsibilities { get; set; }

        public Range? PerformancePay { get; set; }

        public Range? TenureIncentive { get; set; }

        public Ban? BanYears { get; set; }

        public PolicyCatalog.CitationDocument? Citation { get; set; }
    }

    /// <summary>A percent range; both ends included.</summary>
    internal sealed class Range
    {
        public decimal? Min { get; set; }

        public decimal? Max { get; set; }
    }

    internal sealed class Ban
    {
        public decimal? Min { get; set; }

        public bool Lifetime { get; set; }
    }
}
