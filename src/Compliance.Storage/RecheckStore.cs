using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using Compliance.Storage.Entities;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Registry;

namespace Compliance.Storage;

/// <summary>
/// The queues a re-check fans out over, shared by the Functions app's queue triggers and the local host's twins
/// (as <c>FilingTrigger</c> is for the blob trigger), and by whoever enqueues.
/// </summary>
public static class RecheckQueues
{
    /// <summary>One message per page of a month's filing index still to be listed.</summary>
    public const string Plans = "recheck-plans";

    /// <summary>One message per filing to re-check; the Functions platform spreads them over its instances.</summary>
    public const string Filings = "recheck-filings";

    /// <summary>Deliveries before a message is moved to <c>{queue}-poison</c>: host.json's <c>extensions.queues.maxDequeueCount</c>, which a test holds to this.</summary>
    public const int MaxDequeueCount = 5;

    /// <summary>Where the queue trigger moves a message that failed <see cref="MaxDequeueCount"/> times.</summary>
    public static string Poison(string queue) => $"{queue}-poison";
}

/// <summary>A message on <see cref="RecheckQueues.Filings"/> (or, without <paramref name="Blob"/>, on <see cref="RecheckQueues.Plans"/>).</summary>
/// <param name="Recheck">The re-check's id.</param>
/// <param name="Blob">The filing's blob path, <c>{uscc}/{name}</c>.</param>
public sealed record RecheckMessage(string Recheck, string? Blob = null)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>The message, or null for a body that is not one (it goes to the poison queue, reported there).</summary>
    public static RecheckMessage? Parse(string body)
    {
        try
        {
            return JsonSerializer.Deserialize<RecheckMessage>(body, Json) is { Recheck.Length: > 0 } message ? message : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>What a re-check did to one filing.</summary>
public enum RecheckOutcome
{
    Checked,
    Rejected,

    /// <summary>Already checked under the catalog in force.</summary>
    Current,

    /// <summary>Deleted since it was listed.</summary>
    Gone,

    /// <summary>Every delivery failed; the message is in the poison queue.</summary>
    Failed,
}

/// <summary>
/// Re-checks in Table storage (table Rechecks) and on the two queues. A re-check's per-filing rows and tallies are
/// spread over <see cref="Shards"/> partitions by the filing id's first hex digit, so a national month (millions of
/// filings) is not written into one partition's throughput; the progress is the sum of the shards' tallies — a
/// handful of point reads, however large the month.
/// </summary>
public sealed class RecheckStore(TableServiceClient tables, QueueServiceClient queues, IOptions<ComplianceStorageOptions> options, ResiliencePipelineProvider<string> pipelines)
{
    /// <summary>Partitions per re-check: the filing id's first hex digit.</summary>
    public const int Shards = 16;

    /// <summary>Messages sent at once when a page of filings is queued.</summary>
    private const int SendsInFlight = 32;

    private readonly ResiliencePipeline pipeline = pipelines.GetPipeline(StorageResilience.PipelineKey);
    private int ready;

    public TableClient Table => tables.GetTableClient(options.Value.RechecksTable);

    public QueueClient PlanQueue => queues.GetQueueClient(RecheckQueues.Plans);

    public QueueClient FilingQueue => queues.GetQueueClient(RecheckQueues.Filings);

    /// <summary>The shard of a filing (its id is hex).</summary>
    public static string ShardOf(string filingId) => string.IsNullOrEmpty(filingId) ? "0" : filingId[..1];

    public static string ShardPartition(string recheckId, string shard) => StorageKeys.Check($"{recheckId}{StorageKeys.Separator}{shard}");

    private static string FailuresPartition(string recheckId) => StorageKeys.Check($"{recheckId}{StorageKeys.Separator}failed");

    public async Task EnsureAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref ready) == 1)
        {
            return;
        }

        await pipeline.ExecuteAsync(async ct => await Table.CreateIfNotExistsAsync(ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        foreach (var queue in new[] { PlanQueue, FilingQueue })
        {
            await pipeline.ExecuteAsync(async ct => await queue.CreateIfNotExistsAsync(cancellationToken: ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        }

        Volatile.Write(ref ready, 1);
    }

    public async Task AddAsync(RecheckEntity recheck, CancellationToken cancellationToken)
    {
        await EnsureAsync(cancellationToken).ConfigureAwait(false);
        var response = await pipeline.ExecuteAsync(async ct => await Table.AddEntityAsync(recheck, ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        recheck.ETag = response.Headers.ETag ?? default;
    }

    public async Task<RecheckEntity?> GetAsync(string id, CancellationToken cancellationToken)
    {
        await EnsureAsync(cancellationToken).ConfigureAwait(false);
        var response = await pipeline.ExecuteAsync(async ct => await Table.GetEntityIfExistsAsync<RecheckEntity>(RecheckEntity.Partition, StorageKeys.Check(id), cancellationToken: ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        return response.HasValue ? response.Value : null;
    }

    /// <summary>Every re-check asked for (one small partition).</summary>
    public async Task<List<RecheckEntity>> ListAsync(CancellationToken cancellationToken)
    {
        await EnsureAsync(cancellationToken).ConfigureAwait(false);
        return await pipeline.ExecuteAsync(
            async ct =>
            {
                var list = new List<RecheckEntity>();
                await foreach (var entity in Table.QueryAsync<RecheckEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {RecheckEntity.Partition}"), cancellationToken: ct).ConfigureAwait(false))
                {
                    list.Add(entity);
                }

                return list;
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes the planner's progress if nobody advanced it since it was read; false when another planner did (it carries on instead).</summary>
    public async Task<bool> TryAdvanceAsync(RecheckEntity recheck, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(recheck);
        try
        {
            var response = await pipeline.ExecuteAsync(async ct => await Table.UpdateEntityAsync(recheck, recheck.ETag, TableUpdateMode.Replace, ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
            recheck.ETag = response.Headers.ETag ?? default;
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status == 412)
        {
            return false;
        }
    }

    public async Task EnqueuePlanAsync(string recheckId, CancellationToken cancellationToken)
    {
        await EnsureAsync(cancellationToken).ConfigureAwait(false);
        var body = new RecheckMessage(recheckId).ToJson();
        await pipeline.ExecuteAsync(async ct => await PlanQueue.SendMessageAsync(body, ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
    }

    public async Task EnqueueFilingsAsync(string recheckId, IReadOnlyList<string> blobs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(blobs);
        await EnsureAsync(cancellationToken).ConfigureAwait(false);
        await Parallel.ForEachAsync(blobs, new ParallelOptions { MaxDegreeOfParallelism = SendsInFlight, CancellationToken = cancellationToken }, async (blob, token) =>
        {
            var body = new RecheckMessage(recheckId, blob).ToJson();
            await pipeline.ExecuteAsync(async ct => await FilingQueue.SendMessageAsync(body, ct).ConfigureAwait(false), token).ConfigureAwait(false);
        }).ConfigureAwait(false);
    }

    /// <summary>What the re-check did to a filing, if anything yet.</summary>
    public async Task<RecheckFilingEntity?> FilingAsync(string recheckId, string filingId, CancellationToken cancellationToken)
    {
        await EnsureAsync(cancellationToken).ConfigureAwait(false);
        var response = await pipeline.ExecuteAsync(async ct => await Table.GetEntityIfExistsAsync<RecheckFilingEntity>(ShardPartition(recheckId, ShardOf(filingId)), filingId, cancellationToken: ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        return response.HasValue ? response.Value : null;
    }

    /// <summary>
    /// Records what the re-check did to a filing and counts it, in one transaction of the filing's shard (its row
    /// added, the shard's tally ETag-checked), so a filing is counted once: false when it was recorded already (a
    /// second delivery of its message). A tally written meanwhile by another filing of the shard is re-read and
    /// the transaction tried again.
    /// </summary>
    public async Task<bool> RecordAsync(string recheckId, string filingId, RecheckFilingEntity row, RecheckOutcome outcome, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(row);
        await EnsureAsync(cancellationToken).ConfigureAwait(false);
        var partition = ShardPartition(recheckId, ShardOf(filingId));
        row.PartitionKey = partition;
        row.RowKey = filingId;
        row.Outcome = outcome.ToString().ToLowerInvariant();
        while (true)
        {
            var read = await pipeline.ExecuteAsync(async ct => await Table.GetEntityIfExistsAsync<RecheckCounterEntity>(partition, RecheckCounterEntity.CounterRow, cancellationToken: ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
            var counter = read.HasValue ? read.Value! : new RecheckCounterEntity { PartitionKey = partition, RowKey = RecheckCounterEntity.CounterRow };
            Count(counter, outcome);
            TableTransactionAction[] actions =
            [
                new(TableTransactionActionType.Add, row),
                read.HasValue ? new(TableTransactionActionType.UpdateReplace, counter, counter.ETag) : new(TableTransactionActionType.Add, counter),
            ];
            try
            {
                await pipeline.ExecuteAsync(async ct => await Table.SubmitTransactionAsync(actions, ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
                if (outcome == RecheckOutcome.Failed)
                {
                    // Listed apart so the progress can name the failures without reading the shards; only once the
                    // failure is the filing's counted outcome (another delivery may have finished it meanwhile).
                    var failure = new RecheckFilingEntity { PartitionKey = FailuresPartition(recheckId), RowKey = filingId, BlobName = row.BlobName, Outcome = row.Outcome, Error = row.Error, Attempts = row.Attempts, At = row.At };
                    await pipeline.ExecuteAsync(async ct => await Table.UpsertEntityAsync(failure, TableUpdateMode.Replace, ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
                }

                return true;
            }
            catch (TableTransactionFailedException ex) when (ex.Status is 409 or 412)
            {
                // Either the filing was recorded (by this call's earlier, unanswered attempt or another delivery),
                // or another filing of the shard moved the tally: only the second is tried again.
                if (await FilingAsync(recheckId, filingId, cancellationToken).ConfigureAwait(false) is not null)
                {
                    return false;
                }
            }
        }
    }

    /// <summary>The sum of the shards' tallies: <see cref="Shards"/> point reads.</summary>
    public async Task<RecheckCounterEntity> TotalsAsync(string recheckId, CancellationToken cancellationToken)
    {
        await EnsureAsync(cancellationToken).ConfigureAwait(false);
        var shards = Enumerable.Range(0, Shards).Select(i => ShardPartition(recheckId, i.ToString("x", System.Globalization.CultureInfo.InvariantCulture)));
        var tallies = await Task.WhenAll(shards.Select(async partition =>
        {
            var read = await pipeline.ExecuteAsync(async ct => await Table.GetEntityIfExistsAsync<RecheckCounterEntity>(partition, RecheckCounterEntity.CounterRow, cancellationToken: ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
            return read.HasValue ? read.Value! : new RecheckCounterEntity();
        })).ConfigureAwait(false);
        return new RecheckCounterEntity
        {
            Checked = tallies.Sum(t => t.Checked),
            Rejected = tallies.Sum(t => t.Rejected),
            Current = tallies.Sum(t => t.Current),
            Gone = tallies.Sum(t => t.Gone),
            Failed = tallies.Sum(t => t.Failed),
        };
    }

    /// <summary>The filings that failed, at most <paramref name="max"/>, in filing-id order.</summary>
    public async Task<List<RecheckFilingEntity>> FailuresAsync(string recheckId, int max, CancellationToken cancellationToken)
    {
        await EnsureAsync(cancellationToken).ConfigureAwait(false);
        var list = new List<RecheckFilingEntity>();
        await foreach (var entity in Table.QueryAsync<RecheckFilingEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {FailuresPartition(recheckId)}"), maxPerPage: max, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            list.Add(entity);
            if (list.Count == max)
            {
                break;
            }
        }

        return list;
    }

    /// <summary>Messages now in the filing queue's poison queue (from every re-check; approximate, as the service counts).</summary>
    public async Task<int> PoisonedAsync(CancellationToken cancellationToken)
    {
        var poison = queues.GetQueueClient(RecheckQueues.Poison(RecheckQueues.Filings));
        try
        {
            var properties = await pipeline.ExecuteAsync(async ct => await poison.GetPropertiesAsync(ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
            return properties.Value.ApproximateMessagesCount;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return 0; // created by the queue trigger with the first poison message
        }
    }

    private static void Count(RecheckCounterEntity counter, RecheckOutcome outcome)
    {
        switch (outcome)
        {
            case RecheckOutcome.Checked: counter.Checked++; break;
            case RecheckOutcome.Rejected: counter.Rejected++; break;
            case RecheckOutcome.Current: counter.Current++; break;
            case RecheckOutcome.Gone: counter.Gone++; break;
            default: counter.Failed++; break;
        }
    }
}
