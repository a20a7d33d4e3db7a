using System.Globalization;
using Azure;
using Azure.Data.Tables;
using Compliance.Core.Filings;
using Compliance.Storage.Entities;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Registry;

namespace Compliance.Storage;

/// <summary>Findings and their rows in one month × region × rule × status (a row of the counts table, RowKey <c>C_…</c>).</summary>
public sealed class FindingCountEntity : StorageEntity
{
    public string Region { get; set; } = string.Empty;

    public string Rule { get; set; } = string.Empty;

    public string Status { get; set; } = string.Empty;

    public int Findings { get; set; }

    public long Rows { get; set; }

    /// <summary>Of <see cref="Findings"/>, those whose enterprise had a finding of the same rule the month before.</summary>
    public int Recurring { get; set; }
}

/// <summary>One enterprise's findings of one rule in one month (RowKey <c>E_…</c>): what "recurring" and the top enterprises are read from.</summary>
public sealed class EnterpriseCountEntity : StorageEntity
{
    public string Uscc { get; set; } = string.Empty;

    public string Rule { get; set; } = string.Empty;

    public string Region { get; set; } = string.Empty;

    public int Findings { get; set; }

    /// <summary>Of <see cref="Findings"/>, those still to be dealt with: open or confirmed.</summary>
    public int Outstanding { get; set; }
}

/// <summary>What one finding is counted as (RowKey <c>L_…</c>), so applying the same state twice counts it once.</summary>
public sealed class CountLedgerEntity : StorageEntity
{
    /// <summary><see cref="FindingCounts.StateOf"/> of the finding when it was last counted.</summary>
    public string CountedAs { get; set; } = string.Empty;

    public bool Recurring { get; set; }
}

/// <summary>
/// Counts of findings per month × region × rule × status, kept as findings change so the regulators' overview
/// reads a few hundred counters instead of a month of findings. One partition per month and province
/// (<c>2016-09_51</c>): counters under <c>C_{region}_{rule}_{status}</c>, per-enterprise counts under
/// <c>E_{uscc}_{rule}</c>, and a ledger row per finding under <c>L_{uscc}_{filing}_F_{finding}</c> saying what it is
/// counted as. Per-row entities from before findings are not counted (<c>compliance-stack migrate-findings</c> first).
/// <see cref="ApplyAsync"/> moves a finding from the state its ledger names to the state it has now, ledger and
/// counters in one entity-group transaction (ETag-checked, retried on a concurrent change): applying a state
/// already counted changes nothing, so reprocessing a filing counts it once. A write that ends between a finding's
/// change and its count leaves the count behind until the next apply or <c>compliance-stack recount</c>.
/// </summary>
public sealed class FindingCounts(TableServiceClient tables, IOptions<ComplianceStorageOptions> options, ResiliencePipelineProvider<string> pipelines)
{
    private const int MaxAttempts = 20;
    private readonly ResiliencePipeline pipeline = pipelines.GetPipeline(StorageResilience.PipelineKey);
    private int tableReady;

    public TableClient Table => tables.GetTableClient(options.Value.CountsTable);

    /// <summary>The partition of a month and the province a region is in.</summary>
    public static string Partition(string period, string region) => StorageKeys.Check($"{period}{StorageKeys.Separator}{region[..2]}");

    public static string CounterKey(string region, string rule, string status) => StorageKeys.Check($"C{StorageKeys.Separator}{region}{StorageKeys.Separator}{rule}{StorageKeys.Separator}{status}");

    public static string EnterpriseKey(string uscc, string rule) => StorageKeys.Check($"E{StorageKeys.Separator}{uscc}{StorageKeys.Separator}{rule}");

    /// <summary>The finding's ledger row: named by enterprise, filing and finding, the same whichever table's copy of the finding is counted.</summary>
    public static string LedgerKey(ViolationEntity finding) => StorageKeys.Check($"L{StorageKeys.Separator}{finding.Uscc}{StorageKeys.Separator}{StorageKeys.Finding(finding.FilingId, finding.FindingId!)}");

    /// <summary>What a finding counts as: region, rule, status (<see cref="CountedStatus"/>), rows.</summary>
    public static string StateOf(ViolationEntity finding) => string.Create(CultureInfo.InvariantCulture, $"{finding.Region}|{finding.Rule}|{CountedStatus(finding)}|{finding.RowCount}");

