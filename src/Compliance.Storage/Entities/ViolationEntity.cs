using System.Runtime.Serialization;

namespace Compliance.Storage.Entities;

/// <summary>
/// One finding — a limit broken the same way on one or more rows of a filing (see <c>Compliance.Core.Rules.Finding</c>)
/// — as regulators read and review it (Storage Explorer, the review API). Stored twice with the same
/// properties: in Violations (by enterprise and filing) and in ViolationsByPeriod (by month). The rows are
/// in the filing's result document. Entities written before findings existed hold one row each and have no
/// <see cref="FindingId"/>; <c>compliance-stack migrate-findings</c> groups them.
/// </summary>
public sealed class ViolationEntity : StorageEntity
{
    public const string OpenStatus = "open";
    public const string ExemptedStatus = "exempted";
    public const string ResolvedStatus = "resolved";

    public string Rule { get; set; } = string.Empty;

    public string Severity { get; set; } = string.Empty;

    public string Uscc { get; set; } = string.Empty;

    public string Period { get; set; } = string.Empty;

    public string Region { get; set; } = string.Empty;

    /// <summary>The finding's first row.</summary>
    public int Row { get; set; }

    /// <summary>The finding's id within its filing (<c>Finding.Id</c>): the same subject keeps it in every version.</summary>
    public string? FindingId { get; set; }

    /// <summary>Violating rows in the finding (1 for an entity from before findings).</summary>
    public int RowCount { get; set; } = 1;

    /// <summary>Distinct employees among those rows.</summary>
    public int EmployeeCount { get; set; }

    /// <summary>The first few rows, comma-separated, in file order.</summary>
    public string FirstRows { get; set; } = string.Empty;

    /// <summary>Whether <see cref="Observed"/> is a declared rate every row carries (else the values vary between <see cref="ObservedMin"/> and <see cref="ObservedMax"/>).</summary>
    public bool Declared { get; set; }

    public double ObservedMin { get; set; }

    public double ObservedMax { get; set; }

    public string? EmployeeId { get; set; }

    public string? Item { get; set; }

    public string Field { get; set; } = string.Empty;

    /// <summary>
    /// Percent for rates, yuan for amounts: the declared value, or where values vary the largest observed. A
    /// double, so clients can filter on it (<c>Observed gt 15</c>).
    /// </summary>
    public double Observed { get; set; }

    public string Limit { get; set; } = string.Empty;

    public string Citation { get; set; } = string.Empty;

    public string Message { get; set; } = string.Empty;

    /// <summary>The blob path under the filings container: <c>{uscc}/{name}</c>.</summary>
    public string FilingName { get; set; } = string.Empty;

    public string FilingId { get; set; } = string.Empty;

    /// <summary>The blob ETag of the filing version this violation was found in.</summary>
    public string FilingETag { get; set; } = string.Empty;

    public string Kind { get; set; } = string.Empty;

    /// <summary>Review state; starts <see cref="OpenStatus"/>.</summary>
    public string Status { get; set; } = OpenStatus;

    public DateTimeOffset DetectedAt { get; set; }

    /// <summary>For an exempted violation: the day the exemption ends (it lists as open after).</summary>
    public DateTimeOffset? ExemptUntil { get; set; }

    /// <summary>Who set the current status, and when; the full history is in the ReviewAudit table.</summary>
    public string? ReviewedBy { get; set; }

    public DateTimeOffset? ReviewedAt { get; set; }

    /// <summary>
    /// The filing version (<c>StorageKeys.VersionId</c> of its blob ETag) that no longer contained this finding
    /// and so resolved it; null while every version since it was found still has it. The finding stays, with
    /// its history, so a re-upload can never erase what a regulator decided.
    /// </summary>
    public string? ResolvedByVersion { get; set; }

    /// <summary>
    /// The instant of the last history entry the pipeline wrote for this finding (a change or resolution by a
    /// version); the next one is keyed after it and after the last review, so the history reads in order.
    /// </summary>
    public DateTimeOffset? ChangedAt { get; set; }

