using Azure.Storage.Blobs.Specialized;
using Azure.Storage.Blobs.Models;
using Compliance.Storage;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Compliance.LocalStack;

/// <summary>
/// Lets the portal, and only the portal, send files straight to local Blob storage: once Kestrel has its
/// address, Azurite's blob service gets one CORS rule for that origin, with the methods an upload needs (PUT
/// for the blob or its blocks, OPTIONS for the preflight) and the response's ETag exposed (the page finds its
/// verdict by it). In Azure the same rule is in <c>infra/modules/storage.bicep</c>.
/// </summary>
public sealed class BlobCorsService(FilingBlobs blobs, IServer server, IHostApplicationLifetime lifetime, ILogger<BlobCorsService> logger) : IHostedService
{
    /// <summary>The rule for one origin: what a browser upload through a write-only SAS needs, no more.</summary>
    public static BlobCorsRule RuleFor(string origin) => new()
    {
        AllowedOrigins = origin,
        AllowedMethods = "PUT,OPTIONS",
        AllowedHeaders = "content-type,x-ms-blob-type,x-ms-version,x-ms-client-request-id",
        ExposedHeaders = "etag",
        MaxAgeInSeconds = 3600,
    };

    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStarted.Register(() => _ = ApplyAsync());
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task ApplyAsync()
    {
        try
        {
            var address = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
            if (address is null)
            {
                return;
            }

            var origin = new Uri(address).GetLeftPart(UriPartial.Authority);
            var service = blobs.Container.GetParentBlobServiceClient();
            var properties = (await service.GetPropertiesAsync().ConfigureAwait(false)).Value;
            properties.Cors = [RuleFor(origin)];
            await service.SetPropertiesAsync(properties).ConfigureAwait(false);
            logger.LogInformation("Blob storage accepts uploads from the portal at {Origin}", origin);
        }
        catch (Exception ex) when (ex is Azure.RequestFailedException or InvalidOperationException or UriFormatException)
        {
            logger.LogWarning(ex, "Could not set CORS on Blob storage; the portal cannot upload until it is set");
        }
    }
}
