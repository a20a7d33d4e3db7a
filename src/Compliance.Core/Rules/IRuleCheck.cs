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

/// <summary>The rule and version being applied, so a check can stamp its findings.</summary>
internal readonly record struct RuleHit(PolicyRule Rule, RuleVersion Version)
{
    public Violation Violation(FilingRecord record, string field, decimal observed, string limit, string message, Citation? citation = null, bool declared = false) => new()
    {
        Rule = Rule.Id,
        Severity = Rule.Severity,
        Uscc = record.Uscc,
        Period = record.Period.ToString(),
        Region = record.Region,
        Row = record.Row,
        EmployeeId = record.Schema.Kind == FilingKind.Payroll ? record.Subject : null,
        // The case of an accountability row travels as its item (reports name it case_id).
        Item = record.Schema.Kind is FilingKind.FeeItems or FilingKind.Accountability ? record.Subject : null,
        Field = field,
        Observed = observed,
        Limit = limit,
        Citation = (citation ?? Version.Citation).ToString(),
        Message = message,
        Declared = declared,
    };
}