    /// <summary>When the version of <see cref="ResolvedByVersion"/> was checked.</summary>
    public DateTimeOffset? ResolvedAt { get; set; }

    /// <summary>Resolved because a newer version of its filing no longer has it (not by a regulator's review).</summary>
    [IgnoreDataMember]
    public bool IsSuperseded => Superseded(Status, ResolvedByVersion);

    /// <summary>The rule of <see cref="IsSuperseded"/>, for a query that reads only those two properties.</summary>
    public static bool Superseded(string? status, string? resolvedByVersion) => status == ResolvedStatus && resolvedByVersion is not null;

    /// <summary>
    /// The instant (UTC ticks) that keys the next entry of this finding's history: not before
    /// <paramref name="earliest"/>, and after its last review and its last change by a filing version, so the
    /// history reads in order even where clocks and whole-second upload times disagree.
    /// </summary>
    public long NextHistoryTicks(DateTimeOffset earliest) =>
        Math.Max(earliest.UtcTicks, Math.Max(ReviewedAt?.UtcTicks ?? 0, ChangedAt?.UtcTicks ?? 0) + 1);

    /// <summary>The status as of <paramref name="now"/>: an exemption that has ended reads as open again, by itself.</summary>
    public string EffectiveStatus(DateTimeOffset now) =>
        Status == ExemptedStatus && ExemptUntil is { } until && until <= now ? OpenStatus : Status;

    /// <summary>The same violation under the keys of its copy in the by-period index.</summary>
    public ViolationEntity CopyAs((string PartitionKey, string RowKey) keys) => CopyAs(keys.PartitionKey, keys.RowKey);

    /// <summary>The same violation under other keys (for the by-period index).</summary>
    public ViolationEntity CopyAs(string partitionKey, string rowKey)
    {
        var copy = (ViolationEntity)MemberwiseClone();
        copy.PartitionKey = partitionKey;
        copy.RowKey = rowKey;
        copy.ETag = default;
        copy.Timestamp = null;
        return copy;
    }

    /// <summary>Whether this entity is a finding (else one row stored before findings, awaiting migration).</summary>
    [IgnoreDataMember]
    public bool IsFinding => !string.IsNullOrEmpty(FindingId);

    /// <summary>Takes the found content of <paramref name="found"/> (a newer version's) and keeps this finding's keys and review state.</summary>
    public void TakeContentOf(ViolationEntity found)
    {
        ArgumentNullException.ThrowIfNull(found);
        (Rule, Severity, Uscc, Period, Region, Row, EmployeeId, Item, Field, Observed, Limit, Citation, Message, FilingName, FilingId, FilingETag, Kind) =
            (found.Rule, found.Severity, found.Uscc, found.Period, found.Region, found.Row, found.EmployeeId, found.Item, found.Field, found.Observed, found.Limit, found.Citation, found.Message, found.FilingName, found.FilingId, found.FilingETag, found.Kind);
        (FindingId, RowCount, EmployeeCount, FirstRows, Declared, ObservedMin, ObservedMax) =
            (found.FindingId, found.RowCount, found.EmployeeCount, found.FirstRows, found.Declared, found.ObservedMin, found.ObservedMax);
    }

    /// <summary>True when both describe the same finding with the same rows and figures, whatever its review state or version.</summary>
    public bool SameFindingAs(ViolationEntity other) =>
        FindingId == other.FindingId && Rule == other.Rule && Uscc == other.Uscc && Period == other.Period && Region == other.Region && Row == other.Row
        && EmployeeId == other.EmployeeId && Item == other.Item && Field == other.Field && Observed.Equals(other.Observed)
        && Limit == other.Limit && Citation == other.Citation && RowCount == other.RowCount && EmployeeCount == other.EmployeeCount
        && FirstRows == other.FirstRows && ObservedMin.Equals(other.ObservedMin) && ObservedMax.Equals(other.ObservedMax);
}
