using System.ComponentModel.DataAnnotations;

namespace Compliance.Storage;

/// <summary>
/// Where filings, results and findings live, and the retry budget. Bound from the <c>ComplianceStorage</c>
/// section and validated at start. The connection itself is the <c>FilingsStorage</c> setting, shared with
/// the blob trigger's <c>Connection</c> so the trigger and the services always talk to the same account.
/// </summary>
public sealed class ComplianceStorageOptions
{
    public const string Section = "ComplianceStorage";

    [Required]
    [RegularExpression("^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$", ErrorMessage = "Not a valid blob container name.")]
    public string FilingsContainer { get; set; } = "filings";

    [Required]
    [RegularExpression("^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$", ErrorMessage = "Not a valid blob container name.")]
    public string ResultsContainer { get; set; } = "results";

    [Required]
    [RegularExpression("^[A-Za-z][A-Za-z0-9]{2,62}$", ErrorMessage = "Not a valid table name.")]
    public string FilingsTable { get; set; } = "Filings";

    [Required]
    [RegularExpression("^[A-Za-z][A-Za-z0-9]{2,62}$", ErrorMessage = "Not a valid table name.")]
    public string ViolationsTable { get; set; } = "Violations";

    [Required]
    [RegularExpression("^[A-Za-z][A-Za-z0-9]{2,62}$", ErrorMessage = "Not a valid table name.")]
    public string ViolationsByPeriodTable { get; set; } = "ViolationsByPeriod";

    /// <summary>Index of filing versions by filing period, for the digest's received/checked/rejected counts.</summary>
    [Required]
    [RegularExpression("^[A-Za-z][A-Za-z0-9]{2,62}$", ErrorMessage = "Not a valid table name.")]
    public string FilingsByPeriodTable { get; set; } = "FilingsByPeriod";

    /// <summary>Digest recipients kept in storage (PartitionKey <c>regulator</c> or <c>enterprise</c>), added to those in configuration.</summary>
    [Required]
    [RegularExpression("^[A-Za-z][A-Za-z0-9]{2,62}$", ErrorMessage = "Not a valid table name.")]
    public string RecipientsTable { get; set; } = "Recipients";

    /// <summary>The append-only audit trail of review decisions.</summary>
    [Required]
    [RegularExpression("^[A-Za-z][A-Za-z0-9]{2,62}$", ErrorMessage = "Not a valid table name.")]
    public string ReviewAuditTable { get; set; } = "ReviewAudit";

    /// <summary>Claims on filing versions being checked, so a long check is not started a second time (see <c>FilingClaims</c>).</summary>
    [Required]
    [RegularExpression("^[A-Za-z][A-Za-z0-9]{2,62}$", ErrorMessage = "Not a valid table name.")]
    public string ClaimsTable { get; set; } = "FilingClaims";

    /// <summary>Per-row violation entities stored before findings, kept here by the migration that grouped them.</summary>
    [Required]
    [RegularExpression("^[A-Za-z][A-Za-z0-9]{2,62}$", ErrorMessage = "Not a valid table name.")]
    public string ViolationRowsArchiveTable { get; set; } = "ViolationRowsArchive";

    /// <summary>Finding counts per month × region × rule × status, kept by the pipeline and reviews for the regulators' overview.</summary>
    [Required]
    [RegularExpression("^[A-Za-z][A-Za-z0-9]{2,62}$", ErrorMessage = "Not a valid table name.")]
    public string CountsTable { get; set; } = "ViolationCounts";

    /// <summary>Re-checks of stored filings: what was asked, how far it got, and what it did to each filing.</summary>
    [Required]
    [RegularExpression("^[A-Za-z][A-Za-z0-9]{2,62}$", ErrorMessage = "Not a valid table name.")]
    public string RechecksTable { get; set; } = "Rechecks";

    /// <summary>The digest ledger: month × recipient.</summary>
    [Required]
    [RegularExpression("^[A-Za-z][A-Za-z0-9]{2,62}$", ErrorMessage = "Not a valid table name.")]
    public string DigestsTable { get; set; } = "Digests";

    /// <summary>Where digests are archived: <c>{container}/{yyyy-MM}/{recipient}/…</c>.</summary>
    [Required]
    [RegularExpression("^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$", ErrorMessage = "Not a valid blob container name.")]
    public string DigestsContainer { get; set; } = "digests";

    /// <summary>
    /// Retries the Azure SDK makes for one HTTP request (so 1 + this many tries). Kept small because our
    /// own pipeline retries whole operations on top: see <see cref="OperationAttempts"/>.
    /// </summary>
    [Range(0, 5)]
    public int SdkMaxRetries { get; set; } = 2;

    /// <summary>Attempts our Polly pipeline makes of one storage operation (a batch, a query, an upload).</summary>
    [Range(1, 5)]
    public int OperationAttempts { get; set; } = 3;

    /// <summary>First delay between our attempts; doubled each time, with jitter.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// Chaos engineering: the number of transient faults injected into every storage operation before it is
    /// allowed through (Polly's fault chaos strategy, inside the retry). 0, the default, injects nothing;
    /// tests and game days set it to prove that the retry budget absorbs faults.
    /// </summary>
    [Range(0, 10)]
    public int ChaosFaultsPerOperation { get; set; }

    /// <summary>
    /// Chaos engineering below the SDK: the share (0 to 0.5) of HTTP requests to Blob and Table storage that are
    /// answered with an injected 503 instead of being sent (<see cref="ChaosTransport"/>). 0, the
    /// default, injects nothing; the fault tests run whole batches of filings at 0.3.
    /// </summary>
    [Range(0d, 0.5d)]
    public double ChaosHttpFaultRate { get; set; }

    /// <summary>The worst case number of HTTP tries behind one operation: our attempts times the SDK's tries.</summary>
    public int HttpTryBudget => OperationAttempts * (1 + SdkMaxRetries);
}

/// <summary>The setting (app setting or connection string) that names the storage account for filings.</summary>
public static class StorageConnection
{
    /// <summary>
    /// Used by the blob trigger's <c>Connection</c> and by the clients: a connection string, or a section
    /// with <c>blobServiceUri</c>/<c>tableServiceUri</c> for managed identity.
    /// </summary>
    public const string Name = "FilingsStorage";
}
