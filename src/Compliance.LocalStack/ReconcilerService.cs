using Compliance.Pipeline;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Compliance.LocalStack;

/// <summary>
/// Runs <see cref="FilingReconciler"/> every couple of seconds next to the local blob trigger. The
/// WebJobs container scan (the only blob trigger source Azurite supports) has been seen here to miss an
/// upload outright; this keeps the local promise — a verdict within seconds of any upload — regardless.
/// </summary>
public sealed class ReconcilerService(FilingReconciler reconciler, IOptions<PipelineOptions> options, TimeProvider time, ILogger<ReconcilerService> logger) : BackgroundService
{
    /// <summary>How often to look.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);

    /// <summary>How long the trigger gets locally before the reconciler steps in (<c>Compliance:ReconcileGrace</c>); the trigger normally answers in 1–2 s.</summary>
    public static readonly TimeSpan DefaultGrace = TimeSpan.FromSeconds(5);

    /// <summary>
    /// A local claim lapses sooner than a cloud one (<c>Compliance:ClaimLifetime</c>): a laptop's host that was
    /// killed mid-check is back in seconds, and its reconciler should take the version soon after.
    /// </summary>
    public static readonly TimeSpan DefaultClaimLifetime = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            try
            {
                await reconciler.ReconcileAsync(options.Value.ReconcileGrace, stoppingToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Transient storage trouble: the next tick tries again.
                logger.LogWarning(ex, "Reconciling filings failed; retrying in {Interval}", Interval);
            }
        }
    }
}
