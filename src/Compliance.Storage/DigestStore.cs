using Azure;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Compliance.Storage.Entities;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Registry;

namespace Compliance.Storage;

/// <summary>
/// What the monthly digest reads and writes: a month's violations (its province partitions of ViolationsByPeriod,
/// never a table scan), the Digests ledger, and the archive container <c>digests/{yyyy-MM}/…</c>.
/// </summary>
public sealed class DigestStore(TableServiceClient tables, BlobServiceClient blobs, FilingStore filings, IOptions<ComplianceStorageOptions> options, ResiliencePipelineProvider<string> pipelines)
{
    private readonly ResiliencePipeline pipeline = pipelines.GetPipeline(StorageResilience.PipelineKey);

    public TableClient Ledger => tables.GetTableClient(options.Value.DigestsTable);

    public TableClient Recipients => tables.GetTableClient(options.Value.RecipientsTable);

    /// <summary>The recipients kept in storage; none when the table does not exist yet.</summary>
    public async Task<List<RecipientEntity>> RecipientsAsync(CancellationToken cancellationToken) =>
        await pipeline.ExecuteAsync(
            async ct =>
            {
                var list = new List<RecipientEntity>();
                try
                {
                    await foreach (var recipient in Recipients.QueryAsync<RecipientEntity>(cancellationToken: ct).ConfigureAwait(false))
                    {
                        list.Add(recipient);
                    }
                }
                catch (RequestFailedException ex) when (ex.Status == 404)
                {
                    return [];
                }

                return list;
            },
            cancellationToken).ConfigureAwait(false);

    public BlobContainerClient Archive => blobs.GetBlobContainerClient(options.Value.DigestsContainer);

    /// <summary>
    /// A month's violations mapped as they arrive, reading only what a digest shows (not a finding's first rows,
    /// its review trail or its filing's ETag): what lets a month of hundreds of thousands be held as small records.
    /// </summary>
    public Task<List<T>> ViolationsOfMonthAsync<T>(string month, Func<ViolationEntity, T> map, CancellationToken cancellationToken) =>
        filings.ViolationsOfPeriodAsync(month, map, DigestColumns, cancellationToken);

    /// <summary>A region's findings of a month handed over as each page arrives (<see cref="FilingStore.StreamViolationsOfPeriodAsync"/>), reading only what a digest shows.</summary>
    public Task StreamViolationsOfMonthAsync(string month, string regionPrefix, Action<int, ViolationEntity> each, CancellationToken cancellationToken) =>
        filings.StreamViolationsOfPeriodAsync(month, regionPrefix, DigestColumns, each, cancellationToken);

    /// <summary>An enterprise's own findings of a month (its partition of Violations).</summary>
    public Task<List<ViolationEntity>> ViolationsOfEnterpriseAsync(string uscc, string month, CancellationToken cancellationToken) =>
        filings.ViolationsOfEnterpriseInPeriodAsync(uscc, month, cancellationToken);

    private static readonly string[] DigestColumns =
    [
        "PartitionKey", "RowKey", nameof(ViolationEntity.Rule), nameof(ViolationEntity.Uscc), nameof(ViolationEntity.Period), nameof(ViolationEntity.Region),
        nameof(ViolationEntity.Row), nameof(ViolationEntity.Field), nameof(ViolationEntity.Observed), nameof(ViolationEntity.Limit), nameof(ViolationEntity.Citation),
        nameof(ViolationEntity.Status), nameof(ViolationEntity.FilingName), nameof(ViolationEntity.Message), nameof(ViolationEntity.EmployeeId), nameof(ViolationEntity.Item),
        nameof(ViolationEntity.ResolvedByVersion), nameof(ViolationEntity.RowCount), nameof(ViolationEntity.EmployeeCount), nameof(ViolationEntity.ExemptUntil),
    ];

    /// <summary>Filing versions listed under the month: one partition.</summary>
    public Task<List<FilingPeriodEntity>> FilingsOfMonthAsync(string month, CancellationToken cancellationToken) =>
        filings.FilingsOfPeriodAsync(month, cancellationToken);

    /// <summary>The ledger entry for a recipient and month, created empty the first time.</summary>
    public async Task<DigestLedgerEntity> LedgerEntryAsync(string month, string recipientId, string email, string audience, CancellationToken cancellationToken)
    {
        await pipeline.ExecuteAsync(async ct => await Ledger.CreateIfNotExistsAsync(ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        var existing = await pipeline.ExecuteAsync(async ct => await Ledger.GetEntityIfExistsAsync<DigestLedgerEntity>(month, recipientId, cancellationToken: ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        if (existing.HasValue)
        {
            return existing.Value!;
        }

        var entry = new DigestLedgerEntity { PartitionKey = month, RowKey = recipientId, Email = email, Audience = audience };
        try
        {
            var response = await pipeline.ExecuteAsync(async ct => await Ledger.AddEntityAsync(entry, ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
            entry.ETag = response.Headers.ETag ?? default;
            return entry;
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            // Another run created it between our read and our add: use theirs.
            return (await Ledger.GetEntityAsync<DigestLedgerEntity>(month, recipientId, cancellationToken: cancellationToken).ConfigureAwait(false)).Value;
        }
    }

    /// <summary>Saves a ledger entry only if nobody changed it since it was read; false when someone did.</summary>
    public async Task<bool> TryUpdateAsync(DigestLedgerEntity entry, CancellationToken cancellationToken)
    {
        try
        {
            var response = await pipeline.ExecuteAsync(async ct => await Ledger.UpdateEntityAsync(entry, entry.ETag, TableUpdateMode.Replace, ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
            entry.ETag = response.Headers.ETag ?? entry.ETag;
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status == 412)
        {
            return false;
        }
    }

    /// <summary>Archives one file of a digest under <c>digests/{prefix}/{name}</c>, from a stream read from its start (again on a retry).</summary>
    /// <summary>
    /// A national digest's JSON and CSV run to a hundred megabytes each: sent in 4 MiB blocks, two at a time, rather
    /// than as one request of the whole file (the SDK's default up to 256 MiB), so an upload holds at most two blocks.
    /// </summary>
    private static readonly Azure.Storage.StorageTransferOptions ArchiveTransfer = new() { InitialTransferSize = 4 << 20, MaximumTransferSize = 4 << 20, MaximumConcurrency = 2 };

    public async Task ArchiveAsync(string prefix, string name, Stream content, string contentType, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        await pipeline.ExecuteAsync(
            async ct =>
            {
                await Archive.CreateIfNotExistsAsync(cancellationToken: ct).ConfigureAwait(false);
                content.Position = 0;
                await Archive.GetBlobClient($"{prefix}/{name}").UploadAsync(content, new BlobUploadOptions { HttpHeaders = new BlobHttpHeaders { ContentType = contentType }, TransferOptions = ArchiveTransfer }, ct).ConfigureAwait(false);
            },
            cancellationToken).ConfigureAwait(false);
    }

    public async Task<BinaryData> ReadArchiveAsync(string prefix, string name, CancellationToken cancellationToken) =>
        await pipeline.ExecuteAsync(async ct => (await Archive.GetBlobClient($"{prefix}/{name}").DownloadContentAsync(ct).ConfigureAwait(false)).Value.Content, cancellationToken).ConfigureAwait(false);
}
