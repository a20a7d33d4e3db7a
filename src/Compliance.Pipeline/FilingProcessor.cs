using Compliance.Core.Checking;
using Compliance.Core.Filings;
using Compliance.Storage;
using Compliance.Storage.Entities;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Compliance.Core.Texts;

namespace Compliance.Pipeline;

/// <summary>
/// The application service behind the blob trigger, in Azure and on a laptop alike: fetch the uploaded
/// version, check it against the limits in force for its periods, store the verdict.
/// <para>
/// Idempotent under at-least-once delivery: keys are deterministic, and the version's Filings entity is
/// written last, so a redelivered trigger for a finished version does nothing, and one for an unfinished
/// version redoes the same writes. A re-upload (new ETag) brings the filing's findings up to date without
/// deleting any (<see cref="FindingVersions"/>): those it no longer has are resolved by it. A filing that
/// cannot be read is recorded as rejected on the first attempt — returning normally, so the host never
/// retries it into the poison queue — and leaves the previous version's findings in place.
/// </para>
/// <para>
/// A version is checked under a claim (<see cref="FilingClaims"/>), renewed while the check runs: a redelivered
/// trigger or the reconciler finding the version claimed leaves it to the run that holds it, so the longest
/// checks are not the ones done twice. The rows stream through the checker; what is kept in memory is one
/// small record per finding, and what is written is one entity per finding (see <see cref="Core.Rules.Finding"/>).
/// </para>
/// </summary>
public sealed class FilingProcessor(FilingBlobs blobs, FilingStore store, ReviewStore history, ResultStore results, FilingClaims claims, FindingCounts counts, FilingChecker checker, PipelineTelemetry telemetry, IOptions<PipelineOptions> options, TimeProvider time, ILogger<FilingProcessor> logger)
{
    /// <summary>Checks the version now in the blob unless it has its verdict already (the blob trigger, the reconciler).</summary>
    public Task<ProcessOutcome> ProcessAsync(string uscc, string name, CancellationToken cancellationToken) =>
        RunAsync(uscc, name, recheck: false, cancellationToken);

    /// <summary>
    /// Checks the version now in the blob again under the catalog in force, unless its verdict was given under
    /// exactly this catalog (<see cref="ProcessOutcome.AlreadyProcessed"/>): the findings are brought up to date as a
    /// re-upload would (<see cref="FindingVersions"/>), so those that stay keep their review state.
    /// </summary>
    public Task<ProcessOutcome> RecheckAsync(string uscc, string name, CancellationToken cancellationToken) =>
        RunAsync(uscc, name, recheck: true, cancellationToken);

