namespace Compliance.Storage.Entities;

/// <summary>
/// One digest for one recipient and month (PartitionKey = month, RowKey = recipient id): what has been
/// done so far, so a second run sends nothing new and a broken run resumes where it stopped. Updated with
/// ETags, so two runs at once cannot both claim the send.
/// </summary>
public sealed class DigestLedgerEntity : StorageEntity
{
    public string Email { get; set; } = string.Empty;

    /// <summary><c>regulator:{region}</c> or <c>enterprise:{uscc}</c>.</summary>
    public string Audience { get; set; } = string.Empty;

    /// <summary>Blob prefix of the archived digest, once archived.</summary>
    public string? Archive { get; set; }

    public int Attempts { get; set; }

    public bool Sent { get; set; }

    public string? MessageId { get; set; }

    public DateTimeOffset? SentAt { get; set; }

    public string? LastError { get; set; }
}
