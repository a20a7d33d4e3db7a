using Compliance.LocalStack;
using Microsoft.Extensions.Logging.Abstractions;

namespace Compliance.Pipeline.Tests;

/// <summary>One real Azurite for the test assembly, on free loopback ports, in memory; stopped at the end.</summary>
[TestClass]
public static class AzuriteFixture
{
    private static Azurite? azurite;

    public static string ConnectionString => (azurite ?? throw new InvalidOperationException("Azurite is not running.")).ConnectionString;

    [AssemblyInitialize]
    public static async Task StartAsync(TestContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        azurite = await Azurite.StartAsync(
            new AzuriteOptions { BlobPort = 0, QueuePort = 0, TablePort = 0, ReuseRunning = false, StartTimeout = TimeSpan.FromMinutes(3) },
            NullLogger.Instance,
            context.CancellationToken);
    }

    [AssemblyCleanup]
    public static async Task StopAsync()
    {
        if (azurite is not null)
        {
            await azurite.DisposeAsync();
        }
    }
}