    /// <summary>
    /// The status a finding is counted under: as stored, but an exemption with its end, <c>exempted@20161231T160000Z</c>
    /// — nothing happens to a finding when its exemption ends, so the counts keep the end and a reader tells with
    /// <see cref="EffectiveStatus"/> whether it has passed (then the finding is open again).
    /// </summary>
    public static string CountedStatus(ViolationEntity finding)
    {
        ArgumentNullException.ThrowIfNull(finding);
        return finding.Status == ViolationEntity.ExemptedStatus && finding.ExemptUntil is { } until
            ? string.Create(CultureInfo.InvariantCulture, $"{ViolationEntity.ExemptedStatus}{ExemptionEnd}{until.UtcDateTime:yyyyMMdd'T'HHmmss'Z'}")
            : finding.Status;
    }

    /// <summary>A counted status as of <paramref name="now"/>: an exemption whose end has passed is open again, any other exemption plain "exempted".</summary>
    public static string EffectiveStatus(string countedStatus, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(countedStatus);
        var at = countedStatus.IndexOf(ExemptionEnd, StringComparison.Ordinal);
        if (at < 0)
        {
            return countedStatus;
        }

        var ended = DateTimeOffset.TryParseExact(countedStatus[(at + 1)..], "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var until) && until <= now;
        return ended ? ViolationEntity.OpenStatus : ViolationEntity.ExemptedStatus;
    }

    /// <summary>Whether a status (as stored, or effective) is still to be dealt with.</summary>
    public static bool IsOutstanding(string status) => status is ViolationEntity.OpenStatus or "confirmed";

    private const char ExemptionEnd = '@';

    /// <summary>Counts the finding as it now stands (idempotent; see the class remarks). Findings without a region or period are not counted.</summary>
    public Task ApplyAsync(ViolationEntity finding, CancellationToken cancellationToken) => ApplyManyAsync([finding], cancellationToken);

    /// <summary>
    /// Counts findings as they now stand, a few at a time: the findings of one month × province go up to
    /// <see cref="FindingsPerTransaction"/> to an entity-group transaction with their ledger rows, counters and
    /// enterprise rows. Idempotent, as <see cref="ApplyAsync"/>.
    /// </summary>
    public async Task ApplyManyAsync(IEnumerable<ViolationEntity> findings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(findings);
        var countable = findings.Where(f => f.IsFinding && RegionCode.TryParse(f.Region, out _) && Period.TryParse(f.Period, out _))
            .GroupBy(LedgerKey, StringComparer.Ordinal).Select(g => g.Last()).ToList();
        if (countable.Count == 0)
        {
            return;
        }

        await EnsureTableAsync(cancellationToken).ConfigureAwait(false);
        foreach (var partition in countable.GroupBy(f => Partition(f.Period, f.Region), StringComparer.Ordinal))
        {
            // A chunk holds findings of one filing in ledger-key order, so its ledger rows are one short key range.
            foreach (var filing in partition.GroupBy(f => (f.Uscc, f.FilingId)))
            {
                foreach (var chunk in filing.OrderBy(LedgerKey, StringComparer.Ordinal).Chunk(FindingsPerTransaction))
                {
                    await ApplyChunkAsync(partition.Key, chunk, cancellationToken).ConfigureAwait(false);
                }
            }
        }
    }

    /// <summary>Findings in one transaction: each brings its ledger row, up to two counters and its enterprise row (at most 80 of the 100 a transaction takes).</summary>
    public const int FindingsPerTransaction = 20;

    // The findings are of one filing, in ledger-key order (ApplyManyAsync makes the chunks).
    private async Task ApplyChunkAsync(string partition, IReadOnlyList<ViolationEntity> findings, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var entities = new Dictionary<string, ITableEntity>(StringComparer.Ordinal);
            var touched = new HashSet<string>(StringComparer.Ordinal);

            // The chunk's ledger rows in one range query rather than a point read each; a key not there is a finding not counted yet.
            var (first, last) = (LedgerKey(findings[0]), LedgerKey(findings[^1]));
            foreach (var row in await QueryAsync<CountLedgerEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey ge {first} and RowKey le {last}"), cancellationToken).ConfigureAwait(false))
            {
                entities[row.RowKey] = row;
            }

            foreach (var key in findings.Select(LedgerKey).Where(key => !entities.ContainsKey(key)))
            {
                entities[key] = new CountLedgerEntity { PartitionKey = partition, RowKey = key };
            }

            var earlier = new Dictionary<(string Uscc, string Rule, string Partition), bool>();

            // Counters and enterprise rows, read once per chunk and summed in place.
            async Task<T> ReadAsync<T>(string rowKey, Func<T> create)
                where T : class, ITableEntity
            {
                if (!entities.TryGetValue(rowKey, out var entity))
                {
                    entity = await GetAsync<T>(partition, rowKey, cancellationToken).ConfigureAwait(false) ?? create();
                    entities[rowKey] = entity;
                }

                return (T)entity;
            }

            foreach (var finding in findings)
            {
                var desired = StateOf(finding);
                var ledgerKey = LedgerKey(finding);
                var ledger = (CountLedgerEntity)entities[ledgerKey];
                if (ledger.CountedAs == desired)
                {
                    continue;
                }

                var before = ledger.ETag == default ? null : Parse(ledger.CountedAs);
                var previous = (finding.Uscc, finding.Rule, Partition: Partition(Period.Parse(finding.Period).AddMonths(-1).ToString(), finding.Region));
                if (before is null && !earlier.ContainsKey(previous))
                {
                    earlier[previous] = await GetAsync<EnterpriseCountEntity>(previous.Partition, EnterpriseKey(finding.Uscc, finding.Rule), cancellationToken).ConfigureAwait(false) is { Findings: > 0 };
                }

                var recurring = before is null ? earlier[previous] : ledger.Recurring;
                var after = Parse(desired)!.Value;
                Task<FindingCountEntity> CounterAsync((string Region, string Rule, string Status, int Rows) state) =>
                    ReadAsync(CounterKey(state.Region, state.Rule, state.Status), () => new FindingCountEntity { PartitionKey = partition, RowKey = CounterKey(state.Region, state.Rule, state.Status), Region = state.Region, Rule = state.Rule, Status = state.Status });

                if (before is { } old)
                {
                    var counter = await CounterAsync(old).ConfigureAwait(false);
                    counter.Findings--;
                    counter.Rows -= old.Rows;
                    counter.Recurring -= ledger.Recurring ? 1 : 0;
                }

                var added = await CounterAsync(after).ConfigureAwait(false);
                added.Findings++;
                added.Rows += after.Rows;
                added.Recurring += recurring ? 1 : 0;

                var enterpriseKey = EnterpriseKey(finding.Uscc, finding.Rule);
                var enterprise = await ReadAsync(enterpriseKey, () => new EnterpriseCountEntity { PartitionKey = partition, RowKey = enterpriseKey, Uscc = finding.Uscc, Rule = finding.Rule, Region = finding.Region }).ConfigureAwait(false);
                enterprise.Findings += before is null ? 1 : 0;
                enterprise.Outstanding += (IsOutstanding(after.Status) ? 1 : 0) - (before is { } was && IsOutstanding(was.Status) ? 1 : 0);

                ledger.CountedAs = desired;
                ledger.Recurring = recurring;
                touched.Add(ledgerKey);
                touched.Add(CounterKey(after.Region, after.Rule, after.Status));
                touched.Add(enterpriseKey);
                if (before is { } b)
                {
                    touched.Add(CounterKey(b.Region, b.Rule, b.Status));
                }
            }

            if (touched.Count == 0)
            {
                return;
            }

            try
            {
                var actions = touched.Select(key => Write(entities[key])).ToList();
                await pipeline.ExecuteAsync(async ct => await Table.SubmitTransactionAsync(actions, ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (TableTransactionFailedException ex) when (ex.Status is 409 or 412 && attempt < MaxAttempts)
            {
                // Another finding of the same cell was counted in between: read again and redo the sums.
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(5, 20 * attempt)), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>The counters of a month whose region starts with <paramref name="regionPrefix"/> (a province's two digits, a city's four, a district's six).</summary>
    public async Task<List<FindingCountEntity>> CountersAsync(string period, string regionPrefix, CancellationToken cancellationToken)
    {
        await EnsureTableAsync(cancellationToken).ConfigureAwait(false);
        var (from, to) = ($"C{StorageKeys.Separator}{regionPrefix}", $"C{StorageKeys.Separator}{StorageKeys.After(regionPrefix)}");
        return await QueryAsync<FindingCountEntity>(Partition(period, regionPrefix), from, to, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The region prefixes to ask, one partition each: the region's own, or every province's for the nation (the empty prefix).</summary>
    public static IReadOnlyList<string> ProvincesOf(string regionPrefix)
    {
        ArgumentNullException.ThrowIfNull(regionPrefix);
        return regionPrefix.Length == 0 ? [.. RegionNames.Provinces.Select(p => p[..2])] : [regionPrefix];
    }

    /// <summary>Counter queries in flight at once when several months or provinces are read.</summary>
    public const int QueriesInFlight = 8;

    /// <summary>
    /// The counters of several months in a region — a province's, city's or district's code prefix, or the empty
    /// prefix for the nation (every province) — a month and province a query, <see cref="QueriesInFlight"/> at a
    /// time, each counter's status as of <paramref name="now"/> (<see cref="EffectiveStatus"/>).
    /// </summary>
    public async Task<IReadOnlyList<(string Month, List<FindingCountEntity> Counters)>> CountersAsync(IReadOnlyList<string> months, string regionPrefix, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(months);
        ArgumentNullException.ThrowIfNull(regionPrefix);
        var reads = months.SelectMany(m => ProvincesOf(regionPrefix).Select(p => (Month: m, Prefix: p))).ToList();
        var results = new (string Month, List<FindingCountEntity> Counters)[reads.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, reads.Count), new ParallelOptions { MaxDegreeOfParallelism = QueriesInFlight, CancellationToken = cancellationToken }, async (i, ct) =>
        {
            var counters = await CountersAsync(reads[i].Month, reads[i].Prefix, ct).ConfigureAwait(false);
            foreach (var counter in counters)
            {
                counter.Status = EffectiveStatus(counter.Status, now);
            }

            results[i] = (reads[i].Month, counters);
        }).ConfigureAwait(false);
        return results;
    }

    /// <summary>Per-enterprise counts of a month in a province (filtered by region by the caller).</summary>
    public async Task<List<EnterpriseCountEntity>> EnterprisesAsync(string period, string regionPrefix, CancellationToken cancellationToken)
    {
        await EnsureTableAsync(cancellationToken).ConfigureAwait(false);
        var (from, to) = StorageKeys.PrefixRange("E");
        var rows = await QueryAsync<EnterpriseCountEntity>(Partition(period, regionPrefix), from, to, cancellationToken).ConfigureAwait(false);
        return [.. rows.Where(r => r.Region.StartsWith(regionPrefix, StringComparison.Ordinal))];
    }

    /// <summary>
    /// Throws away a month's counts in every province and counts <paramref name="findings"/> (every finding of the
    /// month) afresh, oldest month first when several are rebuilt: "recurring" reads the month before.
    /// </summary>
    public async Task<int> RebuildAsync(string period, IReadOnlyList<ViolationEntity> findings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(findings);
        await EnsureTableAsync(cancellationToken).ConfigureAwait(false);
        var (first, last) = StorageKeys.PrefixRange(period);
        var filter = TableClient.CreateQueryFilter($"PartitionKey ge {first} and PartitionKey lt {last}");
        var stale = new List<TableEntity>();
        await foreach (var entity in Table.QueryAsync<TableEntity>(filter, select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            stale.Add(entity);
        }

        foreach (var partition in stale.GroupBy(e => e.PartitionKey))
        {
            foreach (var chunk in partition.Chunk(FilingStore.MaxBatchSize))
            {
                await pipeline.ExecuteAsync(async ct => await Table.SubmitTransactionAsync(chunk.Select(e => new TableTransactionAction(TableTransactionActionType.Delete, e, ETag.All)), ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
            }
        }

        await ApplyManyAsync(findings, cancellationToken).ConfigureAwait(false);
        return findings.Count;
    }

    private static (string Region, string Rule, string Status, int Rows)? Parse(string state) =>
        state.Split('|') is [var region, var rule, var status, var rows] && int.TryParse(rows, NumberStyles.None, CultureInfo.InvariantCulture, out var n)
            ? (region, rule, status, n)
            : null;

    private static TableTransactionAction Write(ITableEntity entity) => entity.ETag == default
        ? new TableTransactionAction(TableTransactionActionType.Add, entity)
        : new TableTransactionAction(TableTransactionActionType.UpdateReplace, entity, entity.ETag);

    private async Task<T?> GetAsync<T>(string partition, string rowKey, CancellationToken cancellationToken)
        where T : class, ITableEntity
    {
        var response = await pipeline.ExecuteAsync(async ct => await Table.GetEntityIfExistsAsync<T>(partition, rowKey, cancellationToken: ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        return response.HasValue ? response.Value : null;
    }

    private Task<List<T>> QueryAsync<T>(string partition, string from, string to, CancellationToken cancellationToken)
        where T : class, ITableEntity =>
        QueryAsync<T>(TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey ge {from} and RowKey lt {to}"), cancellationToken);

    private async Task<List<T>> QueryAsync<T>(string filter, CancellationToken cancellationToken)
        where T : class, ITableEntity
    {
        return await pipeline.ExecuteAsync(
            async ct =>
            {
                var rows = new List<T>();
                await foreach (var row in Table.QueryAsync<T>(filter, cancellationToken: ct).ConfigureAwait(false))
                {
                    rows.Add(row);
                }

                return rows;
            },
            cancellationToken).ConfigureAwait(false);
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
