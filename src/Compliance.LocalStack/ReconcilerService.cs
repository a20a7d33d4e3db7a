using Compliance.Pipeline;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Compliance.LocalStack;

/// <summary>
/// Runs <see cref="FilingReconciler"/> every couple of seconds next to the local blob trigger. The
/// WebJobs container scan (the only blob trigger source Azurite supports) has been seen here to miss an
/// upload outright; this keeps the local promise — a verdict within seconds of any upload — regardless.
/// </summary>
public sealed class ReconcilerService(FilingReconciler reconciler, TimeProvider time, ILogger<ReconcilerService> logger) : BackgroundService
{
    /// <summary>How often to look.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);

    /// <summary>How long the trigger gets before the reconciler steps in; the trigger normally answers in 1–2 s.</summary>
    public static readonly TimeSpan Grace = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            try
            {
                await reconciler.ReconcileAsync(Grace, stoppingToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Transient storage trouble: the next tick tries again.
                logger.LogWarning(ex, "Reconciling filings failed; retrying in {Interval}", Interval);
            }
        }
    }
}
