using Azure.Storage.Blobs;
using Compliance.Pipeline;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace ComplianceFunctions;

/// <summary>
/// Checks each filing uploaded to <c>filings/{uscc}/{name}</c>. In Azure the trigger uses the Event Grid
/// source: Flex Consumption supports only that, and it fires in seconds without scanning the container.
/// The app therefore needs an Event Grid subscription on the storage account (infra/ creates it). The
/// blob is not read here; <see cref="FilingProcessor"/> streams the version it finds.
/// </summary>
public sealed class CheckFiling(FilingProcessor processor, ILogger<CheckFiling> logger)
{
    [Function(FilingTrigger.FunctionName)]
    public async Task RunAsync(
        [BlobTrigger(FilingTrigger.Path, Source = BlobTriggerSource.EventGrid, Connection = FilingTrigger.Connection)] BlobClient blob,
        string uscc,
        string name,
        CancellationToken cancellationToken)
    {
        logger.LogInformation("Filing {BlobName} uploaded by {Uscc}", blob.Name, uscc);
        var outcome = await processor.ProcessAsync(uscc, name, cancellationToken);
        logger.LogInformation("Filing {BlobName}: {Outcome}", blob.Name, outcome);
    }
}
