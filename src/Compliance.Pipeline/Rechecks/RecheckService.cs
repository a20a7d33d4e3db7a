using System.Collections.Concurrent;
using System.Globalization;
using Compliance.Core.Filings;
using Compliance.Core.Policies;
using Compliance.Storage;
using Compliance.Storage.Entities;
using Microsoft.Extensions.Logging;

namespace Compliance.Pipeline.Rechecks;

/// <summary>Where a re-check stands.</summary>
public enum RecheckState
{
    /// <summary>The month's filings are still being listed onto the queue (some may be checked already).</summary>
    Planning,

    /// <summary>Every filing is queued; some are not done yet.</summary>
    Running,

    /// <summary>Every queued filing is done.</summary>
    Completed,

    /// <summary>Every queued filing is done or failed, and some failed (their messages are in the poison queue).</summary>
    CompletedWithFailures,
}

/// <summary>A filing whose re-check failed on every delivery.</summary>
public sealed record RecheckFailure(string BlobName, string? Error, int Attempts, DateTimeOffset At);

/// <summary>A re-check as its requester follows it: what was asked, and how many filings are queued, done (by outcome) and failed.</summary>
public sealed record RecheckProgress(
    string Id,
    Period Period,
    string? Rule,
    string RequestedBy,
    DateTimeOffset RequestedAt,
    string CatalogVersion,
    RecheckState State,
    int Queued,
    int Checked,
    int Rejected,
    int Current,
    int Gone,
    int Failed,
    IReadOnlyList<RecheckFailure> Failures)
{
    /// <summary>Filings finished without failure, whatever the check found.</summary>
    public int Done => Checked + Rejected + Current + Gone;

    /// <summary>Queued and neither done nor failed.</summary>
    public int Remaining => Math.Max(0, Queued - Done - Failed);

    public bool IsFinished => State is RecheckState.Completed or RecheckState.CompletedWithFailures;
}

/// <summary>What asking for a re-check did.</summary>
public abstract record RecheckStart
{
    private RecheckStart()
    {
    }

    /// <summary>A new re-check, its first page of filings to be listed by the queue.</summary>
    public sealed record Started(RecheckProgress Progress) : RecheckStart;

    /// <summary>The same month and rule are being re-checked already: that one, not a second.</summary>
    public sealed record AlreadyRunning(RecheckProgress Progress) : RecheckStart;

    /// <summary>The rule is not in the catalog in force.</summary>
    public sealed record UnknownRule(string Rule) : RecheckStart;
}

/// <summary>
/// Re-checks a month's stored filings under the catalog now in force, by fan-out over two Storage queues: asking
/// writes the re-check and one message on <see cref="RecheckQueues.Plans"/>; each plan message lists one page of the
/// month's filing index onto <see cref="RecheckQueues.Filings"/> (one message per filing, however many versions it
/// has) and queues the next page; each filing message re-runs the check on the version now in the blob and stores
/// the findings as a re-upload would (<see cref="FilingProcessor.RecheckAsync"/>). In Azure the queue triggers spread
/// over as many Function instances as the platform starts; locally the same queues run on Azurite.
/// <para>
/// Everything is at-least-once and idempotent: a page listed twice queues filings twice, and a filing's outcome is
/// recorded and counted in one transaction that only its first delivery can commit (<see cref="RecheckStore.RecordAsync"/>);
/// a host killed mid-check leaves its messages to reappear (the queue trigger hides a message 10 minutes while it
/// runs) and the check to be redone from what is stored. A message that fails every delivery is recorded as failed
/// with its error, then left to the platform to move to the poison queue.
/// </para>
/// </summary>
public sealed class RecheckService(RecheckStore store, FilingStore filings, FilingProcessor processor, PolicyCatalog catalog, TimeProvider time, ILogger<RecheckService> logger)
{
    /// <summary>Failures named in a progress report; the rest are counted.</summary>
    public const int FailuresListed = 20;

    private readonly ConcurrentDictionary<string, bool> known = new(StringComparer.Ordinal);

