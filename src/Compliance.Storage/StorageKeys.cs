using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Compliance.Storage;

/// <summary>
/// Table keys, built so the three questions regulators ask are each a partition or range query:
/// all findings of enterprise X (Violations, PartitionKey = USCC), of filing F (the same partition, a
/// RowKey prefix), and of month M in region R (ViolationsByPeriod: PartitionKey = month and province, RowKey
/// starting with the region, see docs/architecture.md "Keys at national scale"). Keys are deterministic —
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

    /// <summary>
    /// ViolationsByPeriod's partition for a finding: its month and province, <c>2016-09_51</c>, so a province's
    /// month is one partition and the country's month 34 of them; <c>2016-09_xx</c> for a finding without a
    /// usable region (<see cref="NoRegion"/>).
    /// </summary>
    public static string PeriodPartition(string period, string? region) => Check($"{period}{Separator}{(IsRegion(region) ? region![..2] : NoRegion)}");

    /// <summary>
    /// RowKey in ViolationsByPeriod: the 6-digit region, the enterprise, the Violations RowKey — so a city's or a
    /// district's month is a RowKey range of its province's partition (<see cref="RegionRange"/>), and the rows of
    /// one enterprise lie together inside it.
    /// </summary>
    public static string ViolationByPeriod(string? region, string uscc, string violationKey) => Check($"{(IsRegion(region) ? region : NoRegion)}{Separator}{uscc}{Separator}{violationKey}");

    /// <summary>Both keys of a finding's copy in ViolationsByPeriod.</summary>
    public static (string PartitionKey, string RowKey) ByPeriod(Entities.ViolationEntity finding)
    {
        ArgumentNullException.ThrowIfNull(finding);
        return (PeriodPartition(finding.Period, finding.Region), ViolationByPeriod(finding.Region, finding.Uscc, finding.RowKey));
    }

    /// <summary>The Violations RowKey a ViolationsByPeriod RowKey carries (after the region and the enterprise).</summary>
    public static string ViolationKeyOf(string byPeriodRowKey, string uscc)
    {
        ArgumentNullException.ThrowIfNull(byPeriodRowKey);
        ArgumentNullException.ThrowIfNull(uscc);
        return byPeriodRowKey[(byPeriodRowKey.IndexOf(Separator, StringComparison.Ordinal) + uscc.Length + 2)..];
    }

    /// <summary>
    /// The RowKey range [from, to) of a region's findings in its province's partition — the rows whose region starts
    /// with a city's four digits or a district's six — or null for a province (its whole partition) or the nation.
    /// </summary>
    public static (string From, string To)? RegionRange(string regionPrefix)
    {
        ArgumentNullException.ThrowIfNull(regionPrefix);
        return regionPrefix.Length <= 2 ? null : (regionPrefix, After(regionPrefix));
    }

    /// <summary>The first key after every key that starts with <paramref name="prefix"/>: "5101" gives "5102".</summary>
    public static string After(string prefix)
    {
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        return prefix[..^1] + (char)(prefix[^1] + 1);
    }

    /// <summary>The province part of <see cref="PeriodPartition"/> for findings without a usable region.</summary>
    public const string NoRegion = "xx";

    /// <summary>
    /// The RowKey ViolationsByPeriod had before it was keyed by region (PartitionKey = period, RowKey = enterprise and
    /// Violations RowKey): what <c>compliance-stack migrate-keys</c> removes.
    /// </summary>
    public static string LegacyViolationByPeriod(string uscc, string violationKey) => Check($"{uscc}{Separator}{violationKey}");

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

    private static bool IsRegion(string? region) => Core.Filings.RegionCode.TryParse(region, out _) && region != Core.Filings.RegionCode.National;

    private static string Hash(string value, int bytes) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)).AsSpan(0, bytes));
}
