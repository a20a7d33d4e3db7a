using System.Globalization;
using Compliance.Core.Policies;
using Compliance.Core.Rules;
using Compliance.Pipeline.Review;
using Compliance.Storage;
using Compliance.Storage.Entities;
using Microsoft.Extensions.Logging;

namespace Compliance.Pipeline;

/// <summary>What one migration run did: filings grouped, the rows they had, the findings added (a rerun adds none).</summary>
public sealed record MigrationResult(int Filings, int Rows, int FindingsAdded, int FindingsExisting);

/// <summary>
/// Groups the per-row violation entities stored before findings into findings (<c>compliance-stack migrate-findings</c>).
/// Per filing, in an order that makes every step safe to repeat, so a run stopped anywhere is finished by the
/// next one and a finished one does nothing:
/// <list type="number">
/// <item>the filing's per-row entities are copied to ViolationRowsArchive (upserts) — nothing is lost;</item>
/// <item>the findings are built from the archive (which holds every row, even those a stopped run already
/// removed) and added; one that exists (a rerun, or a version checked since) is left as it is;</item>
/// <item>each finding's history gets one entry, under a key derived from its rows, naming the per-row ids and
/// the decisions regulators had made on them — whose own histories stay in ReviewAudit under those ids;</item>
/// <item>the per-row entities and their by-period copies are deleted.</item>
/// </list>
/// Review state: rows that all carry one decision pass it to their finding; rows decided differently make an
/// open finding, for a regulator to decide once, with every earlier decision in its history.
/// </summary>
public sealed class FindingMigration(FilingStore store, ReviewStore history, FindingCounts counts, TimeProvider time, ILogger<FindingMigration> logger)
{
    /// <summary>Per-row ids quoted in a finding's migration entry; the count covers the rest.</summary>
    private const int QuotedIds = 20;

    public async Task<MigrationResult> RunAsync(CancellationToken cancellationToken)
    {
        int filings = 0, rows = 0, added = 0, existing = 0;
        var pending = new List<ViolationEntity>();
        string? partition = null;
        await foreach (var entity in store.AllViolationsAsync(cancellationToken).ConfigureAwait(false))
        {
            // The scan returns partitions whole and in order: an enterprise's rows are migrated when its partition ends.
            if (partition is not null && entity.PartitionKey != partition)
            {
                (filings, rows, added, existing) = Sum((filings, rows, added, existing), await MigratePartitionAsync(pending, cancellationToken).ConfigureAwait(false));
                pending.Clear();
            }

            partition = entity.PartitionKey;
            if (!entity.IsFinding)
            {
                pending.Add(entity);
            }
        }

        (filings, rows, added, existing) = Sum((filings, rows, added, existing), await MigratePartitionAsync(pending, cancellationToken).ConfigureAwait(false));
        return new MigrationResult(filings, rows, added, existing);
    }

    private static (int, int, int, int) Sum((int, int, int, int) a, (int, int, int, int) b) => (a.Item1 + b.Item1, a.Item2 + b.Item2, a.Item3 + b.Item3, a.Item4 + b.Item4);

    private async Task<(int Filings, int Rows, int Added, int Existing)> MigratePartitionAsync(List<ViolationEntity> legacy, CancellationToken cancellationToken)
    {
        int filings = 0, rows = 0, added = 0, existing = 0;
        foreach (var filing in legacy.GroupBy(v => v.FilingId, StringComparer.Ordinal))
        {
            var current = filing.ToList();
            var uscc = current[0].PartitionKey;
            await store.ArchiveRowsAsync(current, cancellationToken).ConfigureAwait(false);
            var archived = await store.ArchivedRowsOfFilingAsync(uscc, filing.Key, cancellationToken).ConfigureAwait(false);
            foreach (var group in archived.GroupBy(GroupOf))
            {
                var finding = Build(group.Key, [.. group.OrderBy(v => v.Row)]);
                if (await store.TryAddFindingAsync(finding, cancellationToken).ConfigureAwait(false))
                {
                    added++;
                }
                else
                {
                    existing++;
                    finding = await history.GetAsync(finding.PartitionKey, finding.RowKey, cancellationToken).ConfigureAwait(false) ?? finding;
                }

                await store.IndexFindingAsync(finding, cancellationToken).ConfigureAwait(false);
                await counts.ApplyAsync(finding, cancellationToken).ConfigureAwait(false);
                await history.RecordHistoryAsync([Entry(finding, [.. group.OrderBy(v => v.Row)], time.GetUtcNow())], cancellationToken).ConfigureAwait(false);
            }

            await store.DeleteRowsAsync(current, cancellationToken).ConfigureAwait(false);
            filings++;
            rows += current.Count;
            logger.LogInformation("Migrated filing {FilingId} of {Uscc}: {Rows} per-row violations grouped into findings", filing.Key, uscc, current.Count);
        }

        return (filings, rows, added, existing);
    }

