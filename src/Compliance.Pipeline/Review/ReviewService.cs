using Azure;
using Azure.Data.Tables;
using Compliance.Storage;
using Compliance.Storage.Entities;

namespace Compliance.Pipeline.Review;

/// <summary>The review decisions a regulator can record.</summary>
public static class ReviewStatus
{
    public const string Open = ViolationEntity.OpenStatus;
    public const string Confirmed = "confirmed";
    public const string Dismissed = "dismissed";
    public const string Exempted = ViolationEntity.ExemptedStatus;
    public const string Resolved = ViolationEntity.ResolvedStatus;

    public static IReadOnlyList<string> All { get; } = [Open, Confirmed, Dismissed, Exempted, Resolved];
}

/// <summary>What became of one violation of a bulk review.</summary>
public enum BulkReviewResult
{
    Reviewed,

    /// <summary>Its ETag moved on since the list was read: someone or something changed it; reload and review it again.</summary>
    Stale,

    /// <summary>No such violation for this caller (absent, or outside its scope).</summary>
    NotFound,

    /// <summary>It came without the version its list gave it; nothing was read or written for it.</summary>
    NoVersion,
}

/// <summary>One violation's outcome in a bulk review, with the entity as it now stands (null when not found).</summary>
public sealed record BulkReviewOutcome(string Id, BulkReviewResult Result, ViolationEntity? Violation);

/// <summary>A review to record: the new status, why, and for an exemption the day it ends.</summary>
public sealed record ReviewRequest(string Status, string Note, DateOnly? ExemptUntil = null);

/// <summary>Filters for listing violations; every value is checked before it reaches a query.</summary>
public sealed record ViolationFilter(string? Period = null, string? Uscc = null, string? Rule = null, string? Status = null, string? Region = null);

/// <summary>A violation as a caller sees it: the stored entity, its status as of now, and its history.</summary>
public sealed record ViolationView(string Id, ViolationEntity Violation, string EffectiveStatus, IReadOnlyList<ReviewAuditEntity> History);

/// <summary>The rows of a finding are no longer in its filing's result document (a later version resolved it). Maps to 410.</summary>
public sealed class FindingRowsGoneException(string message) : Exception(message);

/// <summary>The continuation token of a finding's rows: the byte where the next page starts and the document's ETag, base64url.</summary>
internal static class RowToken
{
    public static string Format(long offset, string etag) =>
        Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{offset}|{etag}"))).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static bool TryParse(string token, out long offset, out string etag)
    {
        (offset, etag) = (0, string.Empty);
        if (token.Length is 0 or > 200)
        {
            return false;
        }

        var base64 = token.Replace('-', '+').Replace('_', '/');
        base64 += new string('=', (4 - (base64.Length % 4)) % 4);
        Span<byte> bytes = stackalloc byte[200];
        if (!Convert.TryFromBase64String(base64, bytes, out var written))
        {
            return false;
        }

        var text = System.Text.Encoding.UTF8.GetString(bytes[..written]);
        var bar = text.IndexOf('|', StringComparison.Ordinal);
        if (bar <= 0 || !long.TryParse(text.AsSpan(0, bar), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out offset) || offset <= 0)
        {
            return false;
        }

        etag = text[(bar + 1)..];
        return etag.Length is > 0 and <= 100 && !etag.Any(char.IsControl);
    }
}

/// <summary>The caller may not do this (an enterprise reviewing, say). Maps to 403.</summary>
public sealed class ReviewForbiddenException(string message) : Exception(message);

/// <summary>The review itself is malformed (unknown status, no note, an exemption without a future end). Maps to 400.</summary>
public sealed class ReviewValidationException(string message) : Exception(message);

/// <summary>
/// Regulators' decisions on violations. Visibility is decided here, once, for every entry point: a violation
/// outside the caller's scope is reported as not found, so its existence does not leak.
/// </summary>
public sealed class ReviewService(ReviewStore store, ResultStore results, FindingCounts counts, TimeProvider time)
{
    /// <summary>The id the API uses: the violation's PartitionKey and RowKey, which contain neither '.' nor '/'.</summary>
    public static string IdOf(ViolationEntity violation) => $"{violation.PartitionKey}.{violation.RowKey}";

