using Azure;
using Compliance.Storage;
using Microsoft.Extensions.Logging;

namespace Compliance.Pipeline;

/// <summary>
/// The safety net under the blob trigger: finds filings whose current version has no verdict some time
/// after upload and processes them. Triggers are at-least-once but not at-most-late: Event Grid gives up
/// on an event after its retries, and the container scan used locally can miss a blob. Processing is
/// idempotent; and a version whose check is still running — a large filing can outlast the grace — is
/// claimed (<see cref="FilingClaims"/>), so it is left to that run until its claim lapses.
/// </summary>
public sealed class FilingReconciler(FilingBlobs blobs, FilingProcessor processor, TimeProvider time, ILogger<FilingReconciler> logger)
{
    /// <summary>Processes each filing uploaded more than <paramref name="minimumAge"/> ago that has no verdict; returns how many.</summary>
    public async Task<int> ReconcileAsync(TimeSpan minimumAge, CancellationToken cancellationToken)
    {
        var cutoff = time.GetUtcNow() - minimumAge;
        var processed = 0;
        try
        {
            await foreach (var blob in blobs.Container.GetBlobsAsync(cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                var slash = blob.Name.IndexOf('/', StringComparison.Ordinal);
                if (slash <= 0 || slash == blob.Name.Length - 1 || blob.Properties.LastModified > cutoff || blob.Properties.ETag is not { } etag)
                {
                    continue;
                }

                var (uscc, name) = (blob.Name[..slash], blob.Name[(slash + 1)..]);
                if (await processor.HasVerdictAsync(uscc, name, etag.ToString(), cancellationToken).ConfigureAwait(false))
                {
                    continue;
                }

                if (await processor.IsClaimedAsync(uscc, name, etag.ToString(), cancellationToken).ConfigureAwait(false))
                {
                    logger.LogInformation("Filing {BlobName} has no verdict {Age} after upload but is being checked; leaving it to that run", blob.Name, time.GetUtcNow() - blob.Properties.LastModified);
                    continue;
                }

                logger.LogWarning("Filing {BlobName} had no verdict {Age} after upload; its trigger was missed, processing it now", blob.Name, time.GetUtcNow() - blob.Properties.LastModified);
                if (await processor.ProcessAsync(uscc, name, cancellationToken).ConfigureAwait(false) != ProcessOutcome.Claimed)
                {
                    processed++;
                }
            }
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // No filings container yet: nothing uploaded, nothing missed.
        }

        return processed;
    }
}
