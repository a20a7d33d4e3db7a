using System.Runtime.CompilerServices;
using Compliance.Core.Filings;
using Compliance.Core.Policies;

namespace Compliance.Core.Rules;

/// <summary>A contribution: the declared rate column and, where the filing has it, the amount actually paid.</summary>
internal sealed class RateComponent
{
    public string? Rate { get; set; }

    /// <summary>Defaults to the rate column's paired amount column.</summary>
    public string? Amount { get; set; }
}

/// <summary>A rate column with its amount column resolved against the schema.</summary>
internal readonly record struct BoundComponent(ColumnDefinition Rate, ColumnDefinition? Amount)
{
    public static BoundComponent[] Bind(FilingSchema schema, List<RateComponent>? components, string where)
    {
        if (components is not { Count: > 0 })
        {
            throw new PolicyCatalogException($"{where}: parameter \"components\" needs at least one rate column.");
        }

        return
        [
            .. components.Select(c =>
            {
                var rate = RuleKinds.Column(schema, c.Rate, ColumnType.Rate, where);
                var amountName = c.Amount ?? rate.AmountColumn;
                var amount = amountName is null ? null : RuleKinds.Column(schema, amountName, ColumnType.Amount, where);
                return new BoundComponent(rate, amount);
            }),
        ];
    }
}

/// <summary>
/// <c>rate-ceiling</c>: each component's rate must not exceed <c>max</c> percent. Checked against the
/// declared rate and, where an amount is given, the effective rate (amount ÷ wage base): a filing that
/// declares 12% but pays 15% is caught. The paid amount may exceed the ceiling by one fen of rounding.
/// </summary>
internal sealed class RateCeilingCheck : IRuleCheck
{
    private readonly BoundComponent[] components;
    private readonly ColumnDefinition wageBase;
    private readonly PercentCeiling ceiling;
    private readonly string limit;

    public RateCeilingCheck(FilingSchema schema, Parameters parameters, string where)
    {
        components = BoundComponent.Bind(schema, parameters.Components, where);
        wageBase = RuleKinds.Column(schema, parameters.Base ?? "wage_base", ColumnType.Amount, where);
        var max = RuleKinds.Required(parameters.Max, "max", where);
        if (max is < 0 or > 100)
        {
            throw new PolicyCatalogException($"{where}: max {max} is not a percent.");
        }

        ceiling = new PercentCeiling(max);
        limit = $"<= {RuleKinds.Number(max)}";
    }

    public string Summary => $"{string.Join(", ", components.Select(c => c.Rate.Name))} <= {RuleKinds.Number(ceiling.Max)}%";

    public RuleOutcome Evaluate(FilingRecord record, RuleHit hit, ICollection<Violation> violations)
    {
        var outcome = RuleOutcome.NotApplicable;
        ref readonly var wage = ref record.Figure(wageBase);
        foreach (var component in components)
        {
            ref readonly var declared = ref record.Figure(component.Rate);
            ref readonly var paid = ref record.Figure(component.Amount);
            if (!declared.Given && !paid.Given)
            {
                continue;
            }

            outcome = outcome == RuleOutcome.NotApplicable ? RuleOutcome.Passed : outcome;

            // The clause: the rate declared is at most max%; and what is paid is at most max% of the wage base.
            if (declared.Given && ceiling.IsExceededBy(declared))
            {
                violations.Add(RateAbove(record, hit, component.Rate, declared.Exact));
                outcome = RuleOutcome.Violated;
            }
            else if (paid.Given && wage.Given && ceiling.IsExceededByPaid(paid, wage))
            {
                violations.Add(PaidAbove(record, hit, component.Amount!, paid.Exact, wage.Exact));
                outcome = RuleOutcome.Violated;
            }
        }

        return outcome;
    }

    // The violations are written apart from the comparisons: inlined, their interpolated messages made the per-row
    // method reserve and zero hundreds of bytes of stack on every row.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private Violation RateAbove(FilingRecord record, RuleHit hit, ColumnDefinition rate, decimal declared) =>
        hit.Violation(record, rate.Name, declared, limit, $"{rate.Name} is {RuleKinds.Number(declared)}%, above the {RuleKinds.Number(ceiling.Max)}% ceiling.", declared: true);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private Violation PaidAbove(FilingRecord record, RuleHit hit, ColumnDefinition amount, decimal paid, decimal wage)
    {
        var effective = Math.Round(paid / wage * 100m, 4);
        return hit.Violation(record, amount.Name, effective, limit,
            $"{amount.Name} {paid} on a wage base of {wage} is an effective rate of {RuleKinds.Number(effective)}%, above the {RuleKinds.Number(ceiling.Max)}% ceiling.");
    }

    internal sealed class Parameters
    {
        public List<RateComponent>? Components { get; set; }

