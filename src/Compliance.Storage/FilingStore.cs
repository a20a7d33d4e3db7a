using Azure.Data.Tables;
using Compliance.Storage.Entities;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Registry;

namespace Compliance.Storage;

/// <summary>What storing a filing version's findings did, for logs and tests: <paramref name="Resolved"/> were no longer in the version.</summary>
public sealed record ViolationChanges(int Added, int Updated, int Unchanged, int Resolved);

/// <summary>
/// The Filings, Violations and ViolationsByPeriod tables. Writes go in entity-group transactions (one
/// partition, at most 100 entities — far below the 4 MiB limit at about 1 KiB an entity), each batch one
/// resilient operation. All filters are built with <see cref="TableClient.CreateQueryFilter(FormattableString)"/>.
/// </summary>
public sealed class FilingStore(TableServiceClient tables, IOptions<ComplianceStorageOptions> options, ResiliencePipelineProvider<string> pipelines, ILogger<FilingStore> logger)
{
    /// <summary>The service's limit on operations in one entity-group transaction.</summary>
    public const int MaxBatchSize = 100;

    /// <summary>Transactions in flight at once for one filing's violations (a storage account takes far more).</summary>
    public const int ConcurrentTransactions = 4;

    private readonly ResiliencePipeline pipeline = pipelines.GetPipeline(StorageResilience.PipelineKey);
    private readonly SemaphoreSlim ensureLock = new(1, 1);
    private bool tablesReady;

    public TableClient Filings => tables.GetTableClient(options.Value.FilingsTable);

    public TableClient Violations => tables.GetTableClient(options.Value.ViolationsTable);

    public TableClient ViolationsByPeriod => tables.GetTableClient(options.Value.ViolationsByPeriodTable);

    public TableClient FilingsByPeriod => tables.GetTableClient(options.Value.FilingsByPeriodTable);

    public async Task EnsureTablesAsync(CancellationToken cancellationToken)
    {
        if (tablesReady)
        {
            return;
        }

        await ensureLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!tablesReady)
            {
                foreach (var table in new[] { Filings, Violations, ViolationsByPeriod, FilingsByPeriod })
                {
                    await pipeline.ExecuteAsync(async ct => await table.CreateIfNotExistsAsync(ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
                }

                tablesReady = true;
            }
        }
        finally
        {
            ensureLock.Release();
        }
    }

    public async Task<FilingEntity?> GetFilingVersionAsync(string partitionKey, string rowKey, CancellationToken cancellationToken)
    {
        await EnsureTablesAsync(cancellationToken).ConfigureAwait(false);
        var response = await pipeline.ExecuteAsync(
            async ct => await Filings.GetEntityIfExistsAsync<FilingEntity>(partitionKey, rowKey, cancellationToken: ct).ConfigureAwait(false),
            cancellationToken).ConfigureAwait(false);
        return response.HasValue ? response.Value : null;
    }

