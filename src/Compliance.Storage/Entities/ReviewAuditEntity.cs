namespace Compliance.Storage.Entities;

/// <summary>
/// One review decision, append-only (PartitionKey = violation id, RowKey = time-ordered): who, when,
/// from which status to which, and why. Entries are only ever added, never updated or deleted.
/// </summary>
public sealed class ReviewAuditEntity : StorageEntity
{
    public string Who { get; set; } = string.Empty;

    public DateTimeOffset At { get; set; }

    public string FromStatus { get; set; } = string.Empty;

    public string ToStatus { get; set; } = string.Empty;

    public string Note { get; set; } = string.Empty;

    public DateTimeOffset? ExemptUntil { get; set; }
}
