using System.Security.Cryptography;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Registry;
using Compliance.Core.Texts;

namespace Compliance.Storage;

/// <summary>
/// A filing version fetched for checking: a local, seekable copy and what identifies the version — or, for a
/// blob refused on its properties alone, why it was refused (<see cref="Refusal"/>) and no content at all.
/// </summary>
public sealed class FilingDownload(Stream content, string etag, string sha256, long length, DateTimeOffset uploadedAt, UserMessage? refusal = null) : IDisposable
{
    /// <summary>The content, positioned at 0. Owned by this object. Empty when <see cref="Refusal"/> is set.</summary>
    public Stream Content { get; } = content;

    /// <summary>Why the blob was not read (a copy, not a block blob, over the size limit); null for a downloaded version.</summary>
    public UserMessage? Refusal { get; } = refusal;

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
/// <para>
/// Before a byte is read, the blob's properties must show an upload: a block blob, not made by a copy, no
/// longer than the limit. An upload URL lets a client do more than upload — a write SAS also accepts a copy
/// from another blob's URL (its content then belongs to someone else) and a page blob that declares terabytes
/// without sending them — so those are refused on their properties and never downloaded.
/// </para>
/// </summary>
public sealed class FilingBlobs(BlobServiceClient blobs, IOptions<ComplianceStorageOptions> options, ResiliencePipelineProvider<string> pipelines, ILogger<FilingBlobs> logger)
{
    private readonly ResiliencePipeline pipeline = pipelines.GetPipeline(StorageResilience.PipelineKey);

    public BlobContainerClient Container => blobs.GetBlobContainerClient(options.Value.FilingsContainer);

    /// <summary>
    /// Downloads the current version of <paramref name="blobPath"/>, or returns null when the blob is gone or
    /// was replaced while being read (the newer version brings its own trigger). A blob refused on its
    /// properties (see the class remarks) comes back with <see cref="FilingDownload.Refusal"/> set, unread.
    /// </summary>
    public async Task<FilingDownload?> DownloadAsync(string blobPath, long maxBytes, CancellationToken cancellationToken)
    {
        var blob = Container.GetBlobClient(blobPath);
        var context = ResilienceContextPool.Shared.Get("filings.download", cancellationToken);
        try
        {
            return await pipeline.ExecuteAsync(
                static async (ctx, state) =>
                {
                    var (blob, logger, maxBytes) = state;
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

                    var etag = StorageKeys.NormalizeETag(properties.ETag.ToString());
                    if (Refusal(properties, maxBytes) is { } refusal)
                    {
                        logger.LogWarning("Filing {BlobName} refused unread: {Reason}", blob.Name, refusal);
                        return new FilingDownload(Stream.Null, etag, string.Empty, properties.ContentLength, properties.LastModified, refusal);
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
                                // The version is pinned, so this holds unless the service sends more than it declared.
                                var length = temp.Length + read;
                                if (length > maxBytes)
                                {
                                    await temp.DisposeAsync().ConfigureAwait(false);
                                    return new FilingDownload(Stream.Null, etag, string.Empty, length, properties.LastModified, TooLarge(length, maxBytes));
                                }

                                hash.AppendData(buffer, 0, read);
                                await temp.WriteAsync(buffer.AsMemory(0, read), ctx.CancellationToken).ConfigureAwait(false);
                            }
                        }

                        temp.Position = 0;
                        return new FilingDownload(temp, etag, Convert.ToHexStringLower(hash.GetHashAndReset()), temp.Length, properties.LastModified);
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
                (blob, logger, maxBytes)).ConfigureAwait(false);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    /// <summary>Why a blob must not be read, judged from its properties alone; null when it is an upload within the limit.</summary>
    private static UserMessage? Refusal(BlobProperties properties, long maxBytes)
    {
        // A copy's content comes from a blob the uploader may not be allowed to read; its source is not named
        // here, since it may be another enterprise's path.
        if (!string.IsNullOrEmpty(properties.CopyId) || properties.CopySource is not null)
        {
            return UserMessage.Of(MessageCode.BlobCopied);
        }

        if (properties.BlobType != BlobType.Block)
        {
            return UserMessage.Of(properties.BlobType == BlobType.Append ? MessageCode.BlobAppend : MessageCode.BlobPage);
        }

        return properties.ContentLength > maxBytes ? TooLarge(properties.ContentLength, maxBytes) : null;
    }

    private static UserMessage TooLarge(long bytes, long maxBytes) =>
        Core.Reading.FilingOpener.TooLargeMessage(bytes, Core.Reading.ReaderLimits.Default with { MaxFileBytes = maxBytes });
}
