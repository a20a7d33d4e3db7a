using Compliance.LocalStack;
using Compliance.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Compliance.Benchmarks;

/// <summary>A fresh in-memory Azurite of the benchmark's own and the pipeline's services over it, gone when disposed.</summary>
public sealed class PipelineOnAzurite : IAsyncDisposable
{
    private readonly Azurite azurite;
    private readonly ServiceProvider provider;

    private PipelineOnAzurite(Azurite azurite, ServiceProvider provider) => (this.azurite, this.provider) = (azurite, provider);

    public IServiceProvider Services => provider;

    /// <param name="settings">Settings beside the storage connection (digest recipients, say).</param>
    public static async Task<PipelineOnAzurite> StartAsync(IReadOnlyDictionary<string, string?>? settings, CancellationToken cancellationToken)
    {
        var azurite = await Azurite.StartAsync(new AzuriteOptions { BlobPort = 0, QueuePort = 0, TablePort = 0, ReuseRunning = false }, NullLogger.Instance, cancellationToken);
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { [StorageConnection.Name] = azurite.ConnectionString })
            .AddInMemoryCollection(settings ?? new Dictionary<string, string?>())
            .Build();
        var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddLogging();
        services.AddCompliancePipeline(configuration);
        return new PipelineOnAzurite(azurite, services.BuildServiceProvider());
    }

    public async ValueTask DisposeAsync()
    {
        await provider.DisposeAsync();
        await azurite.DisposeAsync();
    }
}
