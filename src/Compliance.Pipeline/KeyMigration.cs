using Compliance.Storage;
using Microsoft.Extensions.Logging;

namespace Compliance.Pipeline;

/// <summary>What a key migration run did: index copies written under today's keys, rows under the old keys removed.</summary>
public sealed record KeyMigrationResult(int Indexed, int LegacyRemoved);

/// <summary>
/// Rebuilds ViolationsByPeriod under the keys by month, province and region (<c>compliance-stack migrate-keys</c>), from
/// the Violations table, which holds every finding and its review state (a review writes Violations first, then
/// the copy). Two passes, each safe to repeat, so a run stopped anywhere is finished by the next and a finished one
/// only rewrites the same copies:
/// <list type="number">
/// <item>every Violations entity (findings, and rows from before findings that <c>migrate-findings</c> has yet to
/// group) is copied to the index under today's keys — upserts, a page at a time;</item>
/// <item>then the rows under the old keys (PartitionKey a bare month) are deleted. Until then they are only
/// unread, never the only copy.</item>
/// </list>
/// Review history (ReviewAudit) is keyed by the finding's id, which does not change; the counts are keyed by month
/// and province already. Run it when no reviews are being made: a review landing between the read of a finding
/// and the write of its copy is overwritten in the copy (not in Violations) until the next run or review.
/// </summary>
public sealed class KeyMigration(FilingStore store, ILogger<KeyMigration> logger)
{
    /// <summary>Entities copied per step; a step's copies are written before the next page is read.</summary>
    public const int PageSize = 1_000;

    /// <param name="progress">Called after each page of copies or deletions with the totals so far.</param>
    /// <param name="pageSize">Entities per step (<see cref="PageSize"/>).</param>
    public async Task<KeyMigrationResult> RunAsync(Action<KeyMigrationResult>? progress, int pageSize, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        var indexed = await InPagesAsync(store.AllViolationsAsync(cancellationToken), pageSize, store.IndexAsync, done => progress?.Invoke(new(done, 0)), cancellationToken).ConfigureAwait(false);
        logger.LogInformation("Key migration: {Indexed} by-period copies written under the region keys", indexed);
        var removed = await InPagesAsync(store.LegacyIndexKeysAsync(cancellationToken), pageSize, store.DeleteIndexRowsAsync, done => progress?.Invoke(new(indexed, done)), cancellationToken).ConfigureAwait(false);
        logger.LogInformation("Key migration: {Removed} rows under the old keys removed", removed);
        var result = new KeyMigrationResult(indexed, removed);
        progress?.Invoke(result);
        return result;
    }

    /// <summary>Hands <paramref name="items"/> to <paramref name="write"/> a page at a time, each page written before the next is read; returns how many.</summary>
    private static async Task<int> InPagesAsync<T>(IAsyncEnumerable<T> items, int pageSize, Func<IReadOnlyList<T>, CancellationToken, Task> write, Action<int> written, CancellationToken cancellationToken)
    {
        var (page, total) = (new List<T>(pageSize), 0);
        await foreach (var item in items.ConfigureAwait(false))
        {
            page.Add(item);
            if (page.Count == pageSize)
            {
                await write(page, cancellationToken).ConfigureAwait(false);
                total += page.Count;
                page.Clear();
                written(total);
            }
        }

        await write(page, cancellationToken).ConfigureAwait(false);
        return total + page.Count;
    }
}
