using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Compliance.Core.Checking;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Registry;

namespace Compliance.Storage;

/// <summary>
/// The verdict document per filing, <c>results/{uscc}/{name}.json</c>, in the same shape as the self-check's
/// <c>--format json</c>, so an enterprise reads one format whether it checked offline or uploaded.
/// </summary>
public sealed class ResultStore(BlobServiceClient blobs, IOptions<ComplianceStorageOptions> options, ResiliencePipelineProvider<string> pipelines)
{
    private readonly ResiliencePipeline pipeline = pipelines.GetPipeline(StorageResilience.PipelineKey);
    private int containerReady;

    public BlobContainerClient Container => blobs.GetBlobContainerClient(options.Value.ResultsContainer);

    /// <summary>The service's limit on a blob name, in characters.</summary>
    public const int MaxBlobNameLength = 1024;

    /// <summary>
    /// <c>{filing path}.json</c>, or, for a filing whose name leaves no room for the suffix (a 1 KB name is
    /// legal), <c>long-names/{filing id}.json</c>: a verdict must always be writable.
    /// </summary>
    public static string BlobNameFor(string filingBlobPath) =>
        filingBlobPath.Length + 5 <= MaxBlobNameLength ? filingBlobPath + ".json" : $"long-names/{StorageKeys.FilingId(filingBlobPath)}.json";

    public async Task<string> WriteAsync(string filingBlobPath, FilingReport report, CancellationToken cancellationToken)
    {
        // Written to a temporary file, not memory: a filing with a million violating rows has a document of
        // hundreds of megabytes, and a retried upload must be able to send it again from the start.
        await using var content = new FileStream(Path.Combine(Path.GetTempPath(), $"compliance-result-{Guid.NewGuid():N}.json"), FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
        ReportJson.Write(content, [report]);
        await content.FlushAsync(cancellationToken).ConfigureAwait(false);
        var name = BlobNameFor(filingBlobPath);
        await pipeline.ExecuteAsync(
            async ct =>
            {
                if (Volatile.Read(ref containerReady) == 0)
                {
                    await Container.CreateIfNotExistsAsync(cancellationToken: ct).ConfigureAwait(false);
                    Volatile.Write(ref containerReady, 1);
                }

                content.Position = 0;
                await Container.GetBlobClient(name).UploadAsync(
                    content,
                    new BlobUploadOptions { HttpHeaders = new BlobHttpHeaders { ContentType = "application/json; charset=utf-8" } },
                    ct).ConfigureAwait(false);
            },
            cancellationToken).ConfigureAwait(false);
        return $"{options.Value.ResultsContainer}/{name}";
    }
}
