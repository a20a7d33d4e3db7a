using System.Globalization;
using Compliance.Core.Filings;
using Compliance.Core.Policies;

namespace Compliance.Core.Rules;

/// <summary>Parameters shared by the two surcharge-exemption kinds.</summary>
internal sealed class ExemptionParameters
{
    public string? Sales { get; set; }

    /// <summary>The charges the exemption waives (exemption-charged only).</summary>
    public List<string>? Charged { get; set; }

    /// <summary>The yes/no column where the filer claims the exemption (exemption-ineligible only).</summary>
    public string? Claim { get; set; }

    public decimal? MonthlyThreshold { get; set; }

    public decimal? QuarterlyThreshold { get; set; }
}

/// <summary>Thresholds by filing frequency; a sale exactly at the threshold is exempt ("不超过").</summary>
internal sealed class ExemptionThreshold
{
    private readonly decimal monthly;
    private readonly decimal quarterly;

    public ExemptionThreshold(ExemptionParameters parameters, string where)
    {
        monthly = RuleKinds.Required(parameters.MonthlyThreshold, "monthlyThreshold", where);
        quarterly = RuleKinds.Required(parameters.QuarterlyThreshold, "quarterlyThreshold", where);
        if (monthly <= 0 || quarterly <= 0)
        {
            throw new PolicyCatalogException($"{where}: thresholds must be positive.");
        }
    }

    public decimal For(FilingFrequency frequency) => frequency == FilingFrequency.Quarterly ? quarterly : monthly;

    public string Summary => $"sales <= {Money(monthly)} a month ({Money(quarterly)} a quarter)";

    public static string Money(decimal value) => value.ToString("#,0.##", CultureInfo.InvariantCulture);
}

/// <summary>
/// <c>exemption-charged</c>: a filer whose sales are within the threshold must not be charged the waived
/// surcharges, whether or not the exemption was claimed — the exemption is the law, not an option.
/// </summary>
internal sealed class ExemptionChargedCheck : IRuleCheck
{
    private readonly ColumnDefinition sales;
    private readonly ColumnDefinition[] charged;
    private readonly ExemptionThreshold threshold;

    public ExemptionChargedCheck(FilingSchema schema, ExemptionParameters parameters, string where)
    {
        sales = RuleKinds.Column(schema, parameters.Sales ?? "sales", ColumnType.Amount, where);
        if (parameters.Charged is not { Count: > 0 })
        {
            throw new PolicyCatalogException($"{where}: parameter \"charged\" needs at least one column.");
        }

        charged = [.. parameters.Charged.Select(c => RuleKinds.Column(schema, c, ColumnType.Amount, where))];
        threshold = new ExemptionThreshold(parameters, where);
    }

    public string Summary => $"{string.Join(", ", charged.Select(c => c.Name))} = 0 when {threshold.Summary}";

    public RuleOutcome Evaluate(FilingRecord record, RuleHit hit, ICollection<Violation> violations)
    {
        if (record.Number(sales) is not { } amount)
        {
            return RuleOutcome.NotApplicable;
        }

        var limit = threshold.For(record.Frequency);
        if (amount > limit)
        {
            return RuleOutcome.Passed;
        }

        var outcome = RuleOutcome.Passed;
        foreach (var column in charged)
        {
            if (record.Number(column) is { } value && value > 0)
            {
                violations.Add(hit.Violation(record, column.Name, value, "= 0",
                    $"{column.ChineseName} {value} charged although {record.Frequency.ToString().ToLowerInvariant()} sales {ExemptionThreshold.Money(amount)} are within the {ExemptionThreshold.Money(limit)} exemption threshold."));
                outcome = RuleOutcome.Violated;
            }
        }

        return outcome;
    }
}

/// <summary><c>exemption-ineligible</c>: the exemption may not be claimed with sales above the threshold.</summary>
internal sealed class ExemptionIneligibleCheck : IRuleCheck
{
    private readonly ColumnDefinition sales;
    private readonly ColumnDefinition claim;
    private readonly ExemptionThreshold threshold;

    public ExemptionIneligibleCheck(FilingSchema schema, ExemptionParameters parameters, string where)
    {
        sales = RuleKinds.Column(schema, parameters.Sales ?? "sales", ColumnType.Amount, where);
        claim = RuleKinds.Column(schema, parameters.Claim ?? "exemption_claimed", ColumnType.YesNo, where);
        threshold = new ExemptionThreshold(parameters, where);
    }

    public string Summary => $"{claim.Name} only when {threshold.Summary}";

    public RuleOutcome Evaluate(FilingRecord record, RuleHit hit, ICollection<Violation> violations)
    {
        if (record.Number(sales) is not { } amount || record.Number(claim) is not { } claimed)
        {
            return RuleOutcome.NotApplicable;
        }

        var limit = threshold.For(record.Frequency);
        if (claimed == 1 && amount > limit)
        {
            violations.Add(hit.Violation(record, sales.Name, amount, $"<= {limit.ToString(CultureInfo.InvariantCulture)}",
                $"Exemption claimed with {record.Frequency.ToString().ToLowerInvariant()} sales {ExemptionThreshold.Money(amount)}, above the {ExemptionThreshold.Money(limit)} threshold."));
            return RuleOutcome.Violated;
        }

        return RuleOutcome.Passed;
    }
}