    /// <summary>Records a version's verdict. Written last: its presence marks the version as fully processed.</summary>
    public async Task SaveFilingVersionAsync(FilingEntity filing, CancellationToken cancellationToken)
    {
        await EnsureTablesAsync(cancellationToken).ConfigureAwait(false);
        await pipeline.ExecuteAsync(
            async ct => await Filings.UpsertEntityAsync(filing, TableUpdateMode.Replace, ct).ConfigureAwait(false),
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Lists a filing version under each period it covers (one batch per period; upserts, so repeats are harmless).</summary>
    public async Task IndexFilingAsync(IEnumerable<FilingPeriodEntity> entries, CancellationToken cancellationToken)
    {
        await EnsureTablesAsync(cancellationToken).ConfigureAwait(false);
        await SubmitAsync(FilingsByPeriod, entries.Select(e => (e.PartitionKey, new TableTransactionAction(TableTransactionActionType.UpsertReplace, e))), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Every filing version listed under one period: one partition.</summary>
    public Task<List<FilingPeriodEntity>> FilingsOfPeriodAsync(string period, CancellationToken cancellationToken) =>
        QueryAsync<FilingPeriodEntity>(FilingsByPeriod, TableClient.CreateQueryFilter($"PartitionKey eq {period}"), cancellationToken);

    /// <summary>
    /// One page (at most 1,000 rows, as the service pages) of the filing versions listed under a period, from
    /// <paramref name="continuation"/> (null: the start); the next page's token, null after the last. A page may be
    /// empty with a token: the service stops at 5 seconds of work.
    /// </summary>
    public async Task<(IReadOnlyList<FilingPeriodEntity> Rows, string? Next)> FilingsOfPeriodPageAsync(string period, string? continuation, CancellationToken cancellationToken)
    {
        await EnsureTablesAsync(cancellationToken).ConfigureAwait(false);
        return await PageAsync<FilingPeriodEntity>(FilingsByPeriod, TableClient.CreateQueryFilter($"PartitionKey eq {period}"), ["PartitionKey", "RowKey", "BlobName", "Kind"], continuation, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Writes one filing version's findings (all in partition <paramref name="uscc"/>), in both tables, as the
    /// pipeline planned them: <paramref name="added"/> with Add, <paramref name="updated"/> only if each still has
    /// the ETag it was read with — a regulator's review in between fails the write (412), and the trigger's
    /// retry plans again from what is stored — and the by-period copies of those and of
    /// <paramref name="unchanged"/> rewritten from them (the index is derived: a crash between the two tables'
    /// writes on an earlier attempt cannot leave it short). Nothing is deleted: a finding a version no longer
    /// has is updated to resolved, never removed.
    /// </summary>
    public async Task<ViolationChanges> SaveFindingsAsync(string uscc, string filingId, IReadOnlyList<ViolationEntity> added, IReadOnlyList<ViolationEntity> updated, IReadOnlyList<ViolationEntity> unchanged, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(added);
        ArgumentNullException.ThrowIfNull(updated);
        ArgumentNullException.ThrowIfNull(unchanged);
        await EnsureTablesAsync(cancellationToken).ConfigureAwait(false);
        var main = added.Select(v => (uscc, new TableTransactionAction(TableTransactionActionType.Add, v)))
            .Concat(updated.Select(v => (uscc, new TableTransactionAction(TableTransactionActionType.UpdateReplace, v, v.ETag))));
        await SubmitAsync(Violations, main, cancellationToken).ConfigureAwait(false);

        await IndexAsync([.. added, .. updated, .. unchanged], cancellationToken).ConfigureAwait(false);

        var resolved = updated.Count(v => v.IsSuperseded);
        var changes = new ViolationChanges(added.Count, updated.Count - resolved, unchanged.Count, resolved);
        logger.LogInformation("Violations of filing {FilingId} for {Uscc}: {Added} added, {Updated} updated, {Unchanged} unchanged, {Resolved} resolved by this version", filingId, uscc, changes.Added, changes.Updated, changes.Unchanged, changes.Resolved);
        return changes;
    }

    /// <summary>All findings of one filing: one partition, one RowKey range (per-row entities from before findings lie outside it).</summary>
    public Task<List<ViolationEntity>> FindingsOfFilingAsync(string uscc, string filingId, CancellationToken cancellationToken)
    {
        var (from, to) = StorageKeys.PrefixRange(StorageKeys.FindingsOf(filingId));
        return QueryAsync(Violations, TableClient.CreateQueryFilter($"PartitionKey eq {uscc} and RowKey ge {from} and RowKey lt {to}"), cancellationToken);
    }

    /// <summary>Where the migration to findings keeps the per-row entities it grouped (same keys and properties).</summary>
    public TableClient ViolationRowsArchive => tables.GetTableClient(options.Value.ViolationRowsArchiveTable);

    /// <summary>
    /// Every entity of the Violations table, partition by partition in key order, as the service pages it:
    /// the migration's one full scan, so it holds no more than a page at a time.
    /// </summary>
    public async IAsyncEnumerable<ViolationEntity> AllViolationsAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await EnsureTablesAsync(cancellationToken).ConfigureAwait(false);
        await foreach (var entity in Violations.QueryAsync<ViolationEntity>(cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            yield return entity;
        }
    }

    /// <summary>Copies per-row entities to the archive (upserts: a rerun rewrites the same copies).</summary>
    public async Task ArchiveRowsAsync(IReadOnlyList<ViolationEntity> rows, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rows);
        await pipeline.ExecuteAsync(async ct => await ViolationRowsArchive.CreateIfNotExistsAsync(ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        await SubmitAsync(ViolationRowsArchive, rows.Select(r => (r.PartitionKey, new TableTransactionAction(TableTransactionActionType.UpsertReplace, r.CopyAs(r.PartitionKey, r.RowKey)))), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The archived per-row entities of one filing: one partition, one RowKey range.</summary>
    public Task<List<ViolationEntity>> ArchivedRowsOfFilingAsync(string uscc, string filingId, CancellationToken cancellationToken)
    {
        var (from, to) = StorageKeys.PrefixRange(filingId);
        return QueryAsync(ViolationRowsArchive, TableClient.CreateQueryFilter($"PartitionKey eq {uscc} and RowKey ge {from} and RowKey lt {to}"), cancellationToken);
    }

    /// <summary>Adds a finding the migration built; false when it exists already (a rerun, or a version checked since), which is left as it is.</summary>
    public async Task<bool> TryAddFindingAsync(ViolationEntity finding, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(finding);
        try
        {
            await pipeline.ExecuteAsync(async ct => await Violations.AddEntityAsync(finding, ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (Azure.RequestFailedException ex) when (ex.Status == 409)
        {
            return false;
        }
    }

    /// <summary>Rewrites a finding's by-period copy from the Violations entity.</summary>
    public async Task IndexFindingAsync(ViolationEntity finding, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(finding);
        var copy = finding.CopyAs(StorageKeys.ByPeriod(finding));
        await pipeline.ExecuteAsync(async ct => await ViolationsByPeriod.UpsertEntityAsync(copy, TableUpdateMode.Replace, ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes by-period copies of Violations entities under today's keys (upserts: a rerun rewrites the same copies).</summary>
    public Task IndexAsync(IReadOnlyList<ViolationEntity> entities, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entities);
        return SubmitAsync(ViolationsByPeriod, entities.Select(v => v.CopyAs(StorageKeys.ByPeriod(v))).Select(copy => (copy.PartitionKey, new TableTransactionAction(TableTransactionActionType.UpsertReplace, copy))), cancellationToken);
    }

    /// <summary>
    /// The keys of ViolationsByPeriod rows still under the keys from before the index was keyed by region
    /// (PartitionKey a bare month), read a page at a time. A scan of the index table: the key migration's, once.
    /// </summary>
    public async IAsyncEnumerable<(string PartitionKey, string RowKey)> LegacyIndexKeysAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await EnsureTablesAsync(cancellationToken).ConfigureAwait(false);
        await foreach (var row in ViolationsByPeriod.QueryAsync<TableEntity>(select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (!row.PartitionKey.Contains(StorageKeys.Separator, StringComparison.Ordinal))
            {
                yield return (row.PartitionKey, row.RowKey);
            }
        }
    }

    /// <summary>Deletes index rows by their keys, a transaction per partition and hundred; one already gone is no error.</summary>
    public async Task DeleteIndexRowsAsync(IReadOnlyList<(string PartitionKey, string RowKey)> keys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keys);
        foreach (var chunk in keys.GroupBy(k => k.PartitionKey, StringComparer.Ordinal).SelectMany(p => p.Chunk(MaxBatchSize)))
        {
            try
            {
                await pipeline.ExecuteAsync(async ct => await ViolationsByPeriod.SubmitTransactionAsync(chunk.Select(k => new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(k.PartitionKey, k.RowKey), Azure.ETag.All)), ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
            }
            catch (TableTransactionFailedException ex) when (ex.Status == 404)
            {
                // A run stopped after deleting some of these: delete the rest one by one.
                foreach (var (partition, row) in chunk)
                {
                    try
                    {
                        await pipeline.ExecuteAsync(async ct => await ViolationsByPeriod.DeleteEntityAsync(partition, row, Azure.ETag.All, ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
                    }
                    catch (Azure.RequestFailedException gone) when (gone.Status == 404)
                    {
                    }
                }
            }
        }
    }

    /// <summary>Deletes per-row entities (already archived) and their by-period copies; one already gone is no error.</summary>
    public async Task DeleteRowsAsync(IReadOnlyList<ViolationEntity> rows, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rows);
        await Parallel.ForEachAsync(rows, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken }, async (row, token) =>
        {
            // The copy under today's keys and under those before the index was keyed by region.
            var (byPeriod, byPeriodKey) = StorageKeys.ByPeriod(row);
            foreach (var (table, partition, key) in new[] { (ViolationsByPeriod, byPeriod, byPeriodKey), (ViolationsByPeriod, row.Period, StorageKeys.LegacyViolationByPeriod(row.PartitionKey, row.RowKey)), (Violations, row.PartitionKey, row.RowKey) })
            {
                try
                {
                    await pipeline.ExecuteAsync(async ct => await table.DeleteEntityAsync(partition, key, Azure.ETag.All, ct).ConfigureAwait(false), token).ConfigureAwait(false);
                }
                catch (Azure.RequestFailedException ex) when (ex.Status == 404)
                {
                    // Deleted by an earlier, interrupted run.
                }
            }
        }).ConfigureAwait(false);
    }

    /// <summary>All violations of one enterprise: one partition.</summary>
    public Task<List<ViolationEntity>> ViolationsOfEnterpriseAsync(string uscc, CancellationToken cancellationToken) =>
        QueryAsync(Violations, TableClient.CreateQueryFilter($"PartitionKey eq {uscc}"), cancellationToken);

    /// <summary>
    /// Partitions of ViolationsByPeriod read at once when a whole month is read: four keep a national month's read at
    /// about two minutes in Azure (900,000 findings at 2,000 entities/s a partition) while the pages in flight — the
    /// storage client's garbage — stay small beside a digest's own memory (eight cost the nation's digest 20% more peak).
    /// </summary>
    public const int PartitionsInFlight = 4;

    /// <summary>
    /// All violations of one month (filing period): its province partitions of the index table, read
    /// <see cref="PartitionsInFlight"/> at a time, in partition order.
    /// </summary>
    public Task<List<ViolationEntity>> ViolationsOfPeriodAsync(string period, CancellationToken cancellationToken) =>
        ViolationsOfPeriodAsync(period, v => v, null, cancellationToken);

    /// <summary>
    /// A month's violations as the caller needs them: each entity is mapped as it arrives (and then let go), and
    /// <paramref name="select"/> names the properties to read, so a month is held only as small as the caller keeps it.
    /// </summary>
    public async Task<List<T>> ViolationsOfPeriodAsync<T>(string period, Func<ViolationEntity, T> map, IReadOnlyList<string>? select, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(map);

        // The month streamed by partition, each partition's findings kept apart so the list is in partition order.
        var parts = PeriodPartitions(period).Select(_ => new List<T>()).ToArray();
        await StreamViolationsOfPeriodAsync(period, string.Empty, select, (part, entity) => parts[part].Add(map(entity)), cancellationToken).ConfigureAwait(false);
        return [.. parts.SelectMany(p => p)];
    }

    /// <summary>
    /// Hands each finding of a month in a region to <paramref name="each"/> as its page arrives, in key order, with the
    /// index of the partition it came from, holding nothing: the region's key range (<see cref="ReviewStore.MonthRange"/>)
    /// — a district's or city's RowKey range, a province's partition (index 0), or for the nation
    /// (<paramref name="regionPrefix"/> empty) the month's partitions in <see cref="PeriodPartitions"/> order,
    /// <see cref="PartitionsInFlight"/> at a time, so <paramref name="each"/> may be called for several partitions at once.
    /// Each page is one retried operation resumed from its continuation token, so a retry hands nothing twice.
    /// </summary>
    public async Task StreamViolationsOfPeriodAsync(string period, string regionPrefix, IReadOnlyList<string>? select, Action<int, ViolationEntity> each, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(regionPrefix);
        ArgumentNullException.ThrowIfNull(each);
        await EnsureTablesAsync(cancellationToken).ConfigureAwait(false);
        IReadOnlyList<string> filters = regionPrefix.Length == 0
            ? [.. PeriodPartitions(period).Select(p => TableClient.CreateQueryFilter($"PartitionKey eq {p}"))]
            : [ReviewStore.MonthRange(period, regionPrefix)];
        await Parallel.ForEachAsync(filters.Select((filter, part) => (filter, part)), new ParallelOptions { MaxDegreeOfParallelism = PartitionsInFlight, CancellationToken = cancellationToken }, async (query, token) =>
        {
            string? continuation = null;
            do
            {
                var (rows, next) = await PageAsync<ViolationEntity>(ViolationsByPeriod, query.filter, select, continuation, token).ConfigureAwait(false);
                foreach (var row in rows)
                {
                    each(query.part, row);
                }

                continuation = next;
            }
            while (continuation is not null);
        }).ConfigureAwait(false);
    }

    /// <summary>One enterprise's findings of one month, from its own partition of Violations (the enterprise's digest).</summary>
    public Task<List<ViolationEntity>> ViolationsOfEnterpriseInPeriodAsync(string uscc, string period, CancellationToken cancellationToken) =>
        QueryAsync(Violations, TableClient.CreateQueryFilter($"PartitionKey eq {uscc} and Period eq {period}"), cancellationToken);

    /// <summary>One page (as the service pages, at most 1,000) of a query from <paramref name="continuation"/>, as one retried operation.</summary>
    private async Task<(IReadOnlyList<T> Rows, string? Next)> PageAsync<T>(TableClient table, string filter, IReadOnlyList<string>? select, string? continuation, CancellationToken cancellationToken)
        where T : class, ITableEntity, new() =>
        await pipeline.ExecuteAsync(
            async ct =>
            {
                await foreach (var page in table.QueryAsync<T>(filter, maxPerPage: 1000, select: select, cancellationToken: ct).AsPages(continuation, 1000).ConfigureAwait(false))
                {
                    return ((IReadOnlyList<T>)page.Values, page.ContinuationToken);
                }

                return ([], null);
            },
            cancellationToken).ConfigureAwait(false);

    /// <summary>A month's partitions of ViolationsByPeriod: one per province-level division, and the one for findings without a region.</summary>
    public static IReadOnlyList<string> PeriodPartitions(string period) =>
        [.. Core.Filings.RegionNames.Provinces.Append(StorageKeys.NoRegion).Select(p => StorageKeys.PeriodPartition(period, p == StorageKeys.NoRegion ? null : p))];

    /// <summary>Every recorded version of every filing of one enterprise.</summary>
    public Task<List<FilingEntity>> FilingsOfEnterpriseAsync(string uscc, CancellationToken cancellationToken) =>
        QueryAsync<FilingEntity>(Filings, TableClient.CreateQueryFilter($"PartitionKey eq {uscc}"), cancellationToken);

    private async Task<List<T>> QueryAsync<T>(TableClient table, string filter, CancellationToken cancellationToken)
        where T : class, ITableEntity, new()
    {
        await EnsureTablesAsync(cancellationToken).ConfigureAwait(false);
        return await pipeline.ExecuteAsync(
            async ct =>
            {
                var list = new List<T>();
                await foreach (var entity in table.QueryAsync<T>(filter, cancellationToken: ct).ConfigureAwait(false))
                {
                    list.Add(entity);
                }

                return list;
            },
            cancellationToken).ConfigureAwait(false);
    }

    private Task<List<ViolationEntity>> QueryAsync(TableClient table, string filter, CancellationToken cancellationToken) =>
        QueryAsync<ViolationEntity>(table, filter, cancellationToken);

    /// <summary>
    /// Groups actions by partition and sends them in transactions of at most <see cref="MaxBatchSize"/>,
    /// <see cref="ConcurrentTransactions"/> at a time: the transactions of one call touch distinct rows, so
    /// their order does not matter, and the caller's phases (main table, then index) still follow one another.
    /// </summary>
    private async Task SubmitAsync(TableClient table, IEnumerable<(string Partition, TableTransactionAction Action)> actions, CancellationToken cancellationToken)
    {
        var chunks = actions.GroupBy(a => a.Partition, StringComparer.Ordinal).SelectMany(p => p.Select(a => a.Action).Chunk(MaxBatchSize));
        await Parallel.ForEachAsync(chunks, new ParallelOptions { MaxDegreeOfParallelism = ConcurrentTransactions, CancellationToken = cancellationToken }, async (chunk, token) =>
            await pipeline.ExecuteAsync(async ct => await table.SubmitTransactionAsync(chunk, ct).ConfigureAwait(false), token).ConfigureAwait(false)).ConfigureAwait(false);
    }
}