        public string? Base { get; set; }

        public decimal? Max { get; set; }
    }
}

/// <summary>
/// <c>rate-sum-range</c>: the components' rates added up must lie within [min, max] percent (unemployment
/// insurance, employer plus employee). Needs a figure for every component, or the row is not applicable.
/// The declared total is checked first; where amounts are given, the total actually paid is checked too.
/// </summary>
internal sealed class RateSumRangeCheck : IRuleCheck
{
    private readonly BoundComponent[] components;
    private readonly ColumnDefinition wageBase;
    private readonly PercentRange range;
    private readonly string limit;

    public RateSumRangeCheck(FilingSchema schema, Parameters parameters, string where)
    {
        components = BoundComponent.Bind(schema, parameters.Components, where);
        wageBase = RuleKinds.Column(schema, parameters.Base ?? "wage_base", ColumnType.Amount, where);
        var min = RuleKinds.Required(parameters.Min, "min", where);
        var max = RuleKinds.Required(parameters.Max, "max", where);
        if (min > max || min < 0 || max > 100)
        {
            throw new PolicyCatalogException($"{where}: range {min}–{max} is not a valid percent range.");
        }

        range = new PercentRange(min, max);
        limit = $"{RuleKinds.Number(min)} <= total <= {RuleKinds.Number(max)}";
    }

    public string Summary => $"{RuleKinds.Number(range.Min)}% <= {string.Join(" + ", components.Select(c => c.Rate.Name))} <= {RuleKinds.Number(range.Max)}%";

    public RuleOutcome Evaluate(FilingRecord record, RuleHit hit, ICollection<Violation> violations)
    {
        ref readonly var wage = ref record.Figure(wageBase);
        if (!wage.Given)
        {
            return RuleOutcome.NotApplicable;
        }

        // Each component's rate as declared, and what it paid (its amount, or the wage base at its declared rate).
        var declaredTotal = 0m;
        var allDeclared = true;
        double paidApproximate = 0;
        var anyPaid = false;
        foreach (var component in components)
        {
            ref readonly var declared = ref record.Figure(component.Rate);
            ref readonly var paid = ref record.Figure(component.Amount);
            if (!declared.Given && !paid.Given)
            {
                return RuleOutcome.NotApplicable;
            }

            allDeclared &= declared.Given;
            declaredTotal += declared.Exact;
            anyPaid |= paid.Given;
            paidApproximate += paid.Given ? paid.Approximate : wage.Approximate * declared.Approximate * 0.01;
        }

        // The clause: min% ≤ the declared rates added up ≤ max%; and what is paid adds up to min%–max% of the wage base.
        if (allDeclared && !range.Contains(declaredTotal))
        {
            violations.Add(TotalOutside(record, hit, declaredTotal));
            return RuleOutcome.Violated;
        }

        if (!anyPaid || range.ClearlyContainsPaid(paidApproximate, wage.Approximate))
        {
            return RuleOutcome.Passed;
        }

        return DecidePaid(record, wage.Exact, hit, violations);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private Violation TotalOutside(FilingRecord record, RuleHit hit, decimal total) =>
        hit.Violation(record, string.Join('+', components.Select(c => c.Rate.Name)), total, limit,
            $"The declared rates add up to {RuleKinds.Number(total)}%, outside {RuleKinds.Number(range.Min)}%–{RuleKinds.Number(range.Max)}%.", declared: true);

    // Near a limit, in decimals. Apart from Evaluate because its lambdas capture the record: in Evaluate the C#
    // compiler would allocate their closure on entry, on every row, whether or not this path is taken.
    private RuleOutcome DecidePaid(FilingRecord record, decimal wage, RuleHit hit, ICollection<Violation> violations)
    {
        var paidTotal = components.Sum(c => (c.Amount is null ? null : record.Number(c.Amount)) ?? (wage * record.Number(c.Rate)!.Value * 0.01m));
        if (range.ContainsPaid(paidTotal, wage))
        {
            return RuleOutcome.Passed;
        }

        var effective = Math.Round(paidTotal / wage * 100m, 4);
        var field = string.Join('+', components.Select(c => c.Amount is not null && record.Number(c.Amount) is not null ? c.Amount.Name : c.Rate.Name));
        violations.Add(hit.Violation(record, field, effective, limit,
            $"The amounts paid are an effective {RuleKinds.Number(effective)}% of the wage base {wage}, outside {RuleKinds.Number(range.Min)}%–{RuleKinds.Number(range.Max)}%."));
        return RuleOutcome.Violated;
    }

    internal sealed class Parameters
    {
        public List<RateComponent>? Components { get; set; }

        public string? Base { get; set; }

        public decimal? Min { get; set; }

        public decimal? Max { get; set; }
    }
}
