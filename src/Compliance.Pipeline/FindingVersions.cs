using System.Globalization;
using Compliance.Pipeline.Review;
using Compliance.Storage;
using Compliance.Storage.Entities;

namespace Compliance.Pipeline;

/// <summary>The filing version whose findings are being stored: what the history entries it writes name.</summary>
/// <param name="VersionId"><see cref="StorageKeys.VersionId"/> of the blob ETag.</param>
/// <param name="FileName">The file as the enterprise named it.</param>
/// <param name="UploadedAt">When the version was uploaded; orders its history entries and keys them.</param>
/// <param name="CheckedAt">Now: when the version is being checked.</param>
public sealed record FilingVersionStamp(string VersionId, string FileName, DateTimeOffset UploadedAt, DateTimeOffset CheckedAt)
{
    /// <summary>Set when the same version is checked again under a new catalog (this version): the history says so, not "new version".</summary>
    public string? RecheckCatalog { get; init; }

    /// <summary>What changed the findings, for the history: the upload, or the re-check of it.</summary>
    internal string Source(string zhUpload, string zhRecheck, string en) => RecheckCatalog is { } catalog
        ? $"{zhRecheck} / {en} on re-checking the version of {FileName} uploaded {FindingVersions.Stamp(UploadedAt)} under catalog {catalog}"
        : $"{zhUpload} / {en} in the version of {FileName} uploaded {FindingVersions.Stamp(UploadedAt)}";
}

/// <summary>What storing one version's findings writes: new findings, changed ones (ETag-checked), history entries.</summary>
/// <param name="Added">Findings no earlier version had; written with Add.</param>
/// <param name="Updated">Stored findings that changed (content, superseded, found again); written only if their ETag still matches.</param>
/// <param name="Unchanged">Stored findings the version has as they are; only their index copies are refreshed.</param>
/// <param name="History">One entry per updated finding, keyed by the version, so a retry rewrites rather than adds.</param>
public sealed record FindingChanges(
    IReadOnlyList<ViolationEntity> Added,
    IReadOnlyList<ViolationEntity> Updated,
    IReadOnlyList<ViolationEntity> Unchanged,
    IReadOnlyList<ReviewAuditEntity> History)
{
    /// <summary>Of <see cref="Updated"/>, the findings this version resolved (those found again are open).</summary>
    public int Resolved => Updated.Count(v => v.IsSuperseded);
}

/// <summary>
/// How a new version of a filing meets the findings already stored for that filing. A compliance record keeps
/// what a regulator decided, so nothing is deleted:
/// <list type="bullet">
/// <item>a finding the new version still has (the same rule, field, clause, month, region and, for a declared
/// rate, value — hence the same key) keeps its review state; if its rows or figures changed (more or fewer
/// rows, other first rows, a wider range) it takes the new ones and its history says what changed and how many
/// rows it has now;</item>
/// <item>a finding the new version no longer has becomes <c>resolved</c>, by that version, with a history entry
/// naming it, and stays readable;</item>
/// <item>a finding resolved that way which a later version has again is open again, also in its history;</item>
/// <item>a finding no earlier version had is added as <c>open</c>.</item>
/// </list>
/// Pure: the caller reads the stored findings and writes the result.
/// </summary>
public static class FindingVersions
{
    public static FindingChanges Plan(IReadOnlyList<ViolationEntity> stored, IReadOnlyList<ViolationEntity> found, FilingVersionStamp version)
    {
        ArgumentNullException.ThrowIfNull(stored);
        ArgumentNullException.ThrowIfNull(found);
        ArgumentNullException.ThrowIfNull(version);
        var added = new List<ViolationEntity>();
        var updated = new List<ViolationEntity>();
        var unchanged = new List<ViolationEntity>();
        var history = new List<ReviewAuditEntity>();

        var byKey = stored.ToDictionary(v => v.RowKey, StringComparer.Ordinal);
        foreach (var now in found.OrderBy(v => v.Row).ThenBy(v => v.RowKey, StringComparer.Ordinal))
        {
            if (!byKey.Remove(now.RowKey, out var before))
            {
                added.Add(now);
                continue;
            }

            if (before.IsSuperseded)
            {
                history.Add(Entry(before, version, before.Status, ViolationEntity.OpenStatus, now.RowCount, $"{version.Source("再次出现于新版本", "按新目录复查再次出现", "Found again")}: {Rows(now)}."));
                before.TakeContentOf(now);
                before.Status = ViolationEntity.OpenStatus;
                before.ResolvedByVersion = null;
                before.ResolvedAt = null;
                updated.Add(before);
            }
            else if (before.SameFindingAs(now))
            {
                unchanged.Add(before);
            }
            else
            {
                var status = before.EffectiveStatus(version.CheckedAt);
                history.Add(Entry(before, version, status, status, now.RowCount, $"{version.Source("新版本中有变化", "按新目录复查有变化", "Changed")}: {Differences(before, now)}; the review state stays."));
                before.TakeContentOf(now);
                updated.Add(before);
            }
        }

        // What no version since has: resolved by this one, unless already resolved (by a version or a regulator).
        foreach (var gone in byKey.Values.OrderBy(v => v.RowKey, StringComparer.Ordinal))
        {
            if (gone.ResolvedByVersion is not null || gone.Status == ViolationEntity.ResolvedStatus)
            {
                continue;
            }

            history.Add(Entry(gone, version, gone.EffectiveStatus(version.CheckedAt), ViolationEntity.ResolvedStatus, 0, $"{version.Source("新版本不再包含", "按新目录复查不再违规", "Not found")}: resolved by {(version.RecheckCatalog is null ? "that version" : "the re-check")} (it had {Rows(gone)})."));
            gone.Status = ViolationEntity.ResolvedStatus;
            gone.ResolvedByVersion = version.VersionId;
            gone.ResolvedAt = version.CheckedAt;
            updated.Add(gone);
        }

        return new FindingChanges(added, updated, unchanged, history);
    }

