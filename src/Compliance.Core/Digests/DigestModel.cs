using Compliance.Core.Filings;
using Compliance.Core.Policies;

namespace Compliance.Core.Digests;

/// <summary>One stored finding as the digest needs it (a limit broken the same way on <see cref="Rows"/> rows): plain data, read from storage by the caller.</summary>
public sealed record DigestViolation(
    string Rule,
    string Uscc,
    string Period,
    string Region,
    int Row,
    string Field,
    decimal Observed,
    string Limit,
    string Citation,
    string Status,
    string FilingName,
    string Message)
{
    public string? EmployeeId { get; init; }

    public string? Item { get; init; }

    /// <summary>A newer version of its filing no longer has it: resolved by the correction, not a violation of the month any more.</summary>
    public bool Superseded { get; init; }

    /// <summary>Violating rows in the finding.</summary>
    public int Rows { get; init; } = 1;

    /// <summary>Employees those rows concern (none for filings not about employees).</summary>
    public int Employees { get; init; }
}

/// <summary>A filing version received for the month: who sent it, whether it could be checked, the regions its rows name.</summary>
public sealed record DigestFiling(string Uscc, bool Checked, IReadOnlyList<string> Regions)
{
    /// <summary>
    /// The regions the filing concerns: those its rows name, or else the submitter's registration
    /// authority (USCC characters 3–8, GB 32100-2015), for a file none of whose rows could be read.
    /// </summary>
    public IReadOnlyList<string> EffectiveRegions => Regions.Count > 0 ? Regions : Uscc.Length == 18 ? [Uscc[2..8]] : [];
}

/// <summary>
/// One region's findings in one earlier month, from the counts the overview reads: those not resolved, and of them
/// the ones still to be dealt with (open, confirmed, or exempted until a day now past).
/// </summary>
public sealed record DigestCell(Period Month, string Region, int Findings, int Outstanding);

/// <summary>Everything a month's digest is computed from; no storage calls happen past this point.</summary>
/// <param name="Month">The month covered (filing period).</param>
/// <param name="Violations">Violations of the month's period.</param>
/// <param name="PreviousMonth">Violations of the month before, for new/recurring/resolved and the change.</param>
/// <param name="Earlier">
/// Counts of the <see cref="DigestBuilder.BacklogMonths"/> months before <paramref name="Month"/> by region: the
/// trend's earlier months and the backlog, read from the kept counts rather than from those months' findings.
/// </param>
/// <param name="EnterpriseNames">Display names by USCC where known (from the recipients list); filer-supplied text.</param>
public sealed record DigestInput(
    Period Month,
    IReadOnlyList<DigestViolation> Violations,
    IReadOnlyList<DigestViolation> PreviousMonth,
    IReadOnlyList<DigestCell> Earlier,
    IReadOnlyDictionary<string, string> EnterpriseNames)
{
    /// <summary>Filing versions received for the month (uploads, including re-uploads).</summary>
    public IReadOnlyList<DigestFiling> Filings { get; init; } = [];

    /// <summary>Each rule's limit in plain words, by rule id (from the catalog): 住房公积金缴存比例不得超过12%.</summary>
    public IReadOnlyDictionary<string, LocalizedText> RuleTitles { get; init; } = new Dictionary<string, LocalizedText>();
}

/// <summary>A count per key, with the clause for rules.</summary>
public sealed record DigestCount(string Key, int Count, string? Citation = null);

/// <summary>What a regulator of one region reads for one month. Counts are of findings (what is reviewed), with the rows and employees they cover.</summary>
/// <param name="Resolved">Enterprise × rule pairs of the month before not found again, plus this month's findings that a corrected version of their filing no longer has.</param>
public sealed record RegulatorDigest(
    Period Month,
    string Region,
    int Total,
    int PreviousTotal,
    IReadOnlyList<DigestCount> ByRule,
    IReadOnlyList<DigestCount> ByRegion,
    IReadOnlyList<DigestCount> TopEnterprises,
    int New,
    int Recurring,
    int Resolved,
    int OpenBacklog,
    IReadOnlyList<(Period Month, int Count)> Trend,
    IReadOnlyCollection<DigestViolation> Violations,
    IReadOnlyDictionary<string, string> EnterpriseNames) : IDisposable
{
    public int FilingsReceived { get; init; }

    public int FilingsChecked { get; init; }

    public int FilingsRejected { get; init; }

    /// <summary>Violating rows behind the <see cref="Total"/> findings.</summary>
    public int ViolatingRows { get; init; }

    /// <summary>Employees those findings concern.</summary>
    public int AffectedEmployees { get; init; }

    /// <summary>Change against the previous month, in percent; null when the previous month had none.</summary>
    public decimal? ChangePercent => PreviousTotal == 0 ? null : Math.Round((Total - PreviousTotal) * 100m / PreviousTotal, 1);

    /// <summary>Each rule's limit in plain words, by rule id.</summary>
    public IReadOnlyDictionary<string, LocalizedText> RuleTitles { get; init; } = new Dictionary<string, LocalizedText>();

    public string NameOf(string uscc) => EnterpriseNames.TryGetValue(uscc, out var name) ? name : uscc;

    /// <summary>Deletes the temporary file of a digest whose findings were spilled (<see cref="SpilledViolations"/>); nothing for one held in memory.</summary>
    public void Dispose() => (Violations as IDisposable)?.Dispose();

    /// <summary>The rule's Chinese title, or null for a rule the catalog no longer has.</summary>
    public string? TitleOf(string rule) => RuleTitles.TryGetValue(rule, out var title) ? title.Zh : null;
}

/// <summary>What one enterprise reads: its own violations of the month, each with what to fix and the clause.</summary>
public sealed record EnterpriseDigest(Period Month, string Uscc, string Name, IReadOnlyList<DigestViolation> Violations);