    /// <summary>Starts re-checking <paramref name="period"/>'s filings (only those of the kind <paramref name="rule"/> applies to, if given).</summary>
    public async Task<RecheckStart> StartAsync(string requestedBy, Period period, string? rule, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(requestedBy);
        if (rule is not null && catalog.Find(rule) is null)
        {
            return new RecheckStart.UnknownRule(rule);
        }

        foreach (var earlier in await store.ListAsync(cancellationToken).ConfigureAwait(false))
        {
            if (earlier.Period == period.ToString() && earlier.Rule == rule && await ProgressOfAsync(earlier, cancellationToken).ConfigureAwait(false) is { IsFinished: false } running)
            {
                return new RecheckStart.AlreadyRunning(running);
            }
        }

        var now = time.GetUtcNow();
        var recheck = new RecheckEntity
        {
            PartitionKey = RecheckEntity.Partition,
            RowKey = NewId(now),
            Period = period.ToString(),
            Rule = rule,
            RequestedBy = requestedBy,
            RequestedAt = now,
            CatalogVersion = catalog.Version,
        };
        await store.AddAsync(recheck, cancellationToken).ConfigureAwait(false);
        await store.EnqueuePlanAsync(recheck.RowKey, cancellationToken).ConfigureAwait(false);
        logger.LogInformation("Re-check {RecheckId} of {Period} (rule {Rule}) under catalog {CatalogVersion} asked for by {RequestedBy}", recheck.RowKey, recheck.Period, rule ?? "all", catalog.Version, requestedBy);
        return new RecheckStart.Started(await ProgressOfAsync(recheck, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>The re-check's progress, or null for an id never issued.</summary>
    public async Task<RecheckProgress?> ProgressAsync(string id, CancellationToken cancellationToken) =>
        IsId(id) && await store.GetAsync(id, cancellationToken).ConfigureAwait(false) is { } recheck
            ? await ProgressOfAsync(recheck, cancellationToken).ConfigureAwait(false)
            : null;

    /// <summary>
    /// Handles one plan message: lists the next page of the month's filing index onto the filing queue and queues
    /// the page after it. The page is counted and the place kept with the re-check's ETag, so of two deliveries of
    /// one plan message only one moves on (the other's filings are queued twice and counted once).
    /// </summary>
    public async Task PlanAsync(string body, CancellationToken cancellationToken)
    {
        var message = RecheckMessage.Parse(body) ?? throw new FormatException($"Not a re-check plan message: {Shorten(body)}");
        var recheck = await store.GetAsync(message.Recheck, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"Re-check {message.Recheck} does not exist.");
        if (!recheck.Planning)
        {
            return;
        }

        var (rows, next) = await filings.FilingsOfPeriodPageAsync(recheck.Period, recheck.Continuation, cancellationToken).ConfigureAwait(false);
        var kind = recheck.Rule is { } rule ? catalog.Find(rule)?.FilingKind.ToContractName() : null;
        var queued = new List<string>();
        var last = recheck.LastFilingId;
        foreach (var version in rows.GroupBy(r => StorageKeys.FilingId(r.BlobName), StringComparer.Ordinal))
        {
            // A filing's versions are adjacent in the index: one straddling two pages was queued with the first.
            // Under a rule, a filing is re-checked if any version is of the rule's kind or was never read.
            if (version.Key == last || (kind is not null && !version.Any(v => string.IsNullOrEmpty(v.Kind) || v.Kind == kind)))
            {
                continue;
            }

            queued.Add(version.First().BlobName);
            last = version.Key;
        }

        await store.EnqueueFilingsAsync(recheck.RowKey, queued, cancellationToken).ConfigureAwait(false);
        recheck.Queued += queued.Count;
        recheck.Continuation = next;
        recheck.LastFilingId = last;
        if (next is null)
        {
            recheck.Planning = false;
            recheck.PlannedAt = time.GetUtcNow();
        }

        if (!await store.TryAdvanceAsync(recheck, cancellationToken).ConfigureAwait(false))
        {
            logger.LogInformation("Re-check {RecheckId}: another delivery listed this page first", recheck.RowKey);
            return;
        }

        logger.LogInformation("Re-check {RecheckId}: {Queued} filings queued from this page, {Total} in all{More}", recheck.RowKey, queued.Count, recheck.Queued, next is null ? "; every filing of the month is queued" : string.Empty);
        if (next is not null)
        {
            await store.EnqueuePlanAsync(recheck.RowKey, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Handles one filing message (delivery number <paramref name="dequeueCount"/>): re-checks the filing unless this
    /// re-check has done so already, and records the outcome. On the last delivery a failure is recorded before the
    /// exception goes back to the platform, which moves the message to the poison queue.
    /// </summary>
    public async Task RecheckFilingAsync(string body, long dequeueCount, CancellationToken cancellationToken)
    {
        var message = RecheckMessage.Parse(body) ?? throw new FormatException($"Not a re-check filing message: {Shorten(body)}");
        await KnownAsync(message.Recheck, cancellationToken).ConfigureAwait(false);
        var blob = message.Blob ?? string.Empty;
        var filingId = StorageKeys.FilingId(blob);
        if (await store.FilingAsync(message.Recheck, filingId, cancellationToken).ConfigureAwait(false) is { } done)
        {
            logger.LogInformation("Re-check {RecheckId}: filing {BlobName} was done already ({Outcome})", message.Recheck, blob, done.Outcome);
            return;
        }

        var row = new RecheckFilingEntity { BlobName = blob, Attempts = (int)Math.Min(dequeueCount, int.MaxValue) };
        try
        {
            var slash = blob.IndexOf('/', StringComparison.Ordinal);
            if (slash <= 0 || slash == blob.Length - 1)
            {
                throw new FormatException($"'{Shorten(blob)}' is not a filing's blob path (uscc/name).");
            }

            var outcome = await processor.RecheckAsync(blob[..slash], blob[(slash + 1)..], cancellationToken).ConfigureAwait(false) switch
            {
                ProcessOutcome.Checked => RecheckOutcome.Checked,
                ProcessOutcome.Rejected => RecheckOutcome.Rejected,
                ProcessOutcome.AlreadyProcessed => RecheckOutcome.Current,
                ProcessOutcome.Gone => RecheckOutcome.Gone,

                // Another run holds the version (an upload's trigger, a redelivery): this message comes back after
                // the queue's visibility timeout, when that run has finished or its claim has lapsed.
                _ => throw new RecheckDeferredException($"Filing {blob} is being checked by another run; re-checking it later."),
            };
            row.At = time.GetUtcNow();
            var counted = await store.RecordAsync(message.Recheck, filingId, row, outcome, cancellationToken).ConfigureAwait(false);
            logger.LogInformation("Re-check {RecheckId}: filing {BlobName} {Outcome}{Repeat}", message.Recheck, blob, outcome, counted ? string.Empty : " (counted by another delivery)");
        }
        catch (Exception ex) when (dequeueCount >= RecheckQueues.MaxDequeueCount && ex is not OperationCanceledException)
        {
            row.Error = ex.Message;
            row.At = time.GetUtcNow();
            if (!await store.RecordAsync(message.Recheck, filingId, row, RecheckOutcome.Failed, cancellationToken).ConfigureAwait(false))
            {
                // Another delivery of the same filing finished it meanwhile: done, not poison.
                logger.LogWarning(ex, "Re-check {RecheckId}: filing {BlobName} failed on this delivery but was done by another", message.Recheck, blob);
                return;
            }

            logger.LogError(ex, "Re-check {RecheckId}: filing {BlobName} failed on all {Attempts} deliveries; its message goes to the poison queue", message.Recheck, blob, dequeueCount);
            throw;
        }
    }

    private async Task<RecheckProgress> ProgressOfAsync(RecheckEntity recheck, CancellationToken cancellationToken)
    {
        var totals = await store.TotalsAsync(recheck.RowKey, cancellationToken).ConfigureAwait(false);
        var failures = totals.Failed > 0
            ? (await store.FailuresAsync(recheck.RowKey, FailuresListed, cancellationToken).ConfigureAwait(false)).Select(f => new RecheckFailure(f.BlobName, f.Error, f.Attempts, f.At)).ToList()
            : [];
        var finished = totals.Checked + totals.Rejected + totals.Current + totals.Gone + totals.Failed;
        var state = recheck.Planning ? RecheckState.Planning
            : finished < recheck.Queued ? RecheckState.Running
            : totals.Failed > 0 ? RecheckState.CompletedWithFailures
            : RecheckState.Completed;
        return new RecheckProgress(recheck.RowKey, Period.Parse(recheck.Period), recheck.Rule, recheck.RequestedBy, recheck.RequestedAt, recheck.CatalogVersion, state, recheck.Queued, totals.Checked, totals.Rejected, totals.Current, totals.Gone, totals.Failed, failures);
    }

    /// <summary>A message for a re-check nobody asked for is refused (and so poisoned), not recorded.</summary>
    private async Task KnownAsync(string id, CancellationToken cancellationToken)
    {
        if (known.ContainsKey(id))
        {
            return;
        }

        if (!IsId(id) || await store.GetAsync(id, cancellationToken).ConfigureAwait(false) is null)
        {
            throw new InvalidOperationException($"Re-check {Shorten(id)} does not exist.");
        }

        known.TryAdd(id, true);
    }

    /// <summary>Sorts by when it was asked for: <c>yyyyMMddTHHmmssZ-xxxxxx</c>.</summary>
    private static string NewId(DateTimeOffset now) =>
        string.Create(CultureInfo.InvariantCulture, $"{now.UtcDateTime:yyyyMMdd'T'HHmmss'Z'}-{Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(3))}");

    /// <summary>Whether <paramref name="id"/> could be one <see cref="NewId"/> made (anything else is not looked up).</summary>
    public static bool IsId(string? id) =>
        id is { Length: 23 } && id[8] == 'T' && id[15] == 'Z' && id[16] == '-'
        && id.AsSpan(0, 8).ContainsAnyExceptInRange('0', '9') is false
        && id.AsSpan(9, 6).ContainsAnyExceptInRange('0', '9') is false
        && id.AsSpan(17).ContainsAnyExcept("0123456789abcdef") is false;

    private static string Shorten(string text) => text.Length <= 80 ? text : $"{text[..80]}…";
}

/// <summary>A filing another run is checking: retried by the queue, not a failure unless it outlasts every delivery.</summary>
public sealed class RecheckDeferredException(string message) : Exception(message);
