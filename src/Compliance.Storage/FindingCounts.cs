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
/// counted as. Per-row entities from before findings are not counted (<c>compliance migrate-findings</c> first).
/// <see cref="ApplyAsync"/> moves a finding from the state its ledger names to the state it has now, ledger and
/// counters in one entity-group transaction (ETag-checked, retried on a concurrent change): applying a state
/// already counted changes nothing, so reprocessing a filing counts it once. A write that ends between a finding's
/// change and its count leaves the count behind until the next apply or <c>compliance recount</c>.
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

    /// <summary>What a finding counts as: region, rule, status (as stored), rows.</summary>
    public static string StateOf(ViolationEntity finding) => string.Create(CultureInfo.InvariantCulture, $"{finding.Region}|{finding.Rule}|{finding.Status}|{finding.RowCount}");

    /// <summary>Whether a status is still to be dealt with.</summary>
    public static bool IsOutstanding(string status) => status is ViolationEntity.OpenStatus or "confirmed";

    /// <summary>Counts the finding as it now stands (idempotent; see the class remarks). Findings without a region or period are not counted.</summary>
    public async Task ApplyAsync(ViolationEntity finding, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(finding);
        if (!finding.IsFinding || !RegionCode.TryParse(finding.Region, out _) || !Period.TryParse(finding.Period, out var period))
        {
            return;
        }

        await EnsureTableAsync(cancellationToken).ConfigureAwait(false);
        var partition = Partition(finding.Period, finding.Region);
        var desired = StateOf(finding);
        for (var attempt = 1; ; attempt++)
        {
            var ledger = await GetAsync<CountLedgerEntity>(partition, LedgerKey(finding), cancellationToken).ConfigureAwait(false);
            if (ledger?.CountedAs == desired)
            {
                return;
            }

            var recurring = ledger?.Recurring ?? await HadFindingAsync(finding.Uscc, finding.Rule, period.Value.AddMonths(-1).ToString(), finding.Region, cancellationToken).ConfigureAwait(false);
            var before = ledger is null ? null : Parse(ledger.CountedAs);
            var after = Parse(desired)!;
            var counters = new Dictionary<string, FindingCountEntity>(StringComparer.Ordinal);
            async Task<FindingCountEntity> CounterAsync((string Region, string Rule, string Status, int Rows) state)
            {
                var key = CounterKey(state.Region, state.Rule, state.Status);
                if (!counters.TryGetValue(key, out var counter))
                {
                    counter = await GetAsync<FindingCountEntity>(partition, key, cancellationToken).ConfigureAwait(false)
                        ?? new FindingCountEntity { PartitionKey = partition, RowKey = key, Region = state.Region, Rule = state.Rule, Status = state.Status };
                    counters[key] = counter;
                }

                return counter;
            }

            if (before is { } old)
            {
                var counter = await CounterAsync(old).ConfigureAwait(false);
                counter.Findings--;
                counter.Rows -= old.Rows;
                counter.Recurring -= recurring ? 1 : 0;
            }

            var added = await CounterAsync(after.Value).ConfigureAwait(false);
            added.Findings++;
            added.Rows += after.Value.Rows;
            added.Recurring += recurring ? 1 : 0;

            var enterpriseKey = EnterpriseKey(finding.Uscc, finding.Rule);
            var enterprise = await GetAsync<EnterpriseCountEntity>(partition, enterpriseKey, cancellationToken).ConfigureAwait(false)
                ?? new EnterpriseCountEntity { PartitionKey = partition, RowKey = enterpriseKey, Uscc = finding.Uscc, Rule = finding.Rule, Region = finding.Region };
            enterprise.Findings += before is null ? 1 : 0;
            enterprise.Outstanding += (IsOutstanding(after.Value.Status) ? 1 : 0) - (before is { } was && IsOutstanding(was.Status) ? 1 : 0);

            var entry = ledger ?? new CountLedgerEntity { PartitionKey = partition, RowKey = LedgerKey(finding) };
            entry.CountedAs = desired;
            entry.Recurring = recurring;

            var actions = new List<TableTransactionAction> { Write(entry), Write(enterprise) };
            actions.AddRange(counters.Values.Select(Write));
            try
            {
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
        var (from, to) = (CounterKey(regionPrefix, string.Empty, string.Empty).TrimEnd(StorageKeys.Separator), $"C{StorageKeys.Separator}{Next(regionPrefix)}");
        return await QueryAsync<FindingCountEntity>(Partition(period, regionPrefix), from, to, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Per-enterprise counts of a month in a province (filtered by region by the caller).</summary>
    public async Task<List<EnterpriseCountEntity>> EnterprisesAsync(string period, string regionPrefix, CancellationToken cancellationToken)
    {
        await EnsureTableAsync(cancellationToken).ConfigureAwait(false);
        var rows = await QueryAsync<EnterpriseCountEntity>(Partition(period, regionPrefix), $"E{StorageKeys.Separator}", $"E{(char)(StorageKeys.Separator + 1)}", cancellationToken).ConfigureAwait(false);
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
        var filter = TableClient.CreateQueryFilter($"PartitionKey ge {period + StorageKeys.Separator} and PartitionKey lt {period + (char)(StorageKeys.Separator + 1)}");
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

        foreach (var finding in findings)
        {
            await ApplyAsync(finding, cancellationToken).ConfigureAwait(false);
        }

        return findings.Count;
    }

    private async Task<bool> HadFindingAsync(string uscc, string rule, string period, string region, CancellationToken cancellationToken) =>
        await GetAsync<EnterpriseCountEntity>(Partition(period, region), EnterpriseKey(uscc, rule), cancellationToken).ConfigureAwait(false) is { Findings: > 0 };

    private static (string Region, string Rule, string Status, int Rows)? Parse(string state) =>
        state.Split('|') is [var region, var rule, var status, var rows] && int.TryParse(rows, NumberStyles.None, CultureInfo.InvariantCulture, out var n)
            ? (region, rule, status, n)
            : null;

    private static TableTransactionAction Write(ITableEntity entity) => entity.ETag == default
        ? new TableTransactionAction(TableTransactionActionType.Add, entity)
        : new TableTransactionAction(TableTransactionActionType.UpdateReplace, entity, entity.ETag);

    // The key right after every key that starts with the prefix: "5101" → "5102".
    private static string Next(string prefix) => prefix[..^1] + (char)(prefix[^1] + 1);

    private async Task<T?> GetAsync<T>(string partition, string rowKey, CancellationToken cancellationToken)
        where T : class, ITableEntity
    {
        var response = await pipeline.ExecuteAsync(async ct => await Table.GetEntityIfExistsAsync<T>(partition, rowKey, cancellationToken: ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        return response.HasValue ? response.Value : null;
    }

    private async Task<List<T>> QueryAsync<T>(string partition, string from, string to, CancellationToken cancellationToken)
        where T : class, ITableEntity
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey ge {from} and RowKey lt {to}");
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
