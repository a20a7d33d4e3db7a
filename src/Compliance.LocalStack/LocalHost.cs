using System.Text.Json;
using Compliance.Api;
using Compliance.Pipeline;
using Compliance.Storage;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Azure.WebJobs;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Compliance.LocalStack;

/// <summary>
/// A host on the WebJobs SDK with the blob-trigger extension the Functions host itself loads, running the
/// local twins of the app's functions against the application services of Compliance.Pipeline. Blob
/// settings come from the repository's host.json, as they do in Azure.
/// </summary>
public static class LocalHost
{
    /// <summary>08:00 China Standard Time on the 1st, in UTC; the same default the app's settings carry.</summary>
    public const string DefaultDigestSchedule = "0 0 0 1 * *";

    /// <summary>Where Core Tools serves a Functions app; the local host serves the review API there too.</summary>
    public const string DefaultApiUrl = "http://127.0.0.1:7071";

    /// <summary>The address the review API of a started host listens on.</summary>
    public static Uri ApiAddress(IHost host)
    {
        ArgumentNullException.ThrowIfNull(host);
        var addresses = host.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>().Features
            .Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()?.Addresses;
        return new Uri(addresses?.FirstOrDefault() ?? DefaultApiUrl);
    }

    /// <param name="connectionString">The storage account (Azurite) for filings and for the host's own bookkeeping.</param>
    /// <param name="settings">Extra configuration, e.g. ComplianceStorage:* overrides.</param>
    /// <param name="configureServices">Test hooks (a fake time provider, a logger provider).</param>
    /// <param name="apiUrl">Where the review API listens; port 0 picks a free one (see <see cref="ApiAddress"/>).</param>
    public static IHostBuilder CreateBuilder(string connectionString, IDictionary<string, string?>? settings = null, Action<IServiceCollection>? configureServices = null, string apiUrl = DefaultApiUrl)
    {
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["AzureWebJobsStorage"] = connectionString,
            [StorageConnection.Name] = connectionString,
            ["DigestSchedule"] = DefaultDigestSchedule,
            [$"{PipelineOptions.Section}:{nameof(PipelineOptions.ReconcileGrace)}"] = ReconcilerService.DefaultGrace.ToString(),
            [$"{PipelineOptions.Section}:{nameof(PipelineOptions.ClaimLifetime)}"] = ReconcilerService.DefaultClaimLifetime.ToString(),
        };
        foreach (var (key, value) in HostJsonExtensionSettings())
        {
            values[key] = value;
        }

        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }

        return new HostBuilder()
            .UseEnvironment(Environments.Development)
            .ConfigureAppConfiguration(config => config.AddInMemoryCollection(values).AddEnvironmentVariables())
            .ConfigureLogging(logging => logging.AddFilter("Azure.Core", LogLevel.Error).AddFilter("Polly", LogLevel.Warning))
            .ConfigureWebJobs(webJobs =>
            {
                webJobs.AddAzureStorageCoreServices();
                webJobs.AddAzureStorageBlobs();
                webJobs.AddAzureStorageQueues();
                webJobs.AddTimers();
            })
            .ConfigureWebHost(web => web
                .UseKestrel()
                .UseUrls(apiUrl)
                .ConfigureServices(services => services.AddReviewApi())
                .Configure(app => app.UseReviewApi()))
            .ConfigureServices((context, services) =>
            {
                services.AddCompliancePipeline(context.Configuration);
                services.AddLocalTelemetry(context.Configuration);
                services.AddSingleton<ITypeLocator>(new FunctionTypes(typeof(LocalFilingFunctions), typeof(LocalDigestFunctions), typeof(LocalRecheckFunctions)));
                services.AddHostedService<ReconcilerService>();
                services.AddHostedService<BlobCorsService>();
                services.AddSingleton<HostFaults>();
                services.AddSingleton<Microsoft.Azure.WebJobs.Host.Timers.IWebJobsExceptionHandlerFactory, HostFaultHandler.Factory>();
                configureServices?.Invoke(services);
            });
    }

    /// <summary>
    /// host.json's <c>extensions</c> (blobs, queues), under the configuration path the WebJobs SDK binds
    /// extension options from.
    /// </summary>
    private static IEnumerable<KeyValuePair<string, string?>> HostJsonExtensionSettings()
    {
        var path = Path.Combine(RepositoryLayout.FindRoot(), "host.json");
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        if (!document.RootElement.TryGetProperty("extensions", out var extensions))
        {
            yield break;
        }

        foreach (var extension in extensions.EnumerateObject())
        {
            foreach (var property in extension.Value.EnumerateObject())
            {
                yield return new($"AzureWebJobs:Extensions:{extension.Name}:{property.Name}", property.Value.ToString());
            }
        }
    }

    /// <summary>Names the function classes, so WebJobs does not scan (and fail to load) every type in every assembly.</summary>
    private sealed class FunctionTypes(params Type[] types) : ITypeLocator
    {
        public IReadOnlyList<Type> GetTypes() => types;
    }
}
