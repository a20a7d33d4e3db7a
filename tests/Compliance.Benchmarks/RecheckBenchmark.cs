using System.Diagnostics;
using System.Globalization;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Compliance.Core.Filings;
using Compliance.LocalStack;
using Compliance.Pipeline.Rechecks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Compliance.Benchmarks;

/// <summary>
/// A re-check's throughput on the local stack: N small payroll filings checked through the blob trigger by a host
/// with the embedded catalog, then that host replaced by one with the housing fund's cap lowered to 10% and the
/// month re-checked through the queues — from asking to the last filing done, planning included.
/// </summary>
public static class RecheckBenchmark
{
    public static async Task RunAsync(int filings, TextWriter output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(output);
        await using var azurite = await Azurite.StartAsync(new AzuriteOptions { BlobPort = 0, QueuePort = 0, TablePort = 0, InMemory = true, ReuseRunning = false }, NullLogger.Instance, cancellationToken);
        var uploading = Stopwatch.StartNew();
        using (var before = await StartHostAsync(azurite.ConnectionString, catalogPath: null, cancellationToken))
        {
            var container = new BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient("filings");
            await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
            await Parallel.ForEachAsync(Enumerable.Range(0, filings), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (i, ct) =>
                await container.GetBlobClient($"{Compliance.Testing.GeneratedPayroll.SubmitterOf(i)}/recheck-{i:D5}.csv").UploadAsync(new BinaryData(Compliance.Testing.GeneratedPayroll.Csv(i)), overwrite: true, ct));
            var verdicts = new TableServiceClient(azurite.ConnectionString).GetTableClient("Filings");
            while (await CountAsync(verdicts, cancellationToken) < filings)
            {
                await Task.Delay(500, cancellationToken);
            }

            await before.StopAsync(cancellationToken);
        }

        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"recheck: {filings:N0} filings stored through the blob trigger in {uploading.Elapsed.TotalSeconds:F1} s"));

        using var after = await StartHostAsync(azurite.ConnectionString, Compliance.Testing.TestCatalogs.LoweredHousingFund(10), cancellationToken);
        var rechecks = after.Services.GetRequiredService<RecheckService>();
        var clock = Stopwatch.StartNew();
        var started = (RecheckStart.Started)await rechecks.StartAsync("benchmark", Period.Parse("2016-06"), null, cancellationToken);
        RecheckProgress progress;
        while (!(progress = (await rechecks.ProgressAsync(started.Progress.Id, cancellationToken))!).IsFinished)
        {
            await Task.Delay(200, cancellationToken);
        }

        clock.Stop();
        await after.StopAsync(cancellationToken);
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"recheck filings/s {filings}: {progress.Done / clock.Elapsed.TotalSeconds:F1}"));
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"  {progress.Queued:N0} queued, {progress.Checked:N0} checked, {progress.Current:N0} current, {progress.Failed:N0} failed in {clock.Elapsed.TotalSeconds:F1} s (one local host on Azurite: batchSize 16 + 8)"));
    }

    private static async Task<IHost> StartHostAsync(string connectionString, string? catalogPath, CancellationToken cancellationToken)
    {
        var host = LocalHost.CreateBuilder(
            connectionString,
            new Dictionary<string, string?> { ["Compliance:CatalogPath"] = catalogPath },
            services => services.AddLogging(b => b.SetMinimumLevel(LogLevel.Warning)),
            "http://127.0.0.1:0").Build();
        await host.StartAsync(cancellationToken);
        return host;
    }

    private static async Task<int> CountAsync(TableClient table, CancellationToken cancellationToken)
    {
        try
        {
            var count = 0;
            await foreach (var _ in table.QueryAsync<TableEntity>(select: ["RowKey"], cancellationToken: cancellationToken))
            {
                count++;
            }

            return count;
        }
        catch (Azure.RequestFailedException ex) when (ex.Status == 404)
        {
            return 0;
        }
    }
}
