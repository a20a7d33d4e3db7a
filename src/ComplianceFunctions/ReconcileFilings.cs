using Compliance.Pipeline;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ComplianceFunctions;

/// <summary>
/// Catches filings whose Event Grid event never arrived (Event Grid gives up after its retries): every
/// filing without a verdict some minutes after upload is processed. Schedule from the app setting
/// <c>ReconcileSchedule</c>.
/// </summary>
public sealed class ReconcileFilings(FilingReconciler reconciler, IOptions<PipelineOptions> options, ILogger<ReconcileFilings> logger)
{
    [Function(nameof(ReconcileFilings))]
    public async Task RunAsync([TimerTrigger("%ReconcileSchedule%")] TimerInfo timer, CancellationToken cancellationToken)
    {
        var processed = await reconciler.ReconcileAsync(options.Value.ReconcileGrace, cancellationToken);
        logger.LogInformation("Reconciled filings: {Processed} had no verdict and were processed; next run {Next}", processed, timer.ScheduleStatus?.Next);
    }
}
