using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Compliance.Storage;

/// <summary>
/// Table keys, built so the three questions regulators ask are each a partition or range query:
/// all findings of enterprise X (Violations, PartitionKey = USCC), of filing F (the same partition, a
/// RowKey prefix), and of month M (ViolationsByPeriod, PartitionKey = period). Keys are deterministic —
/// the same filing, row and rule always give the same key — so reprocessing overwrites instead of adding.
/// </summary>
public static class StorageKeys
{
    /// <summary>Separates key parts; sorts below the digits and letters the parts are made of.</summary>
    public const char Separator = '_';

    /// <summary>The character right after <see cref="Separator"/>, the exclusive end of a prefix range.</summary>
    private const char AfterSeparator = '`';

    /// <summary>Partition for filings whose folder is not a valid USCC, so even those are recorded.</summary>
    public const string InvalidSubmitter = "invalid-submitter";

    /// <summary>A stable id for a filing (its blob path), free of the characters table keys forbid.</summary>
    public static string FilingId(string blobPath) => Hash(blobPath, 16);

    /// <summary>
    /// A stable id for one version (blob ETag) of a filing. Blob listings give the ETag bare and response
    /// headers give it quoted; both must name the same version.
    /// </summary>
    public static string VersionId(string etag) => Hash(NormalizeETag(etag), 8);

    /// <summary>The ETag without quotes or a weak-validator prefix.</summary>
    public static string NormalizeETag(string etag) => etag.Trim().Replace("W/", string.Empty, StringComparison.Ordinal).Trim('"');

    public static string FilingVersion(string filingId, string versionId) => Check($"{filingId}{Separator}{versionId}");

    /// <summary>RowKey of a finding in Violations (PartitionKey = USCC): after the filing, so a filing's findings are one range.</summary>
    public static string Finding(string filingId, string findingId) => Check($"{FindingsOf(filingId)}{Separator}{findingId}");

    /// <summary>The prefix under which a filing's findings lie; <see cref="PrefixRange"/> of it is their RowKey range.</summary>
    public static string FindingsOf(string filingId) => $"{filingId}{Separator}F";

    /// <summary>
    /// RowKey of one violating row in Violations, as stored before findings (the row number where the finding
    /// key has <c>F</c>): read by the migration to findings, no longer written.
    /// </summary>
    public static string Violation(string filingId, int row, string rule, int sequence) =>
        Check(string.Create(CultureInfo.InvariantCulture, $"{filingId}{Separator}{row:D7}{Separator}{rule}{Separator}{sequence:D2}"));

    /// <summary>RowKey in ViolationsByPeriod (PartitionKey = period): the enterprise first, so a month's list groups by enterprise.</summary>
    public static string ViolationByPeriod(string uscc, string violationKey) => Check($"{uscc}{Separator}{violationKey}");

    /// <summary>The RowKey range [from, to) holding every key that starts with <paramref name="prefix"/> and a separator.</summary>
    public static (string From, string To) PrefixRange(string prefix) => ($"{prefix}{Separator}", $"{prefix}{AfterSeparator}");

    /// <summary>Table keys may not contain / \ # ? or control characters, and are at most 1 KiB.</summary>
    public static string Check(string key)
    {
        if (key.Length is 0 or > 512 || key.Any(c => c is '/' or '\\' or '#' or '?' || char.IsControl(c)))
        {
            throw new ArgumentException($"'{key}' cannot be a table key.", nameof(key));
        }

        return key;
    }

    /// <summary>
    /// What a finding looked like when a list showed it — its review and its last change by a filing version — as a
    /// short token. Both tables' copies give the same token (unlike their ETags), so a bulk review of a list can tell
    /// whether a finding changed since it was listed.
    /// </summary>
    public static string VersionOf(Entities.ViolationEntity finding)
    {
        ArgumentNullException.ThrowIfNull(finding);
        return Hash(string.Join('|', finding.Status, finding.ExemptUntil?.UtcTicks, finding.ReviewedAt?.UtcTicks, finding.ReviewedBy, finding.ChangedAt?.UtcTicks, finding.ResolvedByVersion, finding.FilingETag, finding.RowCount), 12);
    }

    private static string Hash(string value, int bytes) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)).AsSpan(0, bytes));
}
