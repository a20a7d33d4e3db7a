using Azure.Storage.Queues.Models;
using Compliance.Pipeline.Rechecks;
using Microsoft.Azure.Functions.Worker;

namespace ComplianceFunctions;

/// <summary>
/// The re-check's fan-out (<see cref="RecheckService"/>): a plan message lists a page of a month's filings onto the
/// filing queue, a filing message re-checks one filing. The platform scales both out over instances by queue length;
/// a message failing host.json's <c>maxDequeueCount</c> deliveries goes to <c>{queue}-poison</c>.
/// </summary>
public sealed class RecheckFilings(RecheckService rechecks)
{
    [Function(RecheckTriggers.PlanFunctionName)]
    public Task PlanAsync(
        [QueueTrigger(RecheckTriggers.PlanQueue, Connection = RecheckTriggers.Connection)] QueueMessage message,
        CancellationToken cancellationToken) =>
        rechecks.PlanAsync(message.Body.ToString(), cancellationToken);

    [Function(RecheckTriggers.FilingFunctionName)]
    public Task RecheckAsync(
        [QueueTrigger(RecheckTriggers.FilingQueue, Connection = RecheckTriggers.Connection)] QueueMessage message,
        CancellationToken cancellationToken) =>
        rechecks.RecheckFilingAsync(message.Body.ToString(), message.DequeueCount, cancellationToken);
}
