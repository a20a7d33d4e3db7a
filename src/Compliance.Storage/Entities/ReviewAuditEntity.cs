namespace Compliance.Storage.Entities;

/// <summary>
/// One entry of a violation's history, append-only (PartitionKey = violation id, RowKey = time-ordered): who,
/// when, from which status to which, and why — a regulator's review, or what a newer version of the filing did
/// to the finding (<see cref="Version"/> set, <see cref="Who"/> = <see cref="FilingVersionActor"/>). Entries are
/// only ever added, never deleted; a system entry is keyed by its version, so a retry rewrites the same one.
/// </summary>
public sealed class ReviewAuditEntity : StorageEntity
{
    public string Who { get; set; } = string.Empty;

    public DateTimeOffset At { get; set; }

    public string FromStatus { get; set; } = string.Empty;

    public string ToStatus { get; set; } = string.Empty;

    public string Note { get; set; } = string.Empty;

    public DateTimeOffset? ExemptUntil { get; set; }

    /// <summary>For an entry the pipeline wrote: the filing version (<c>StorageKeys.VersionId</c>) that changed the finding.</summary>
    public string? Version { get; set; }

    /// <summary>How many rows the finding had when this entry was written: a decision covers the rows it was made on.</summary>
    public int? Rows { get; set; }

    /// <summary><see cref="ResponseKind"/> for an enterprise's explanation; null for a review or a system entry (see <see cref="Who"/>).</summary>
    public string? Kind { get; set; }

    /// <summary>The <see cref="Kind"/> of an enterprise's explanation (情况说明): it is heard, and changes no status.</summary>
    public const string ResponseKind = "response";

    /// <summary>The <see cref="Who"/> of entries written by the pipeline when a new filing version arrives.</summary>
    public const string FilingVersionActor = "filing version";

    /// <summary>Who wrote the entries of the migration from per-row violations to findings.</summary>
    public const string MigrationActor = "migration to findings";
}
