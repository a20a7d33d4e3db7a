using Compliance.Core.Filings;
using Compliance.Core.Policies;
using Compliance.Core.Reading;

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
        var wage = record.Figure(wageBase);
        foreach (var component in components)
        {
            var declared = record.Figure(component.Rate);
            var paid = record.Figure(component.Amount);
            if (declared is null && paid is null)
            {
                continue;
            }

            outcome = outcome == RuleOutcome.NotApplicable ? RuleOutcome.Passed : outcome;

            // The clause: the rate declared is at most max%; and what is paid is at most max% of the wage base.
            if (declared is { } rate && ceiling.IsExceededBy(rate))
            {
                violations.Add(hit.Violation(record, component.Rate.Name, rate.Exact, limit,
                    $"{component.Rate.Name} is {RuleKinds.Number(rate.Exact)}%, above the {RuleKinds.Number(ceiling.Max)}% ceiling.", declared: true));
                outcome = RuleOutcome.Violated;
            }
            else if (paid is { } p && wage is { } w && ceiling.IsExceededByPaid(p, w))
            {
                var effective = Math.Round(p.Exact / w.Exact * 100m, 4);
                violations.Add(hit.Violation(record, component.Amount!.Name, effective, limit,
                    $"{component.Amount.Name} {p.Exact} on a wage base of {w.Exact} is an effective rate of {RuleKinds.Number(effective)}%, above the {RuleKinds.Number(ceiling.Max)}% ceiling."));
                outcome = RuleOutcome.Violated;
            }
        }

        return outcome;
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
    private readonly decimal min;
    private readonly decimal max;
    private readonly decimal minFraction;
    private readonly decimal maxFraction;
    private readonly string limit;
    private readonly double paidAboveFraction;
    private readonly double paidBelowFraction;
    private readonly double paidSlack;

    public RateSumRangeCheck(FilingSchema schema, Parameters parameters, string where)
    {
        components = BoundComponent.Bind(schema, parameters.Components, where);
        wageBase = RuleKinds.Column(schema, parameters.Base ?? "wage_base", ColumnType.Amount, where);
        min = RuleKinds.Required(parameters.Min, "min", where);
        max = RuleKinds.Required(parameters.Max, "max", where);
        if (min > max || min < 0 || max > 100)
        {
            throw new PolicyCatalogException($"{where}: range {min}–{max} is not a valid percent range.");
        }

        minFraction = min / 100m;
        maxFraction = max / 100m;
        limit = $"{RuleKinds.Number(min)} <= total <= {RuleKinds.Number(max)}";

        // The quick path's bounds for the paid total: the one-fen tolerance, less the doubles' margin.
        var tolerance = (double)RecordParser.AmountTolerance;
        paidAboveFraction = (double)minFraction;
        paidBelowFraction = (double)maxFraction;
        paidSlack = tolerance - Approximation.Margin;
    }

    public string Summary => $"{RuleKinds.Number(min)}% <= {string.Join(" + ", components.Select(c => c.Rate.Name))} <= {RuleKinds.Number(max)}%";

    public RuleOutcome Evaluate(FilingRecord record, RuleHit hit, ICollection<Violation> violations)
    {
        if (record.Number(wageBase) is not { } wage)
        {
            return RuleOutcome.NotApplicable;
        }

        if (ClearlyWithin(record) is { } clear)
        {
            return clear;
        }

        decimal? declaredTotal = 0m;
        var paidTotal = 0m;
        var anyPaid = false;
        foreach (var component in components)
        {
            var declared = record.Number(component.Rate);
            var paid = component.Amount is null ? null : record.Number(component.Amount);
            if (declared is null && paid is null)
            {
                return RuleOutcome.NotApplicable;
            }

            declaredTotal = declared is null ? null : declaredTotal + declared;
            anyPaid |= paid is not null;
            paidTotal += paid ?? (wage * declared!.Value * 0.01m);
        }

        if (declaredTotal is { } total && (total < min || total > max))
        {
            violations.Add(hit.Violation(record, string.Join('+', components.Select(c => c.Rate.Name)), total, limit,
                $"The declared rates add up to {RuleKinds.Number(total)}%, outside {RuleKinds.Number(min)}%–{RuleKinds.Number(max)}%.", declared: true));
            return RuleOutcome.Violated;
        }

        var tolerance = RecordParser.AmountTolerance;
        if (anyPaid && (paidTotal < (wage * minFraction) - tolerance || paidTotal > (wage * maxFraction) + tolerance))
        {
            var effective = Math.Round(paidTotal / wage * 100m, 4);
            var field = string.Join('+', components.Select(c => c.Amount is not null && record.Number(c.Amount) is not null ? c.Amount.Name : c.Rate.Name));
            violations.Add(hit.Violation(record, field, effective, limit,
                $"The amounts paid are an effective {RuleKinds.Number(effective)}% of the wage base {wage}, outside {RuleKinds.Number(min)}%–{RuleKinds.Number(max)}%."));
            return RuleOutcome.Violated;
        }

        return RuleOutcome.Passed;
    }

    /// <summary>
    /// The common row: every component declared with the declared total inside the range (added exactly;
    /// totals at the boundary, such as 1% + 0.5%, are common and legal), and where amounts are given, the paid
    /// total clearly inside it in doubles. Null when the full path must decide.
    /// </summary>
    private RuleOutcome? ClearlyWithin(FilingRecord record)
    {
        var wage = record.Approximate(wageBase);
        var declaredTotal = 0m;
        double paidTotal = 0;
        var anyPaid = false;
        foreach (var component in components)
        {
            if (record.Number(component.Rate) is not { } declared)
            {
                return null;
            }

            declaredTotal += declared;
            if (component.Amount is not null && record.Number(component.Amount) is not null)
            {
                anyPaid = true;
                paidTotal += record.Approximate(component.Amount);
            }
            else
            {
                paidTotal += wage * record.Approximate(component.Rate) * 0.01;
            }
        }

        if (declaredTotal < min || declaredTotal > max)
        {
            return null;
        }

        var paidInside = !anyPaid
            || (wage < Approximation.Range && paidTotal > (wage * paidAboveFraction) - paidSlack && paidTotal < (wage * paidBelowFraction) + paidSlack);
        return paidInside ? RuleOutcome.Passed : null;
    }

    internal sealed class Parameters
    {
        public List<RateComponent>? Components { get; set; }

        public string? Base { get; set; }

        public decimal? Min { get; set; }

        public decimal? Max { get; set; }
    }
}
