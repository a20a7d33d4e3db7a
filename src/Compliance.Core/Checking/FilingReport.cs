using Compliance.Core.Reading;
using Compliance.Core.Rules;
using Compliance.Core.Texts;

namespace Compliance.Core.Checking;

/// <summary>Whether a filing could be checked.</summary>
public enum FilingStatus
{
    Checked,
    Rejected,
}

/// <summary>The contract's names for <see cref="FilingStatus"/>, as reports, entities and the API carry them.</summary>
public static class FilingStatusNames
{
    public static string ToContractName(this FilingStatus status) => status switch
    {
        FilingStatus.Checked => "checked",
        FilingStatus.Rejected => "rejected",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };

    /// <summary>Whether a stored status names <see cref="FilingStatus.Checked"/>.</summary>
    public static bool IsChecked(string? name) => name == FilingStatus.Checked.ToContractName();
}

/// <summary>How one rule fared over a file's rows: the report's answer to "was this rule applied at all?".</summary>
/// <param name="Checked">Rows the rule was applied to (passed or violated).</param>
/// <param name="Violated">Rows with at least one violation of the rule.</param>
/// <param name="NotApplicable">Rows in the rule's window that lack its inputs (e.g. no unemployment columns).</param>
/// <param name="NotInForce">Rows whose period is outside every window of the rule.</param>
public sealed record RuleCoverage(string Rule, int Checked, int Violated, int NotApplicable, int NotInForce);

/// <summary>The verdict on one file: the self-check prints it, the pipeline stores it.</summary>
public sealed record FilingReport : IDisposable
{
    public required string File { get; init; }

    /// <summary>The contract name of the kind (<c>payroll</c>…), or null when the file was rejected before it was known.</summary>
    public string? Kind { get; init; }

    public required FilingStatus Status { get; init; }

    /// <summary>Why the file was rejected, in words the filer can act on (the English of <see cref="ErrorText"/>).</summary>
    public string? Error => ErrorText?.ToString();

    /// <summary>Why the file was rejected, as a code and arguments that render in Chinese or English.</summary>
    public UserMessage? ErrorText { get; init; }

    public int? ErrorRow { get; init; }

    public string? ErrorColumn { get; init; }

    /// <summary>Data rows read (blank lines not counted).</summary>
    public int Rows { get; init; }

    /// <summary>In row order. A large set lives partly on disk: dispose the report when done with it.</summary>
    public ViolationLog Violations { get; init; } = ViolationLog.Empty;

    /// <summary>The violations grouped as a regulator reviews them (see <see cref="Finding"/>), in the order of their first rows.</summary>
    public IReadOnlyList<Finding> Findings => Violations.Findings.ToList();

    public IReadOnlyList<FilingWarning> Warnings { get; init; } = [];

    /// <summary>Total warnings, which may exceed the ones listed.</summary>
    public int WarningCount { get; init; }

    /// <summary>Row-level data errors that made the file rejected (the first ones; see <see cref="ErrorCount"/>).</summary>
    public IReadOnlyList<RowError> Errors { get; init; } = [];

    public int ErrorCount { get; init; }

    public IReadOnlyList<RuleCoverage> Rules { get; init; } = [];

    /// <summary>Distinct periods in the file, sorted (including rows that could not be read).</summary>
    public IReadOnlyList<string> Periods { get; init; } = [];

    /// <summary>Distinct administrative division codes in the file, sorted (including rows that could not be read).</summary>
    public IReadOnlyList<string> Regions { get; init; } = [];

    /// <summary>Distinct USCCs in the file, sorted.</summary>
    public IReadOnlyList<string> Usccs { get; init; } = [];

    public string? CatalogVersion { get; init; }

    public void Dispose() => Violations.Dispose();

    /// <summary>A file turned away before any of it was read (cannot be opened, wrong folder, ...).</summary>
    public static FilingReport RejectedFile(string file, UserMessage error, string? catalogVersion) => new()
    {
        File = file,
        Status = FilingStatus.Rejected,
        ErrorText = error,
        CatalogVersion = catalogVersion,
    };
}