    /// <summary>The status as of now: an exemption past its end lists as open again, by itself.</summary>
    public string EffectiveStatus(ViolationEntity violation) =>
        violation.EffectiveStatus(time.GetUtcNow());

    public async Task<ViolationView?> GetAsync(Caller caller, string id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        if (!TryParseId(id, out var uscc, out var rowKey) || await store.GetAsync(uscc, rowKey, cancellationToken).ConfigureAwait(false) is not { } violation || !caller.CanSee(violation))
        {
            return null;
        }

        return new ViolationView(id, violation, EffectiveStatus(violation), await store.HistoryAsync(id, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>
    /// Records a regulator's decision. Returns null when the violation does not exist for this caller;
    /// throws <see cref="StaleReviewException"/> when <paramref name="ifMatch"/> is not the current ETag.
    /// </summary>
    public async Task<ViolationView?> ReviewAsync(Caller caller, string id, ReviewRequest request, ETag ifMatch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(request);
        if (await GetAsync(caller, id, cancellationToken).ConfigureAwait(false) is not { } current)
        {
            return null;
        }

        if (caller.Role != CallerRole.Regulator)
        {
            throw new ReviewForbiddenException("Only regulators review violations.");
        }

        var now = time.GetUtcNow();
        var (status, note, exemptUntil) = Decide(request, now);
        var saved = await RecordAsync(caller, current, status, note, exemptUntil, ifMatch, now, cancellationToken).ConfigureAwait(false);
        return new ViolationView(id, saved.Violation, EffectiveStatus(saved.Violation), [.. current.History, saved.Audit]);
    }

    /// <summary>The most violations one bulk review takes: a page of a month's list, reviewed in one go.</summary>
    public const int MaxBulkReview = 1000;

    // Enough requests in flight to review a thousand findings in seconds without flooding one table partition.
    private const int BulkParallelism = 8;

    /// <summary>
    /// One decision for many violations, each written as its own review: its own check that it is as listed
    /// (<see cref="StorageKeys.VersionOf"/> against the version the list gave) and its own audit entry. Returns one outcome per item, in the order given — reviewed (with the new ETag), stale, or not found
    /// (absent or outside the caller's scope, told apart from neither). Nothing is rolled back: what was written
    /// is listed as written.
    /// </summary>
    public async Task<IReadOnlyList<BulkReviewOutcome>> ReviewManyAsync(Caller caller, IReadOnlyList<(string Id, string? Version)> items, ReviewRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(request);
        if (caller.Role != CallerRole.Regulator)
        {
            throw new ReviewForbiddenException("Only regulators review violations.");
        }

        if (items.Count is 0 or > MaxBulkReview)
        {
            throw new ReviewValidationException($"A bulk review takes 1 to {MaxBulkReview} violations.");
        }

        if (items.Select(i => i.Id).Distinct(StringComparer.Ordinal).Count() != items.Count)
        {
            throw new ReviewValidationException("A violation appears twice in the bulk review; list each once.");
        }

        var now = time.GetUtcNow();
        var (status, note, exemptUntil) = Decide(request, now);
        var outcomes = new BulkReviewOutcome[items.Count];
        await Parallel.ForAsync(0, items.Count, new ParallelOptions { MaxDegreeOfParallelism = BulkParallelism, CancellationToken = cancellationToken }, async (i, ct) =>
        {
            var (id, version) = items[i];
            if (string.IsNullOrEmpty(version))
            {
                outcomes[i] = new BulkReviewOutcome(id, BulkReviewResult.NoVersion, null);
                return;
            }

            if (!TryParseId(id, out var uscc, out var rowKey) || await store.GetAsync(uscc, rowKey, ct).ConfigureAwait(false) is not { } violation || !caller.CanSee(violation))
            {
                outcomes[i] = new BulkReviewOutcome(id, BulkReviewResult.NotFound, null);
                return;
            }

            if (StorageKeys.VersionOf(violation) != version)
            {
                outcomes[i] = new BulkReviewOutcome(id, BulkReviewResult.Stale, violation);
                return;
            }

            try
            {
                // Written only over what was just read: a change between the read and the write is stale too.
                var current = new ViolationView(id, violation, EffectiveStatus(violation), []);
                var saved = await RecordAsync(caller, current, status, note, exemptUntil, violation.ETag, now, ct).ConfigureAwait(false);
                outcomes[i] = new BulkReviewOutcome(id, BulkReviewResult.Reviewed, saved.Violation);
            }
            catch (StaleReviewException)
            {
                // As it stands now (the entity read above was changed in hand before the write was refused).
                var latest = await store.GetAsync(uscc, rowKey, ct).ConfigureAwait(false);
                outcomes[i] = new BulkReviewOutcome(id, BulkReviewResult.Stale, latest is not null && caller.CanSee(latest) ? latest : null);
            }
        }).ConfigureAwait(false);
        return outcomes;
    }

    /// <summary>A review request checked and normalised: the status, the note, and for an exemption the end of its last day.</summary>
    private static (string Status, string Note, DateTimeOffset? ExemptUntil) Decide(ReviewRequest request, DateTimeOffset now)
    {
        var status = request.Status?.Trim().ToLowerInvariant() ?? string.Empty;
        if (!ReviewStatus.All.Contains(status))
        {
            throw new ReviewValidationException($"'{request.Status}' is not a review status; use {string.Join(", ", ReviewStatus.All)}.");
        }

        if (string.IsNullOrWhiteSpace(request.Note))
        {
            throw new ReviewValidationException("A review needs a note saying why.");
        }

        DateTimeOffset? exemptUntil = null;
        if (status == ReviewStatus.Exempted)
        {
            // The exemption runs to the end of its last day in China Standard Time.
            var day = request.ExemptUntil ?? throw new ReviewValidationException("An exemption needs the date it ends (exempt_until).");
            var latest = Core.Filings.ChinaTime.Today(now).AddYears(MaxExemptionYears);
            if (day > latest)
            {
                throw new ReviewValidationException($"An exemption may run at most {MaxExemptionYears} years, to {latest:yyyy-MM-dd}; review it again then.");
            }

            exemptUntil = Core.Filings.ChinaTime.EndOf(day);
            if (exemptUntil <= now)
            {
                throw new ReviewValidationException("An exemption must end in the future.");
            }
        }

        return (status, request.Note.Trim(), exemptUntil);
    }

    /// <summary>Writes one decision on one violation the caller may see, with its audit entry; <see cref="StaleReviewException"/> when its ETag moved on.</summary>
    private async Task<(ViolationEntity Violation, ReviewAuditEntity Audit)> RecordAsync(Caller caller, ViolationView current, string status, string note, DateTimeOffset? exemptUntil, ETag ifMatch, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var violation = current.Violation;
        var audit = Entry(current.Id, violation, caller, now, current.EffectiveStatus, status, note);
        audit.ExemptUntil = exemptUntil;
        violation.Status = status;
        violation.ExemptUntil = exemptUntil;
        violation.ReviewedBy = caller.Name;
        violation.ReviewedAt = now;
        var saved = await store.ReviewAsync(violation, ifMatch, audit, cancellationToken).ConfigureAwait(false);
        await counts.ApplyAsync(saved, cancellationToken).ConfigureAwait(false);
        return (saved, audit);
    }

    public const int MaxPageSize = 200;

    /// <summary>A caller's entry in a finding's history, keyed after its last review and change, with the rows it covers now.</summary>
    private static ReviewAuditEntity Entry(string id, ViolationEntity finding, Caller caller, DateTimeOffset now, string from, string to, string note) => new()
    {
        PartitionKey = id,
        RowKey = StorageKeys.Check($"{finding.NextHistoryTicks(now):D19}{StorageKeys.Separator}{Guid.NewGuid():N}"),
        Who = caller.Name,
        At = now,
        FromStatus = from,
        ToStatus = to,
        Note = note,
        Rows = finding.RowCount,
    };

    /// <summary>The longest explanation an enterprise may attach: a few paragraphs.</summary>
    public const int MaxResponseLength = 2000;

    /// <summary>
    /// An enterprise's explanation (情况说明) of one of its own findings: added to the finding's history, where its
    /// regulators read it; the status stays. Null when the finding is not the caller's.
    /// </summary>
    public async Task<ViolationView?> RespondAsync(Caller caller, string id, string text, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        if (await GetAsync(caller, id, cancellationToken).ConfigureAwait(false) is not { } current)
        {
            return null;
        }

        if (caller.Role != CallerRole.Enterprise)
        {
            throw new ReviewForbiddenException("Only the enterprise whose finding it is explains it; regulators review.");
        }

        var note = text?.Trim() ?? string.Empty;
        if (note.Length is 0 or > MaxResponseLength)
        {
            throw new ReviewValidationException($"An explanation is 1 to {MaxResponseLength} characters.");
        }

        var entry = Entry(id, current.Violation, caller, time.GetUtcNow(), current.EffectiveStatus, current.EffectiveStatus, note);
        entry.Kind = ReviewAuditEntity.ResponseKind;
        await store.AppendAsync(entry, cancellationToken).ConfigureAwait(false);
        return current with { History = [.. current.History, entry] };
    }

    /// <summary>Rows of a finding per page at most: rows are small, and a systemic finding has one per employee.</summary>
    public const int MaxRowPageSize = 1000;

    /// <summary>
    /// One page of a finding's rows, in file order, read from its filing's result document (streamed from the
    /// byte where the previous page ended; the token pins the document's ETag, so a newer version's document
    /// is never read as the continuation of an older one's). Null when the finding is not the caller's to see.
    /// </summary>
    /// <exception cref="ReviewValidationException">The token is not one this method issued.</exception>
    /// <exception cref="StaleReviewException">The document changed since the first page.</exception>
    /// <exception cref="FindingRowsGoneException">A later version resolved the finding and its document replaced the rows.</exception>
    public async Task<(ViolationView Finding, FindingRowsPage Page, string? ContinuationToken)?> RowsAsync(Caller caller, string id, string? continuationToken, int pageSize, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        (long Offset, string ETag)? resume = null;
        if (continuationToken is not null)
        {
            resume = RowToken.TryParse(continuationToken, out var offset, out var etag) ? (offset, etag) : throw new ReviewValidationException("continuationToken is not one this route issued; start again without it.");
        }

        if (!TryParseId(id, out var uscc, out var rowKey) || await store.GetAsync(uscc, rowKey, cancellationToken).ConfigureAwait(false) is not { } finding || !caller.CanSee(finding))
        {
            return null;
        }

        if (finding.IsSuperseded)
        {
            throw new FindingRowsGoneException($"A later version of {finding.FilingName} no longer has this finding (resolved by version {finding.ResolvedByVersion}); the result document now holds that version's rows.");
        }

        var findingId = finding.FindingId ?? throw new FindingRowsGoneException("This violation was stored before findings and is its own only row; run `compliance-stack migrate-findings` to group it.");
        pageSize = Math.Clamp(pageSize, 1, MaxRowPageSize);
        var blob = results.Container.GetBlobClient(ResultStore.BlobNameFor(finding.FilingName));
        Azure.Response<Azure.Storage.Blobs.Models.BlobDownloadStreamingResult> download;
        try
        {
            download = await blob.DownloadStreamingAsync(
                new Azure.Storage.Blobs.Models.BlobDownloadOptions
                {
                    Range = new Azure.HttpRange(resume?.Offset ?? 0),
                    Conditions = resume is { } r ? new Azure.Storage.Blobs.Models.BlobRequestConditions { IfMatch = new ETag(r.ETag) } : null,
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch (Azure.RequestFailedException ex) when (ex.Status == 412)
        {
            throw new StaleReviewException("The filing's result document changed since the first page (a newer version was checked); start again without continuationToken.");
        }
        catch (Azure.RequestFailedException ex) when (ex.Status == 416)
        {
            throw new ReviewValidationException("continuationToken is not one this route issued; start again without it.");
        }
        catch (Azure.RequestFailedException ex) when (ex.Status == 404)
        {
            throw new FindingRowsGoneException("The filing's result document is not stored.");
        }

        using (download.Value)
        {
            FindingRowsPage page;
            try
            {
                page = await ResultRows.ReadAsync(download.Value.Content, resume?.Offset ?? 0, findingId, pageSize, cancellationToken).ConfigureAwait(false);
            }
            catch (System.Text.Json.JsonException) when (resume is not null)
            {
                // Only an offset this route did not hand out lands inside an element.
                throw new ReviewValidationException("continuationToken is not one this route issued; start again without it.");
            }

            var token = page.NextOffset is { } next ? RowToken.Format(next, resume?.ETag ?? download.Value.Details.ETag.ToString()) : null;
            return (new ViolationView(id, finding, EffectiveStatus(finding), []), page, token);
        }
    }

    /// <summary>
    /// How far ahead an exemption may end. The 2016 measures ran in two-year windows (国发〔2016〕48号); an
    /// exemption longer than three years outlives the rule it suspends and should be decided again.
    /// </summary>
    public const int MaxExemptionYears = 3;

    /// <summary>
    /// One page of the violations the caller may see. A list reads one partition: a filing period
    /// (ViolationsByPeriod) or an enterprise (Violations); a regulator must name one or the other, an
    /// enterprise always reads its own. The caller's scope is part of the query itself, so a filter can
    /// narrow what the caller sees but never widen it.
    /// </summary>
    /// <summary>Every violation the filter matches for the caller, page by page as they are read (for an export); the filter is checked when the first page is read.</summary>
    public async IAsyncEnumerable<ViolationView> AllAsync(Caller caller, ViolationFilter filter, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string? token = null;
        do
        {
            var page = await ListAsync(caller, filter, token, MaxPageSize, cancellationToken).ConfigureAwait(false);
            foreach (var item in page.Items)
            {
                yield return item;
            }

            token = page.ContinuationToken;
        }
        while (token is not null);
    }

    public async Task<ResultPage<ViolationView>> ListAsync(Caller caller, ViolationFilter filter, string? continuationToken, int pageSize, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(filter);
        var period = filter.Period is null ? null : Core.Filings.Period.TryParse(filter.Period, out var p) && p.Value.ToString() == filter.Period ? filter.Period : throw new ReviewValidationException($"period '{filter.Period}' is not yyyy-MM.");
        if (filter.Uscc is not null && !Core.Filings.Uscc.TryValidate(filter.Uscc, out _, out _))
        {
            throw new ReviewValidationException($"uscc '{filter.Uscc}' is not a valid unified social credit code.");
        }

        if (filter.Rule is not null && (filter.Rule.Length > 64 || !filter.Rule.All(c => char.IsAsciiLetterUpper(c) || char.IsAsciiDigit(c) || c == '-')))
        {
            throw new ReviewValidationException($"rule '{filter.Rule}' is not a rule id (A-Z, 0-9 and '-').");
        }

        if (filter.Status is not null && !ReviewStatus.All.Contains(filter.Status))
        {
            throw new ReviewValidationException($"status '{filter.Status}' is not one of {string.Join(", ", ReviewStatus.All)}.");
        }

        if (filter.Region is not null && !Core.Filings.RegionCode.TryParse(filter.Region, out _))
        {
            throw new ReviewValidationException($"region '{filter.Region}' is not {Core.Filings.RegionCode.Expected}.");
        }

        pageSize = Math.Clamp(pageSize, 1, MaxPageSize);
        var uscc = caller.Role == CallerRole.Enterprise ? caller.Uscc! : filter.Uscc;
        if (caller.Role == CallerRole.Enterprise && filter.Uscc is not null && filter.Uscc != caller.Uscc)
        {
            return new ResultPage<ViolationView>([], null);
        }

        if (period is null && uscc is null)
        {
            throw new ReviewValidationException("Give a period (yyyy-MM) or a uscc: lists read one month or one enterprise, never the whole table.");
        }

        // With both, read the enterprise's partition and narrow it to the period.
        var conditions = new List<string>();
        if (uscc is not null && period is not null)
        {
            conditions.Add(TableClient.CreateQueryFilter($"Period eq {period}"));
        }

        if (filter.Rule is not null)
        {
            conditions.Add(TableClient.CreateQueryFilter($"Rule eq {filter.Rule}"));
        }

        // The caller's region and the one asked for: the narrower of the two, nothing when neither holds the other.
        var scopes = new[] { caller.Role == CallerRole.Regulator ? caller.Region : null, filter.Region }.OfType<string>().Select(Core.Digests.DigestBuilder.RegionPrefix).ToList();
        var scope = scopes.OrderByDescending(p => p.Length).FirstOrDefault() ?? string.Empty;
        if (scopes.Any(p => !scope.StartsWith(p, StringComparison.Ordinal)))
        {
            return new ResultPage<ViolationView>([], null);
        }

        var byMonth = period is not null && uscc is null;
        if (!byMonth && scope.Length > 0)
        {
            // An enterprise's partition is small; the month's index is keyed by region instead.
            var upper = StorageKeys.After(scope);
            conditions.Add(TableClient.CreateQueryFilter($"Region ge {scope} and Region lt {upper}"));
        }

        var now = time.GetUtcNow();
        if (filter.Status is { } status)
        {
            conditions.Add(status switch
            {
                ReviewStatus.Open => TableClient.CreateQueryFilter($"Status eq {ReviewStatus.Open} or (Status eq {ReviewStatus.Exempted} and ExemptUntil le {now})"),
                ReviewStatus.Exempted => TableClient.CreateQueryFilter($"Status eq {ReviewStatus.Exempted} and ExemptUntil gt {now}"),
                _ => TableClient.CreateQueryFilter($"Status eq {status}"),
            });
        }

        var page = byMonth
            ? await store.PageOfMonthAsync(period!, scope, Combine(conditions), continuationToken, pageSize, cancellationToken).ConfigureAwait(false)
            : await store.PageOfEnterpriseAsync(uscc!, Combine(conditions), continuationToken, pageSize, cancellationToken).ConfigureAwait(false);
        return new ResultPage<ViolationView>(
            [.. page.Items.Where(caller.CanSee).Select(v => new ViolationView(IdFromAnyTable(v), WithoutIndexETag(v), EffectiveStatus(v), []))],
            page.ContinuationToken);
    }

    /// <summary>An ETag from the by-period copy would never match the Violations entity a review writes; a review takes the ETag from <see cref="GetAsync"/>.</summary>
    private static ViolationEntity WithoutIndexETag(ViolationEntity v)
    {
        if (v.PartitionKey != v.Uscc)
        {
            v.ETag = default;
        }

        return v;
    }

    private static string? Combine(List<string> conditions) => conditions.Count == 0 ? null : string.Join(" and ", conditions.Select(c => $"({c})"));

    /// <summary>The API id from either table: the by-period copy's RowKey is the region, the USCC, then the Violations RowKey.</summary>
    private static string IdFromAnyTable(ViolationEntity v) =>
        v.PartitionKey == v.Uscc ? IdOf(v) : $"{v.Uscc}.{StorageKeys.ViolationKeyOf(v.RowKey, v.Uscc)}";

    private static bool TryParseId(string id, out string uscc, out string rowKey)
    {
        var dot = id.IndexOf('.', StringComparison.Ordinal);
        (uscc, rowKey) = dot > 0 ? (id[..dot], id[(dot + 1)..]) : (string.Empty, string.Empty);
        return dot > 0 && rowKey.Length > 0 && uscc.All(char.IsAsciiLetterOrDigit) && !rowKey.Any(c => c is '/' or '\\' or '#' or '?' || char.IsControl(c));
    }
}