    /// <summary>
    /// The finding a stored row belongs to, as the checker groups them. A per-row entity does not say whether its
    /// value was declared; a value in a rate column (every part of the field named <c>*_rate</c>) is.
    /// </summary>
    private static FindingGroup GroupOf(ViolationEntity v)
    {
        var declared = v.Field.Split('+').All(f => f.EndsWith("_rate", StringComparison.Ordinal));
        return new FindingGroup(v.Rule, v.Field, v.Limit, v.Citation, v.Uscc, v.Period, v.Region, declared ? (decimal)v.Observed : null);
    }

    private ViolationEntity Build(FindingGroup key, List<ViolationEntity> group)
    {
        // Rows a later version no longer had were resolved one by one; the finding is what is still current.
        var live = group.Where(v => !v.IsSuperseded).ToList();
        var members = live.Count > 0 ? live : group;
        var first = members[0];
        var id = Finding.IdOf(key.Rule, key.Field, key.Citation, key.Uscc, key.Period, key.Region, key.Declared);
        var now = time.GetUtcNow();
        var statuses = members.Select(v => (Status: v.EffectiveStatus(now), v.ExemptUntil)).Distinct().ToList();
        var (status, exemptUntil) = statuses.Count == 1 ? statuses[0] : (ViolationEntity.OpenStatus, null);
        var reviewed = members.Where(v => v.ReviewedAt is not null).MaxBy(v => v.ReviewedAt);
        var observed = members.Select(v => (decimal)v.Observed).ToList();
        var finding = new Finding
        {
            Id = id,
            Rule = first.Rule,
            Severity = Enum.Parse<Severity>(first.Severity, ignoreCase: true),
            Uscc = first.Uscc,
            Period = first.Period,
            Region = first.Region,
            Field = first.Field,
            Limit = first.Limit,
            Citation = first.Citation,
            Observed = key.Declared,
            ObservedMin = observed.Min(),
            ObservedMax = observed.Max(),
            RowCount = members.Count,
            EmployeeCount = members.Count(v => v.EmployeeId is not null),
            FirstRows = [.. members.Take(Finding.FirstRowsListed).Select(v => v.Row)],
            EmployeeId = first.EmployeeId,
            Item = first.Item,
            FirstMessage = first.Message,
        };

        // Stored as the pipeline stores a finding; then the review state the rows had.
        var entity = FindingEntities.Of(finding, first.PartitionKey, first.FilingName, first.FilingId, first.FilingETag, first.Kind, group.Min(v => v.DetectedAt));
        entity.Status = live.Count > 0 ? status : ViolationEntity.ResolvedStatus;
        entity.ExemptUntil = status == ViolationEntity.ExemptedStatus ? exemptUntil : null;
        entity.ReviewedBy = statuses.Count == 1 ? reviewed?.ReviewedBy : null;
        entity.ReviewedAt = statuses.Count == 1 ? reviewed?.ReviewedAt : null;
        entity.ResolvedByVersion = live.Count > 0 ? null : group.Select(v => v.ResolvedByVersion).Last();
        entity.ResolvedAt = live.Count > 0 ? null : group.Max(v => v.ResolvedAt);
        entity.ChangedAt = group.Max(v => v.ChangedAt);
        return entity;
    }

    /// <summary>The finding's migration entry: keyed after everything its rows had recorded, so a rerun rewrites it and the history reads in order.</summary>
    private static ReviewAuditEntity Entry(ViolationEntity finding, List<ViolationEntity> rows, DateTimeOffset now)
    {
        var ticks = rows.Max(v => Math.Max(v.DetectedAt.UtcTicks, Math.Max(v.ReviewedAt?.UtcTicks ?? 0, v.ChangedAt?.UtcTicks ?? 0))) + 1;
        var decisions = rows.GroupBy(v => v.Status).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => string.Create(CultureInfo.InvariantCulture, $"{g.Key} {g.Count()}"));
        var ids = rows.Take(QuotedIds).Select(ReviewService.IdOf).ToList();
        var more = rows.Count > QuotedIds ? string.Create(CultureInfo.InvariantCulture, $" and {rows.Count - QuotedIds} more") : string.Empty;
        return new ReviewAuditEntity
        {
            PartitionKey = ReviewService.IdOf(finding),
            RowKey = StorageKeys.Check($"{ticks:D19}{StorageKeys.Separator}migration"),
            Who = ReviewAuditEntity.MigrationActor,
            At = now,
            FromStatus = finding.Status,
            ToStatus = finding.Status,
            Rows = rows.Count,
            Note = $"由逐行记录合并为一项 / Grouped from {rows.Count} per-row violation(s) stored before findings ({string.Join(", ", decisions)}); their reviews stay in their own histories: {string.Join(", ", ids)}{more}.",
        };
    }

    private sealed record FindingGroup(string Rule, string Field, string Limit, string Citation, string Uscc, string Period, string Region, decimal? Declared);
}