    private static string Rows(ViolationEntity finding) => string.Create(CultureInfo.InvariantCulture, $"{finding.RowCount} row{(finding.RowCount == 1 ? string.Empty : "s")}, first row {finding.Row}");

    /// <summary>
    /// The history entry for a change this version makes, and the finding marked with its instant. The key is
    /// derived from what is stored, not from the clock, so a retry of the same version rewrites the same entry;
    /// it sorts after the finding's last review and last change (an upload time has only whole seconds).
    /// </summary>
    private static ReviewAuditEntity Entry(ViolationEntity finding, FilingVersionStamp version, string from, string to, int rows, string note)
    {
        var ticks = finding.NextHistoryTicks(version.UploadedAt);
        finding.ChangedAt = new DateTimeOffset(ticks, TimeSpan.Zero);
        return new ReviewAuditEntity
        {
            PartitionKey = ReviewService.IdOf(finding),
            RowKey = StorageKeys.Check($"{ticks:D19}{StorageKeys.Separator}v{version.VersionId}"),
            Who = ReviewAuditEntity.FilingVersionActor,
            At = version.CheckedAt,
            FromStatus = from,
            ToStatus = to,
            Note = note,
            Version = version.VersionId,
            Rows = rows,
            ExemptUntil = to == ViolationEntity.ExemptedStatus ? finding.ExemptUntil : null,
        };
    }

    private static string Differences(ViolationEntity before, ViolationEntity now)
    {
        var changes = new List<string>();
        if (before.RowCount != now.RowCount)
        {
            changes.Add(string.Create(CultureInfo.InvariantCulture, $"rows {before.RowCount} → {now.RowCount}"));
        }

        if (before.EmployeeCount != now.EmployeeCount)
        {
            changes.Add(string.Create(CultureInfo.InvariantCulture, $"employees {before.EmployeeCount} → {now.EmployeeCount}"));
        }

        if (before.FirstRows != now.FirstRows)
        {
            changes.Add($"first rows {before.FirstRows} → {now.FirstRows}");
        }

        if (!before.ObservedMin.Equals(now.ObservedMin) || !before.ObservedMax.Equals(now.ObservedMax))
        {
            changes.Add(string.Create(CultureInfo.InvariantCulture, $"observed {Range(before)} → {Range(now)}"));
        }

        if (before.Limit != now.Limit)
        {
            changes.Add($"limit {before.Limit} → {now.Limit}");
        }

        if (before.Citation != now.Citation)
        {
            changes.Add($"clause {before.Citation} → {now.Citation}");
        }

        return changes.Count > 0 ? string.Join(", ", changes) : "wording of the finding";
    }

    private static string Range(ViolationEntity v) => v.ObservedMin.Equals(v.ObservedMax)
        ? v.ObservedMin.ToString(CultureInfo.InvariantCulture)
        : string.Create(CultureInfo.InvariantCulture, $"{v.ObservedMin}–{v.ObservedMax}");

    internal static string Stamp(DateTimeOffset at) => at.ToOffset(Core.Filings.ChinaTime.Offset).ToString("yyyy-MM-dd HH:mm:ss 'CST'", CultureInfo.InvariantCulture);
}
