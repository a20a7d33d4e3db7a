using Compliance.Core.Filings;
using Compliance.Core.Policies;

namespace Compliance.Core.Rules;

/// <summary>The code behind a rule kind, bound to one version's parameters.</summary>
internal interface IRuleCheck
{
    /// <summary>The limit in one line, for listings.</summary>
    string Summary { get; }

    RuleOutcome Evaluate(FilingRecord record, RuleHit hit, ICollection<Violation> violations);
}

/// <summary>
/// The rule and version being applied in one period, so a check can stamp its findings; the period's and the
/// clause's texts are made once here rather than for every violation.
/// </summary>
internal sealed record RuleHit(PolicyRule Rule, RuleVersion Version, Period Period)
{
    private readonly string periodText = Period.ToString();
    private readonly string citationText = Version.Citation.ToString();

    public Violation Violation(FilingRecord record, string field, decimal observed, string limit, string message, Citation? citation = null, bool declared = false) => new()
    {
        Rule = Rule.Id,
        Severity = Rule.Severity,
        Uscc = record.Uscc,
        Period = record.Period == Period ? periodText : record.Period.ToString(),
        Region = record.Region,
        Row = record.Row,
        EmployeeId = record.Schema.Kind == FilingKind.Payroll ? record.Subject : null,
        // The case of an accountability row travels as its item (reports name it case_id).
        Item = record.Schema.Kind is FilingKind.FeeItems or FilingKind.Accountability ? record.Subject : null,
        Field = field,
        Observed = observed,
        Limit = limit,
        Citation = citation is null ? citationText : citation.ToString(),
        Message = message,
        Declared = declared,
    };
}
