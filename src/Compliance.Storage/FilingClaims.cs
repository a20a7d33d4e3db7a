using Azure;
using Azure.Data.Tables;
using Compliance.Storage.Entities;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Registry;

namespace Compliance.Storage;

/// <summary>A claim on one filing version: who is checking it and until when the claim holds without renewal.</summary>
public sealed class FilingClaimEntity : StorageEntity
{
    /// <summary>The run holding the claim (one id per processing attempt).</summary>
    public string Holder { get; set; } = string.Empty;

    public DateTimeOffset ClaimedAt { get; set; }

    /// <summary>When the claim lapses unless renewed: a crashed host stops renewing, and after this anyone may take the version.</summary>
    public DateTimeOffset ExpiresAt { get; set; }
}

/// <summary>
/// Claims on filing versions being checked (table FilingClaims, keyed like the version's Filings entity): the
/// first run to claim a version checks it, and any other run — a redelivered trigger, the reconciler — leaves it
/// alone while the claim holds. A claim expires unless its holder renews it, so a host that dies mid-check holds
/// the version no longer than one lifetime. Taking and renewing are ETag-checked, so two runs cannot both hold
/// one version.
/// </summary>
public sealed class FilingClaims(TableServiceClient tables, IOptions<ComplianceStorageOptions> options, ResiliencePipelineProvider<string> pipelines, TimeProvider time)
{
    private readonly ResiliencePipeline pipeline = pipelines.GetPipeline(StorageResilience.PipelineKey);
    private int tableReady;

    public TableClient Table => tables.GetTableClient(options.Value.ClaimsTable);

    /// <summary>
    /// Claims the version for <paramref name="lifetime"/>: returns the claim, or null when another run holds an
    /// unexpired one. An expired claim is taken over.
    /// </summary>
    public async Task<FilingClaimEntity?> TryClaimAsync(string partitionKey, string rowKey, TimeSpan lifetime, CancellationToken cancellationToken)
    {
        await EnsureTableAsync(cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow();
        var claim = new FilingClaimEntity { PartitionKey = partitionKey, RowKey = rowKey, Holder = Guid.NewGuid().ToString("N"), ClaimedAt = now, ExpiresAt = now + lifetime };
        var current = await CurrentAsync(partitionKey, rowKey, cancellationToken).ConfigureAwait(false);
        try
        {
            if (current is null)
            {
                var added = await pipeline.ExecuteAsync(async ct => await Table.AddEntityAsync(claim, ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
                claim.ETag = added.Headers.ETag ?? default;
                return claim;
            }

            if (current.ExpiresAt > now)
            {
                return null;
            }

            var replaced = await pipeline.ExecuteAsync(async ct => await Table.UpdateEntityAsync(claim, current.ETag, TableUpdateMode.Replace, ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
            claim.ETag = replaced.Headers.ETag ?? default;
            return claim;
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            // Another run claimed it between the read and the write.
            return null;
        }
    }

    /// <summary>The claim on a version if one holds now; null if none or expired.</summary>
    public async Task<FilingClaimEntity?> HeldAsync(string partitionKey, string rowKey, CancellationToken cancellationToken) =>
        await CurrentAsync(partitionKey, rowKey, cancellationToken).ConfigureAwait(false) is { } claim && claim.ExpiresAt > time.GetUtcNow() ? claim : null;

    /// <summary>Extends a claim this run holds; false when it was lost (expired and taken by another run).</summary>
    public async Task<bool> RenewAsync(FilingClaimEntity claim, TimeSpan lifetime, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(claim);
        claim.ExpiresAt = time.GetUtcNow() + lifetime;
        try
        {
            var response = await pipeline.ExecuteAsync(async ct => await Table.UpdateEntityAsync(claim, claim.ETag, TableUpdateMode.Replace, ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
            claim.ETag = response.Headers.ETag ?? claim.ETag;
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 412)
        {
            return false;
        }
    }

    /// <summary>Gives a claim up (the version's verdict is stored, or the check failed and may be retried at once).</summary>
    public async Task ReleaseAsync(FilingClaimEntity claim, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(claim);
        try
        {
            await pipeline.ExecuteAsync(async ct => await Table.DeleteEntityAsync(claim.PartitionKey, claim.RowKey, claim.ETag, ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 412)
        {
            // Already gone, or taken over after it lapsed: not ours to delete.
        }
    }

    private async Task<FilingClaimEntity?> CurrentAsync(string partitionKey, string rowKey, CancellationToken cancellationToken)
    {
        await EnsureTableAsync(cancellationToken).ConfigureAwait(false);
        var response = await pipeline.ExecuteAsync(async ct => await Table.GetEntityIfExistsAsync<FilingClaimEntity>(partitionKey, rowKey, cancellationToken: ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        return response.HasValue ? response.Value : null;
    }

    private async Task EnsureTableAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref tableReady) == 0)
        {
            await pipeline.ExecuteAsync(async ct => await Table.CreateIfNotExistsAsync(ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
            Volatile.Write(ref tableReady, 1);
        }
    }
}
