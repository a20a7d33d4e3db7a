using Compliance.Core.Policies;

namespace Compliance.Core.Rules;

/// <summary>One breach of one rule in one row, with everything a regulator needs to act on it.</summary>
public sealed record Violation
{
    public required string Rule { get; init; }

    public required Severity Severity { get; init; }

    public required string Uscc { get; init; }

    public required string Period { get; init; }

    public required string Region { get; init; }

    public required int Row { get; init; }

    public string? EmployeeId { get; init; }

    public string? Item { get; init; }

    /// <summary>The column that shows the breach (the declared rate, or the amount when only what was paid breaks it).</summary>
    public required string Field { get; init; }

    /// <summary>The value found: a percent for rates, yuan for amounts.</summary>
    public required decimal Observed { get; init; }

    /// <summary>The limit in force, e.g. <c>&lt;= 12</c>.</summary>
    public required string Limit { get; init; }

    /// <summary>Short citation, e.g. <c>国发〔2016〕48号 (二十)</c>.</summary>
    public required string Citation { get; init; }

    public required string Message { get; init; }

    /// <summary>
    /// Whether <see cref="Observed"/> is a rate the employer declared — a policy it set for its staff, so rows
    /// with the same value are one finding — rather than a value computed from the row's own amounts.
    /// </summary>
    public bool Declared { get; init; }
}

/// <summary>What a rule made of one row.</summary>
public enum RuleOutcome
{
    /// <summary>The row does not carry the rule's inputs; neither passed nor violated.</summary>
    NotApplicable,
    Passed,
    Violated,
}