    private async Task<ProcessOutcome> RunAsync(string uscc, string name, bool recheck, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var blobPath = $"{uscc}/{name}";
        using var activity = PipelineTelemetry.Source.StartActivity("CheckFiling");
        activity?.SetTag("compliance.uscc", uscc);
        using var download = await blobs.DownloadAsync(blobPath, checker.Limits.MaxFileBytes, cancellationToken).ConfigureAwait(false);
        if (download is null)
        {
            return ProcessOutcome.Gone;
        }

        var validSubmitter = IsSubmitter(uscc, out var usccProblem);
        var (partition, versionKey) = VersionKeys(uscc, name, download.ETag);
        var filingId = StorageKeys.FilingId(blobPath);
        if (await store.GetFilingVersionAsync(partition, versionKey, cancellationToken).ConfigureAwait(false) is { } done && (!recheck || IsCurrent(done)))
        {
            logger.LogInformation("Filing {BlobName} version {ETag} was already checked at {CheckedAt} ({Status}); nothing to do", blobPath, download.ETag, done.CheckedAt, done.Status);
            return ProcessOutcome.AlreadyProcessed;
        }

        var lifetime = options.Value.ClaimLifetime;
        if (await claims.TryClaimAsync(partition, versionKey, lifetime, cancellationToken).ConfigureAwait(false) is not { } claim)
        {
            logger.LogInformation("Filing {BlobName} version {ETag} is being checked by another run; leaving it to that run", blobPath, download.ETag);
            return ProcessOutcome.Claimed;
        }

        using var renewing = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var renewal = KeepClaimAsync(claim, lifetime, blobPath, renewing.Token);
        try
        {
            // A run that finished between the look above and the claim has released its claim: its verdict says so.
            if (await store.GetFilingVersionAsync(partition, versionKey, cancellationToken).ConfigureAwait(false) is { } finished && (!recheck || IsCurrent(finished)))
            {
                return ProcessOutcome.AlreadyProcessed;
            }

            return await CheckAndStoreAsync(download, uscc, name, blobPath, filingId, partition, versionKey, validSubmitter, usccProblem, recheck, started, activity, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await renewing.CancelAsync().ConfigureAwait(false);
            await renewal.ConfigureAwait(false);
            await ReleaseAsync(claim, blobPath).ConfigureAwait(false);
        }
    }

    /// <summary>Whether a verdict was given under the catalog in force (one from before digests were kept never is).</summary>
    private bool IsCurrent(FilingEntity verdict) => verdict.CatalogDigest == checker.Catalog.Digest;

    private async Task<ProcessOutcome> CheckAndStoreAsync(FilingDownload download, string uscc, string name, string blobPath, string filingId, string partition, string versionKey, bool validSubmitter, UserMessage? usccProblem, bool recheck, long started, System.Diagnostics.Activity? activity, CancellationToken cancellationToken)
    {
        var checking = time.GetTimestamp();
        using var report = download.Refusal is { } refusal
            ? FilingReport.RejectedFile(name, refusal, checker.Catalog.Version)
            : validSubmitter
            ? checker.Check(download.Content, name, new CheckOptions { ExpectedUscc = uscc }, cancellationToken)
            : FilingReport.RejectedFile(name, UserMessage.Of(MessageCode.FolderNotUscc, uscc, usccProblem ?? UserMessage.Of(MessageCode.UsccNotCanonical, uscc)), checker.Catalog.Version);

        var checkSeconds = time.GetElapsedTime(checking).TotalSeconds;
        var now = time.GetUtcNow();
        if (report.Status == FilingStatus.Checked)
        {
            var found = ToEntities(report, uscc, blobPath, filingId, download.ETag, now);
            var stored = await store.FindingsOfFilingAsync(uscc, filingId, cancellationToken).ConfigureAwait(false);
            var changes = FindingVersions.Plan(stored, found, new FilingVersionStamp(StorageKeys.VersionId(download.ETag), name, download.UploadedAt, now) { RecheckCatalog = recheck ? checker.Catalog.Version : null });
            await history.RecordHistoryAsync(changes.History, cancellationToken).ConfigureAwait(false);
            await store.SaveFindingsAsync(uscc, filingId, changes.Added, changes.Updated, changes.Unchanged, cancellationToken).ConfigureAwait(false);

            // Before the version is recorded as done, so a run that stops here is redone and counts what it missed
            // (a finding already counted as it stands is not counted again).
            await counts.ApplyManyAsync(changes.Added.Concat(changes.Updated).Concat(changes.Unchanged), cancellationToken).ConfigureAwait(false);
        }

        var resultBlob = await results.WriteAsync(blobPath, report, cancellationToken).ConfigureAwait(false);
        var listedUnder = report.Periods.Count > 0 ? report.Periods : [ChinaTime.MonthOf(download.UploadedAt).ToString()];
        await store.IndexFilingAsync(
            listedUnder.Select(period => new FilingPeriodEntity
            {
                PartitionKey = period,
                RowKey = StorageKeys.Check($"{partition}{StorageKeys.Separator}{versionKey}"),
                Uscc = uscc,
                BlobName = blobPath,
                Status = report.Status.ToContractName(),
                Kind = report.Kind,
                Regions = string.Join(',', report.Regions),
            }),
            cancellationToken).ConfigureAwait(false);
        await store.SaveFilingVersionAsync(
            new FilingEntity
            {
                PartitionKey = partition,
                RowKey = versionKey,
                Uscc = uscc,
                BlobName = blobPath,
                FileName = name,
                FilingId = filingId,
                BlobETag = download.ETag,
                Sha256 = download.Sha256,
                ContentLength = download.Length,
                UploadedAt = download.UploadedAt,
                Kind = report.Kind,
                Rows = report.Rows,
                Status = report.Status.ToContractName(),
                ViolationCount = report.Violations.Count,
                FindingCount = report.Violations.Findings.Count,
                WarningCount = report.WarningCount,
                ErrorCount = report.ErrorCount,
                Error = report.Error,
                ErrorCode = report.ErrorText?.Code,
                ErrorArgs = report.ErrorText?.ArgsJson(),
                ErrorRow = report.ErrorRow,
                Periods = string.Join(',', report.Periods),
                Regions = string.Join(',', report.Regions),
                CheckedAt = now,
                CatalogVersion = report.CatalogVersion ?? checker.Catalog.Version,
                CatalogDigest = checker.Catalog.Digest,
                ResultBlob = resultBlob,
            },
            cancellationToken).ConfigureAwait(false);

        Record(report, activity, time.GetElapsedTime(started).TotalSeconds, checkSeconds);
        if (report.Status == FilingStatus.Checked)
        {
            logger.LogInformation("Checked filing {BlobName} ({Kind}, {Rows} rows): {FindingCount} findings over {ViolationCount} violating rows, {WarningCount} warnings", blobPath, report.Kind, report.Rows, report.Violations.Findings.Count, report.Violations.Count, report.WarningCount);
            return ProcessOutcome.Checked;
        }

        // A reason about the employee_id column quotes an employee's identifier (a duplicate, say): personal
        // data, so the log names the place and leaves the words to the result document, which only the filer
        // and its regulators can read.
        var reason = report.ErrorColumn == "employee_id" ? $"row {report.ErrorRow}, column employee_id (see the result document)" : report.Error;
        logger.LogWarning("Rejected filing {BlobName}: {Reason}", blobPath, reason);
        return ProcessOutcome.Rejected;
    }

    /// <summary>Renews the claim every third of its lifetime until the check ends; a lost claim is logged, the check goes on (its writes are idempotent).</summary>
    private async Task KeepClaimAsync(FilingClaimEntity claim, TimeSpan lifetime, string blobPath, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                await Task.Delay(lifetime / 3, time, cancellationToken).ConfigureAwait(false);
                if (!await claims.RenewAsync(claim, lifetime, cancellationToken).ConfigureAwait(false))
                {
                    logger.LogWarning("The claim on filing {BlobName} lapsed and was taken by another run; finishing this check regardless", blobPath);
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The check is over.
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Storage trouble: the claim lapses by itself, which is what a crash would do too.
            logger.LogWarning(ex, "Renewing the claim on filing {BlobName} failed; it will lapse", blobPath);
        }
    }

    private async Task ReleaseAsync(FilingClaimEntity claim, string blobPath)
    {
        try
        {
            await claims.ReleaseAsync(claim, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogWarning(ex, "Releasing the claim on filing {BlobName} failed; it lapses by itself", blobPath);
        }
    }

    /// <summary>The verdict as metrics and span tags; rows/s only where the check took measurable time.</summary>
    private void Record(FilingReport report, System.Diagnostics.Activity? activity, double totalSeconds, double checkSeconds)
    {
        var status = new KeyValuePair<string, object?>("status", report.Status.ToContractName());
        var kind = new KeyValuePair<string, object?>("kind", report.Kind ?? "unknown");
        telemetry.Filings.Add(1, status, kind);
        telemetry.Violations.Add(report.Violations.Count, kind);
        telemetry.CheckDuration.Record(totalSeconds, status, kind);
        if (checkSeconds > 0 && report.Rows > 0)
        {
            telemetry.RowsPerSecond.Record(report.Rows / checkSeconds, kind);
        }

        activity?.SetTag("compliance.kind", report.Kind);
        activity?.SetTag("compliance.status", report.Status.ToContractName());
        activity?.SetTag("compliance.rows", report.Rows);
        activity?.SetTag("compliance.violations", report.Violations.Count);
    }

    /// <summary>Whether this version of the filing already has its verdict stored.</summary>
    public async Task<bool> HasVerdictAsync(string uscc, string name, string etag, CancellationToken cancellationToken)
    {
        var (partition, rowKey) = VersionKeys(uscc, name, etag);
        return await store.GetFilingVersionAsync(partition, rowKey, cancellationToken).ConfigureAwait(false) is not null;
    }

    /// <summary>Whether a run is checking this version now (its claim holds).</summary>
    public async Task<bool> IsClaimedAsync(string uscc, string name, string etag, CancellationToken cancellationToken)
    {
        var (partition, rowKey) = VersionKeys(uscc, name, etag);
        return await claims.HeldAsync(partition, rowKey, cancellationToken).ConfigureAwait(false) is not null;
    }

    /// <summary>Where a version's Filings entity lives: the submitter's partition, or the one for folders that are not a USCC.</summary>
    private static (string Partition, string RowKey) VersionKeys(string uscc, string name, string etag) =>
        (IsSubmitter(uscc, out _) ? uscc : StorageKeys.InvalidSubmitter, StorageKeys.FilingVersion(StorageKeys.FilingId($"{uscc}/{name}"), StorageKeys.VersionId(etag)));

    private static bool IsSubmitter(string folder, out UserMessage? problem) =>
        Uscc.TryValidate(folder, out var normalized, out problem) && normalized == folder;

    /// <summary>One entity per finding (<see cref="FindingEntities.Of"/>).</summary>
    private static List<ViolationEntity> ToEntities(FilingReport report, string uscc, string blobPath, string filingId, string etag, DateTimeOffset now) =>
        [.. report.Findings.Select(f => FindingEntities.Of(f, uscc, blobPath, filingId, etag, report.Kind ?? string.Empty, now))];
}
