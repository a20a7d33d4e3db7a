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

    /// <summary>The filing's kind (<c>payroll</c>, <c>fees</c>, …) when it was read; empty for rejected files and rows written before it was kept.</summary>
    public string? Kind { get; set; }

    /// <summary>Comma-separated administrative division codes the filing's rows name.</summary>
    public string Regions { get; set; } = string.Empty;
}
