namespace Compliance.Storage.Entities;

/// <summary>
/// A filing version listed under a period it covers (PartitionKey = period, RowKey = USCC + filing version),
/// so a month's filings are counted from one partition. A file whose rows yield no period at all is listed
/// under the month (China Standard Time) it was uploaded in.
/// </summary>
public sealed class FilingPeriodEntity : StorageEntity
{
    public string Uscc { get; set; } = string.Empty;

    public string BlobName { get; set; } = string.Empty;

    /// <summary><c>checked</c> or <c>rejected</c>.</summary>
    public string Status { get; set; } = string.Empty;

    /// <summary>Comma-separated administrative division codes the filing's rows name.</summary>
    public string Regions { get; set; } = string.Empty;
}
