using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Metadata;

namespace Compliance.Api;

/// <summary>
/// Applies an endpoint's <see cref="IRequestSizeLimitMetadata"/> in any host: a declared length over the limit is
/// a 413 at once, and a body without one is cut off while it is read (the model binder then answers 413). Kestrel
/// would apply the limit itself; the Functions host's request may not offer a writable size feature, so the API
/// does not rely on it.
/// </summary>
public sealed class RequestBodyLimit(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.GetEndpoint()?.Metadata.GetMetadata<IRequestSizeLimitMetadata>()?.MaxRequestBodySize is not { } limit)
        {
            await next(context);
            return;
        }

        if (context.Request.ContentLength > limit)
        {
            context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
            return;
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
        {
            feature.MaxRequestBodySize = limit;
        }

        var original = context.Request.Body;
        await using var bounded = new BoundedStream(original, limit);
        context.Request.Body = bounded;
        try
        {
            await next(context);
        }
        finally
        {
            context.Request.Body = original;
        }
    }

    /// <summary>Reads through to the body and refuses to go past the limit.</summary>
    private sealed class BoundedStream(Stream inner, long limit) : Stream
    {
        private long read;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => read; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Count(await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        // The body is the request's own; disposing this view leaves it open.
        protected override void Dispose(bool disposing)
        {
        }

        private int Count(int n)
        {
            read += n;
            return read > limit
                ? throw new BadHttpRequestException($"Request bodies are at most {limit} bytes.", StatusCodes.Status413PayloadTooLarge)
                : n;
        }
    }
}
