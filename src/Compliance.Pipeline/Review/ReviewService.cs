using Azure;
using Compliance.Storage;
using Compliance.Storage.Entities;

namespace Compliance.Pipeline.Review;

/// <summary>The review decisions a regulator can record.</summary>
public static class ReviewStatus
{
    public const string Open = "open";
    public const string Confirmed = "confirmed";
    public const string Dismissed = "dismissed";
    public const string Exempted = "exempted";
    public const string Resolved = "resolved";

    public static IReadOnlyList<string> All { get; } = [Open, Confirmed, Dismissed, Exempted, Resolved];
}

/// <summary>A review to record: the new status, why, and for an exemption the day it ends.</summary>
public sealed record ReviewRequest(string Status, string Note, DateOnly? ExemptUntil = null);

/// <summary>A violation as a caller sees it: the stored entity, its status as of now, and its history.</summary>
public sealed record ViolationView(string Id, ViolationEntity Violation, string EffectiveStatus, IReadOnlyList<ReviewAuditEntity> History);

/// <summary>The caller may not do this (an enterprise reviewing, say). Maps to 403.</summary>
public sealed class ReviewForbiddenException(string message) : Exception(message);

/// <summary>The review itself is malformed (unknown status, no note, an exemption without a future end). Maps to 400.</summary>
public sealed class ReviewValidationException(string message) : Exception(message);

/// <summary>
/// Regulators' decisions on violations. Visibility is decided here, once, for every entry point: a violation
/// outside the caller's scope is reported as not found, so its existence does not leak.
/// </summary>
public sealed class ReviewService(ReviewStore store, TimeProvider time)
{
    /// <summary>The id the API uses: the violation's PartitionKey and RowKey, which contain neither '.' nor '/'.</summary>
    public static string IdOf(ViolationEntity violation) => $"{violation.PartitionKey}.{violation.RowKey}";

    /// <summary>The status as of now: an exemption past its end lists as open again, by itself.</summary>
    public string EffectiveStatus(ViolationEntity violation) =>
        violation.Status == ReviewStatus.Exempted && violation.ExemptUntil is { } until && until <= time.GetUtcNow()
            ? ReviewStatus.Open
            : violation.Status;

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
            exemptUntil = request.ExemptUntil is { } day
                ? new DateTimeOffset(day.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.FromHours(8))
                : throw new ReviewValidationException("An exemption needs the date it ends (exempt_until).");
            if (exemptUntil <= now)
            {
                throw new ReviewValidationException("An exemption must end in the future.");
            }
        }

        var violation = current.Violation;
        var from = current.EffectiveStatus;
        violation.Status = status;
        violation.ExemptUntil = exemptUntil;
        violation.ReviewedBy = caller.Name;
        violation.ReviewedAt = now;
        var audit = new ReviewAuditEntity
        {
            PartitionKey = id,
            RowKey = StorageKeys.Check($"{now.UtcTicks:D19}{StorageKeys.Separator}{Guid.NewGuid():N}"),
            Who = caller.Name,
            At = now,
            FromStatus = from,
            ToStatus = status,
            Note = request.Note.Trim(),
            ExemptUntil = exemptUntil,
        };
        var saved = await store.ReviewAsync(violation, ifMatch, audit, cancellationToken).ConfigureAwait(false);
        return new ViolationView(id, saved, EffectiveStatus(saved), [.. current.History, audit]);
    }

    private static bool TryParseId(string id, out string uscc, out string rowKey)
    {
        var dot = id.IndexOf('.', StringComparison.Ordinal);
        (uscc, rowKey) = dot > 0 ? (id[..dot], id[(dot + 1)..]) : (string.Empty, string.Empty);
        return dot > 0 && rowKey.Length > 0 && uscc.All(char.IsAsciiLetterOrDigit) && !rowKey.Any(c => c is '/' or '\\' or '#' or '?' || char.IsControl(c));
    }
}
