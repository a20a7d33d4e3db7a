using Azure;
using Azure.Data.Tables;
using Compliance.Storage.Entities;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Registry;

namespace Compliance.Storage;

/// <summary>Raised when a review is written against a violation that changed since it was read.</summary>
public sealed class StaleReviewException(string message) : Exception(message);

/// <summary>Review state of violations: ETag-checked status updates in both tables, and the append-only audit trail.</summary>
public sealed class ReviewStore(TableServiceClient tables, FilingStore filings, IOptions<ComplianceStorageOptions> options, ResiliencePipelineProvider<string> pipelines)
{
    private readonly ResiliencePipeline pipeline = pipelines.GetPipeline(StorageResilience.PipelineKey);

    public TableClient Audit => tables.GetTableClient(options.Value.ReviewAuditTable);

    public async Task<ViolationEntity?> GetAsync(string uscc, string rowKey, CancellationToken cancellationToken)
    {
        await filings.EnsureTablesAsync(cancellationToken).ConfigureAwait(false);
        var response = await pipeline.ExecuteAsync(async ct => await filings.Violations.GetEntityIfExistsAsync<ViolationEntity>(uscc, rowKey, cancellationToken: ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        return response.HasValue ? response.Value : null;
    }

    /// <summary>
    /// Writes a review: the Violations entity only if its ETag still matches (else <see cref="StaleReviewException"/>),
    /// then its by-period copy, then the audit entry. Not retried on 412: a stale write is the caller's to resolve.
    /// </summary>
    public async Task<ViolationEntity> ReviewAsync(ViolationEntity reviewed, ETag ifMatch, ReviewAuditEntity audit, CancellationToken cancellationToken)
    {
        try
        {
            var response = await pipeline.ExecuteAsync(async ct => await filings.Violations.UpdateEntityAsync(reviewed, ifMatch, TableUpdateMode.Replace, ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
            reviewed.ETag = response.Headers.ETag ?? reviewed.ETag;
        }
        catch (RequestFailedException ex) when (ex.Status == 412)
        {
            throw new StaleReviewException("The violation changed since it was read; reload it and review again.");
        }
        catch (RequestFailedException ex) when (ex.Status == 400)
        {
            // The service could not use the ETag at all: it is not this violation's current one either.
            throw new StaleReviewException("The ETag is not one this violation has had; reload it and review again.");
        }

        var copy = reviewed.CopyAs(StorageKeys.ByPeriod(reviewed));
        await pipeline.ExecuteAsync(async ct => await filings.ViolationsByPeriod.UpsertEntityAsync(copy, TableUpdateMode.Replace, ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        await pipeline.ExecuteAsync(async ct => await Audit.CreateIfNotExistsAsync(ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        await pipeline.ExecuteAsync(async ct => await Audit.AddEntityAsync(audit, ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        return reviewed;
    }

    /// <summary>
    /// One page of an enterprise's violations (its partition of Violations), with an extra filter built by the
    /// caller through <see cref="TableClient.CreateQueryFilter(FormattableString)"/>.
    /// </summary>
    public Task<ResultPage<ViolationEntity>> PageOfEnterpriseAsync(string uscc, string? filter, string? continuationToken, int pageSize, CancellationToken cancellationToken) =>
        PageAsync(filings.Violations, TableClient.CreateQueryFilter($"PartitionKey eq {uscc}"), filter, continuationToken, pageSize, cancellationToken);

    /// <summary>
    /// One page of a month's violations in a region, read by keys alone: a district's or a city's month is a RowKey
    /// range of its province's partition, a province's the partition, the nation's the month's partitions (a
    /// PartitionKey range). <paramref name="filter"/> narrows inside that range; it never names the region.
    /// </summary>
    public Task<ResultPage<ViolationEntity>> PageOfMonthAsync(string period, string regionPrefix, string? filter, string? continuationToken, int pageSize, CancellationToken cancellationToken) =>
        PageAsync(filings.ViolationsByPeriod, MonthRange(period, regionPrefix), filter, continuationToken, pageSize, cancellationToken);

    /// <summary>The key conditions of <see cref="PageOfMonthAsync"/>: what a query of that month and region reads.</summary>
    public static string MonthRange(string period, string regionPrefix)
    {
        ArgumentNullException.ThrowIfNull(regionPrefix);
        if (regionPrefix.Length == 0)
        {
            var (first, last) = StorageKeys.PrefixRange(period);
            return TableClient.CreateQueryFilter($"PartitionKey ge {first} and PartitionKey lt {last}");
        }

        var partition = StorageKeys.PeriodPartition(period, regionPrefix.PadRight(6, '0'));
        return StorageKeys.RegionRange(regionPrefix) is { } range
            ? TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey ge {range.From} and RowKey lt {range.To}")
            : TableClient.CreateQueryFilter($"PartitionKey eq {partition}");
    }

    private async Task<ResultPage<ViolationEntity>> PageAsync(TableClient table, string keys, string? filter, string? continuationToken, int pageSize, CancellationToken cancellationToken)
    {
        await filings.EnsureTablesAsync(cancellationToken).ConfigureAwait(false);
        var query = keys + (filter is null ? string.Empty : $" and ({filter})");
        return await pipeline.ExecuteAsync(
            async ct =>
            {
                await foreach (var page in table.QueryAsync<ViolationEntity>(query, pageSize, cancellationToken: ct).AsPages(continuationToken, pageSize).ConfigureAwait(false))
                {
                    return new ResultPage<ViolationEntity>(page.Values, page.ContinuationToken);
                }

                return new ResultPage<ViolationEntity>([], null);
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Writes history entries the pipeline made for a filing version (one per changed finding, each in its
    /// violation's partition). Upserts under keys derived from the version, so a retry rewrites the same
    /// entries; written before the findings change, so a change is never without its entry.
    /// </summary>
    public async Task RecordHistoryAsync(IReadOnlyList<ReviewAuditEntity> entries, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entries);
        if (entries.Count == 0)
        {
            return;
        }

        await pipeline.ExecuteAsync(async ct => await Audit.CreateIfNotExistsAsync(ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        await Parallel.ForEachAsync(entries, new ParallelOptions { MaxDegreeOfParallelism = HistoryWritesInFlight, CancellationToken = cancellationToken }, async (entry, token) =>
            await pipeline.ExecuteAsync(async ct => await Audit.UpsertEntityAsync(entry, TableUpdateMode.Replace, ct).ConfigureAwait(false), token).ConfigureAwait(false)).ConfigureAwait(false);
    }

    /// <summary>Adds an entry to a violation's history that changes nothing else (an enterprise's explanation).</summary>
    public async Task AppendAsync(ReviewAuditEntity entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        await pipeline.ExecuteAsync(async ct => await Audit.CreateIfNotExistsAsync(ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        await pipeline.ExecuteAsync(async ct => await Audit.AddEntityAsync(entry, ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Each entry is its own partition, so no transaction can group them; this many go at once.</summary>
    public const int HistoryWritesInFlight = 16;

    /// <summary>A violation's review history, oldest first: one partition.</summary>
    public async Task<List<ReviewAuditEntity>> HistoryAsync(string violationId, CancellationToken cancellationToken) =>
        await pipeline.ExecuteAsync(
            async ct =>
            {
                var list = new List<ReviewAuditEntity>();
                try
                {
                    await foreach (var entry in Audit.QueryAsync<ReviewAuditEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {violationId}"), cancellationToken: ct).ConfigureAwait(false))
                    {
                        list.Add(entry);
                    }
                }
                catch (RequestFailedException ex) when (ex.Status == 404)
                {
                    return [];
                }

                return list;
            },
            cancellationToken).ConfigureAwait(false);
}

/// <summary>One page of a query, with the token for the next (null at the end). No offset paging over Table storage.</summary>
public sealed record ResultPage<T>(IReadOnlyList<T> Items, string? ContinuationToken);
