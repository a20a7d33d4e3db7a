using Azure.Core;
using Compliance.Storage;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the storage layer: Azure clients, options, the resilience pipeline and the stores.</summary>
public static class StorageServiceCollectionExtensions
{
    public static IServiceCollection AddComplianceStorage(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ComplianceStorageOptions>()
            .BindConfiguration(ComplianceStorageOptions.Section)
            .ValidateDataAnnotations()
            .Validate(_ => HasConnection(configuration), $"The '{StorageConnection.Name}' setting (a connection string, or a section with blobServiceUri and tableServiceUri) is required.")
            .ValidateOnStart();

        services.AddAzureClients(clients =>
        {
            // Our clients only, not defaults for the factory: the WebJobs blob extension builds its own
            // clients through the same factory, and neither our retry budget nor chaos is meant for them.
            var connection = configuration.GetSection(StorageConnection.Name);
            clients.AddBlobServiceClient(connection).ConfigureOptions(ConfigureClient);
            clients.AddTableServiceClient(connection).ConfigureOptions(ConfigureClient);

            // Base64, as the queue trigger (Functions host and WebJobs SDK alike) expects by default.
            clients.AddQueueServiceClient(connection).ConfigureOptions((options, provider) =>
            {
                ConfigureClient(options, provider);
                options.MessageEncoding = global::Azure.Storage.Queues.QueueMessageEncoding.Base64;
            });
        });

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<StorageResilienceMonitor>();
        services.AddResiliencePipeline(StorageResilience.PipelineKey, (builder, context) =>
            StorageResilience.Configure(
                builder,
                context.ServiceProvider.GetRequiredService<IOptions<ComplianceStorageOptions>>().Value,
                context.ServiceProvider.GetRequiredService<StorageResilienceMonitor>(),
                context.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(StorageResilience))));

        services.TryAddSingleton<FilingBlobs>();
        services.TryAddSingleton<ResultStore>();
        services.TryAddSingleton<FilingStore>();
        services.TryAddSingleton<DigestStore>();
        services.TryAddSingleton<ReviewStore>();
        services.TryAddSingleton<FilingClaims>();
        services.TryAddSingleton<FindingCounts>();
        services.TryAddSingleton<RecheckStore>();
        return services;
    }

    private static void ConfigureClient(ClientOptions options, IServiceProvider provider)
    {
        var storage = provider.GetRequiredService<IOptions<ComplianceStorageOptions>>().Value;
        options.Retry.MaxRetries = storage.SdkMaxRetries;
        options.Retry.Mode = RetryMode.Exponential;
        options.Retry.Delay = TimeSpan.FromMilliseconds(200);
        options.Retry.MaxDelay = TimeSpan.FromSeconds(5);
        options.Retry.NetworkTimeout = TimeSpan.FromSeconds(30);
        if (storage.ChaosHttpFaultRate > 0)
        {
            options.Transport = new ChaosTransport(options.Transport, storage.ChaosHttpFaultRate, provider.GetRequiredService<StorageResilienceMonitor>());
        }
    }

    private static bool HasConnection(IConfiguration configuration)
    {
        var section = configuration.GetSection(StorageConnection.Name);
        return !string.IsNullOrWhiteSpace(section.Value) || section.GetChildren().Any();
    }
}
