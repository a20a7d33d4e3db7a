using System.Diagnostics;
using System.Globalization;
using System.Text;
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
    private static readonly string[] Submitters = ["91510100A4C12H3B1Y", "91510600G612DD2721", "91510100MA6CUB2L8Y", "91510104MA61W8K3XE"];

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
                await container.GetBlobClient($"{Submitters[i % Submitters.Length]}/recheck-{i:D5}.csv").UploadAsync(new BinaryData(Payroll(i)), overwrite: true, ct));
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

    /// <summary>A payroll filing of June and July, 4–9 rows, the first i % 5 at 15% housing fund.</summary>
    private static byte[] Payroll(int i)
    {
        var uscc = Submitters[i % Submitters.Length];
        var csv = new StringBuilder("uscc,period,region,employee_id,wage_base,pension_employer_rate,unemployment_employer_rate,unemployment_employee_rate,housing_fund_employer_rate,housing_fund_employee_rate\r\n");
        for (var r = 0; r < 4 + (i % 6); r++)
        {
            csv.Append(CultureInfo.InvariantCulture, $"{uscc},{(r % 2 == 0 ? "2016-06" : "2016-07")},510100,E{r:D4},8000,19,1,0.5,{(r < i % 5 ? "15" : "12")},12\r\n");
        }

        return Encoding.UTF8.GetBytes(csv.ToString());
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
