using System.Text.Json;
using Compliance.Core.Filings;
using Compliance.Core.Rules;

namespace Compliance.Core.Policies;

/// <summary>How much a breach matters to a regulator triaging findings.</summary>
public enum Severity
{
    Low,
    Medium,
    High,
}

/// <summary>A title in both languages the product speaks.</summary>
public sealed record LocalizedText(string Zh, string En);

/// <summary>Where a limit comes from: document number, clause, and the sentence quoted from the gazette.</summary>
public sealed record Citation(string Document, string Clause, string Quote)
{
    /// <summary>Provenance beyond the seed text, e.g. a figure that comes from a companion document.</summary>
    public string? Note { get; init; }

    /// <summary>The short form reports carry: <c>国发〔2016〕48号 (二十)</c>.</summary>
    public override string ToString() => $"{Document} {Clause}";
}

/// <summary>The filing periods a rule version governs; either end may be open.</summary>
public sealed record PeriodWindow(Period? From, Period? To)
{
    public bool Contains(Period period) => (From is null || period >= From.Value) && (To is null || period <= To.Value);

    public bool Overlaps(PeriodWindow other) =>
        (From is null || other.To is null || From.Value <= other.To.Value) && (other.From is null || To is null || other.From.Value <= To.Value);

    public override string ToString() => (From, To) switch
    {
        (null, null) => "always",
        ({ } f, null) => $"from {f}",
        (null, { } t) => $"until {t}",
        ({ } f, { } t) => $"{f} to {t}",
    };
}

/// <summary>One version of a rule: its limits for a window of periods, and the clause they come from.</summary>
public sealed class RuleVersion
{
    internal RuleVersion(PeriodWindow window, Citation citation, JsonElement parameters, IRuleCheck check)
    {
        Window = window;
        Citation = citation;
        Parameters = parameters;
        Check = check;
    }

    public PeriodWindow Window { get; }

    public Citation Citation { get; }

    /// <summary>The version's parameters as written in the catalog.</summary>
    public JsonElement Parameters { get; }

    /// <summary>A one-line statement of the limit, e.g. "rate &lt;= 12%".</summary>
    public string Summary => Check.Summary;

    internal IRuleCheck Check { get; }
}

/// <summary>A rule of the catalog: a stable id, the code that checks it (its kind), and its versions over time.</summary>
public sealed class PolicyRule
{
    internal PolicyRule(string id, string kind, FilingKind filingKind, Severity severity, LocalizedText title, LocalizedText remedy, IReadOnlyList<RuleVersion> versions)
    {
        Id = id;
        Kind = kind;
        FilingKind = filingKind;
        Severity = severity;
        Title = title;
        Remedy = remedy;
        Versions = versions;
    }

    public string Id { get; }

    /// <summary>The rule kind (code), e.g. <c>rate-ceiling</c>.</summary>
    public string Kind { get; }

    public FilingKind FilingKind { get; }

    public Severity Severity { get; }

    /// <summary>The limit in plain words: 住房公积金缴存比例不得超过12%.</summary>
    public LocalizedText Title { get; }

    /// <summary>What a filer does about a breach: correct what, settle or refund what, upload again.</summary>
    public LocalizedText Remedy { get; }

    public IReadOnlyList<RuleVersion> Versions { get; }

    /// <summary>The version in force for a filing period, or null when the rule does not govern that period.</summary>
    public RuleVersion? VersionFor(Period period)
    {
        foreach (var version in Versions)
        {
            if (version.Window.Contains(period))
            {
                return version;
            }
        }

        return null;
    }
}

/// <summary>A catalog that is not usable: the message says which rule and what to fix.</summary>
public sealed class PolicyCatalogException(string message) : ComplianceException(message);
