using Compliance.Pipeline.Digests;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace ComplianceFunctions;

/// <summary>
/// The monthly digest. Schedule from the app setting <c>DigestSchedule</c>; the default
/// <c>0 0 0 1 * *</c> is 08:00 China Standard Time on the 1st, written in UTC because Linux plans ignore
/// WEBSITE_TIME_ZONE. The ledger makes repeats harmless, so a schedule such as <c>0 0 0 1-3 * *</c> also
/// retries a failed month on the next two mornings instead of a month later.
/// </summary>
public sealed class SendMonthlyDigest(DigestService digests, ILogger<SendMonthlyDigest> logger)
{
    [Function(nameof(SendMonthlyDigest))]
    public async Task RunAsync([TimerTrigger("%DigestSchedule%")] TimerInfo timer, CancellationToken cancellationToken)
    {
        var result = await digests.RunScheduledAsync(timer.IsPastDue, cancellationToken);
        logger.LogInformation("Monthly digest {Month} done: {Sent} sent", result.Month, result.Sent);
    }
}
