using Azure.Storage.Queues.Models;
using Compliance.Pipeline.Rechecks;
using Microsoft.Azure.WebJobs;

namespace Compliance.LocalStack;

/// <summary>The local twins of the Functions app's re-check triggers: the same queues, connection and service, on Azurite.</summary>
public sealed class LocalRecheckFunctions(RecheckService rechecks)
{
    [FunctionName(RecheckTriggers.PlanFunctionName)]
    public Task PlanAsync(
        [QueueTrigger(RecheckTriggers.PlanQueue, Connection = RecheckTriggers.Connection)] QueueMessage message,
        CancellationToken cancellationToken) =>
        rechecks.PlanAsync(message.Body.ToString(), cancellationToken);

    [FunctionName(RecheckTriggers.FilingFunctionName)]
    public Task RecheckAsync(
        [QueueTrigger(RecheckTriggers.FilingQueue, Connection = RecheckTriggers.Connection)] QueueMessage message,
        CancellationToken cancellationToken) =>
        rechecks.RecheckFilingAsync(message.Body.ToString(), message.DequeueCount, cancellationToken);
}
