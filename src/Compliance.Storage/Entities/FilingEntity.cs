namespace Compliance.Storage.Entities;

/// <summary>
/// One version of one filing (PartitionKey = USCC, RowKey = filing id + version id) and its verdict.
/// Written last, after the violations and the result document, so its presence means the version is done.
/// </summary>
public sealed class FilingEntity : StorageEntity
{
    /// <summary>The USCC of the folder the filing was uploaded to (the submitter).</summary>
    public string Uscc { get; set; } = string.Empty;

    /// <summary>The blob path under the filings container: <c>{uscc}/{name}</c>.</summary>
    public string BlobName { get; set; } = string.Empty;

    public string FileName { get; set; } = string.Empty;

    public string FilingId { get; set; } = string.Empty;

    public string BlobETag { get; set; } = string.Empty;

    public string Sha256 { get; set; } = string.Empty;

    public long ContentLength { get; set; }

    public DateTimeOffset? UploadedAt { get; set; }

    public string? Kind { get; set; }

    public int Rows { get; set; }

    /// <summary><c>checked</c> or <c>rejected</c>.</summary>
    public string Status { get; set; } = string.Empty;

    /// <summary>Violating rows (the length of the result document's violations).</summary>
    public int ViolationCount { get; set; }

    /// <summary>Findings those rows make: what is stored in Violations and reviewed.</summary>
    public int FindingCount { get; set; }

    public int WarningCount { get; set; }

    public int ErrorCount { get; set; }

    /// <summary>Why the version was rejected, in English; <see cref="ErrorCode"/> and <see cref="ErrorArgs"/> say it in any language.</summary>
    public string? Error { get; set; }

    /// <summary>The code of <see cref="Error"/> (e.g. <c>NOT_A_RATE</c>); null for versions checked before codes were kept.</summary>
    public string? ErrorCode { get; set; }

    /// <summary>The arguments of <see cref="ErrorCode"/> as a JSON array.</summary>
    public string? ErrorArgs { get; set; }

    public int? ErrorRow { get; set; }

    /// <summary>Comma-separated administrative division codes the filing's rows name.</summary>
    public string Regions { get; set; } = string.Empty;

    /// <summary>Comma-separated periods found in the filing.</summary>
    public string Periods { get; set; } = string.Empty;

    public DateTimeOffset CheckedAt { get; set; }

    public string CatalogVersion { get; set; } = string.Empty;

    /// <summary>The digest of the catalog the version was checked under (absent before re-checks existed): a re-check under the same catalog has nothing to do.</summary>
    public string? CatalogDigest { get; set; }

    /// <summary>Where the enterprise reads its verdict: <c>results/{uscc}/{name}.json</c>.</summary>
    public string ResultBlob { get; set; } = string.Empty;
}
