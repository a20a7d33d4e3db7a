using System.Security.Cryptography;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Registry;

namespace Compliance.Storage;

/// <summary>A filing version fetched for checking: a local, seekable copy and what identifies the version.</summary>
public sealed class FilingDownload(Stream content, string etag, string sha256, long length, DateTimeOffset uploadedAt) : IDisposable
{
    /// <summary>The content, positioned at 0. Owned by this object.</summary>
    public Stream Content { get; } = content;

    public string ETag { get; } = etag;

    public string Sha256 { get; } = sha256;

    public long Length { get; } = length;

    public DateTimeOffset UploadedAt { get; } = uploadedAt;

    public void Dispose() => Content.Dispose();
}

/// <summary>
/// Reads uploaded filings. A blob is streamed, in one sequential download pinned to its ETag, into a
/// temporary file while its SHA-256 is computed: memory stays flat whatever the size, the checker gets the
/// seekable stream XLSX and JSON need, and a blob replaced mid-read is noticed rather than mixed.
/// </summary>
public sealed class FilingBlobs(BlobServiceClient blobs, IOptions<ComplianceStorageOptions> options, ResiliencePipelineProvider<string> pipelines, ILogger<FilingBlobs> logger)
{
    private readonly ResiliencePipeline pipeline = pipelines.GetPipeline(StorageResilience.PipelineKey);

    public BlobContainerClient Container => blobs.GetBlobContainerClient(options.Value.FilingsContainer);

    /// <summary>
    /// Downloads the current version of <paramref name="blobPath"/>, or returns null when the blob is gone or
    /// was replaced while being read (the newer version brings its own trigger).
    /// </summary>
    public async Task<FilingDownload?> DownloadAsync(string blobPath, CancellationToken cancellationToken)
    {
        var blob = Container.GetBlobClient(blobPath);
        var context = ResilienceContextPool.Shared.Get("filings.download", cancellationToken);
        try
        {
            return await pipeline.ExecuteAsync(
                static async (ctx, state) =>
                {
                    var (blob, logger) = state;
                    BlobProperties properties;
                    try
                    {
                        properties = (await blob.GetPropertiesAsync(cancellationToken: ctx.CancellationToken).ConfigureAwait(false)).Value;
                    }
                    catch (RequestFailedException ex) when (ex.Status == 404)
                    {
                        logger.LogWarning("Filing {BlobName} no longer exists; nothing to check", blob.Name);
                        return null;
                    }

                    var temp = new FileStream(Path.GetTempFileName(), FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
                    try
                    {
                        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                        var response = await blob.DownloadStreamingAsync(
                            new BlobDownloadOptions { Conditions = new BlobRequestConditions { IfMatch = properties.ETag } },
                            ctx.CancellationToken).ConfigureAwait(false);
                        await using (var source = response.Value.Content)
                        {
                            var buffer = new byte[1 << 16];
                            int read;
                            while ((read = await source.ReadAsync(buffer, ctx.CancellationToken).ConfigureAwait(false)) > 0)
                            {
                                hash.AppendData(buffer, 0, read);
                                await temp.WriteAsync(buffer.AsMemory(0, read), ctx.CancellationToken).ConfigureAwait(false);
                            }
                        }

                        temp.Position = 0;
                        return new FilingDownload(temp, StorageKeys.NormalizeETag(properties.ETag.ToString()), Convert.ToHexStringLower(hash.GetHashAndReset()), temp.Length, properties.LastModified);
                    }
                    catch (RequestFailedException ex) when (ex.Status is 404 or 412)
                    {
                        await temp.DisposeAsync().ConfigureAwait(false);
                        logger.LogInformation("Filing {BlobName} changed or disappeared while it was read; the newer version is checked on its own trigger", blob.Name);
                        return null;
                    }
                    catch
                    {
                        await temp.DisposeAsync().ConfigureAwait(false);
                        throw;
                    }
                },
                context,
                (blob, logger)).ConfigureAwait(false);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }
}
