using Azure.Storage.Blobs;
using Compliance.Pipeline;
using Microsoft.Azure.WebJobs;
using Microsoft.Extensions.Logging;

namespace Compliance.LocalStack;

/// <summary>
/// The local twin of the Functions app's CheckFiling: the same path and connection (from
/// <see cref="FilingTrigger"/>), the same application service. Locally the trigger scans the container
/// (Azurite has no Event Grid); in Azure the app uses the Event Grid source.
/// </summary>
public sealed class LocalFilingFunctions(FilingProcessor processor, ILogger<LocalFilingFunctions> logger)
{
    [FunctionName(FilingTrigger.FunctionName)]
    public async Task CheckFilingAsync(
        [BlobTrigger(FilingTrigger.Path, Connection = FilingTrigger.Connection)] BlobClient blob,
        string uscc,
        string name,
        CancellationToken cancellationToken)
    {
        logger.LogInformation("Filing {BlobName} uploaded by {Uscc}", blob.Name, uscc);
        var outcome = await processor.ProcessAsync(uscc, name, cancellationToken).ConfigureAwait(false);
        logger.LogInformation("Filing {BlobName}: {Outcome}", blob.Name, outcome);
    }
}
