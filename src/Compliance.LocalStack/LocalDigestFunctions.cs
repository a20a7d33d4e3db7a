using Compliance.Pipeline.Digests;
using Microsoft.Azure.WebJobs;
using Microsoft.Extensions.Logging;

namespace Compliance.LocalStack;

/// <summary>The local twin of the app's SendMonthlyDigest: same schedule setting, same service.</summary>
public sealed class LocalDigestFunctions(DigestService digests, ILogger<LocalDigestFunctions> logger)
{
    [FunctionName("SendMonthlyDigest")]
    public async Task SendMonthlyDigestAsync([TimerTrigger("%DigestSchedule%")] TimerInfo timer, CancellationToken cancellationToken)
    {
        var result = await digests.RunScheduledAsync(timer.IsPastDue, cancellationToken).ConfigureAwait(false);
        logger.LogInformation("Monthly digest {Month} done: {Sent} sent", result.Month, result.Sent);
    }
}
