using System.Diagnostics;
using System.Globalization;
using System.Text;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Compliance.LocalStack;
using Compliance.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Compliance.Benchmarks;

/// <summary>
/// The most common real violation at its largest: an employer of a million staff paying housing fund at 13%,
/// so every row breaks the 12% ceiling the same way. Uploaded to the local host (blob trigger, reconciler)
/// over Azurite and timed to its verdict; the host's peak resident memory is read from the kernel's
/// high-water mark, reset just before the upload; the entities the run left in the tables are counted.
/// </summary>
public static class SystemicBenchmark
{
    private static readonly string Uscc = "91510100MA6CA1XX2" + Compliance.Core.Filings.Uscc.ComputeCheckCharacter("91510100MA6CA1XX2");

    public static async Task RunAsync(int rows, TextWriter output, CancellationToken cancellationToken)
    {
        var label = rows % 1_000_000 == 0 ? $"systemic-{rows / 1_000_000}m" : $"systemic-{rows}";
        var file = Path.Combine(Path.GetTempPath(), $"systemic-{Guid.NewGuid():N}.csv");
        try
        {
            Write(file, rows);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{label}: wrote {new FileInfo(file).Length / 1024.0 / 1024.0:F0} MB of CSV; starting Azurite and the local host"));
            await using var azurite = await Azurite.StartAsync(new AzuriteOptions { BlobPort = 0, QueuePort = 0, TablePort = 0, ReuseRunning = false }, NullLogger.Instance, cancellationToken);
            var checks = new CheckCounter();
            using var host = LocalHost.CreateBuilder(azurite.ConnectionString, configureServices: s => s.AddLogging(b => b.AddProvider(checks).AddSimpleConsole(o => o.SingleLine = true).AddFilter<Microsoft.Extensions.Logging.Console.ConsoleLoggerProvider>((category, level) => level >= LogLevel.Warning && category?.StartsWith("Compliance", StringComparison.Ordinal) == true)), apiUrl: "http://127.0.0.1:0").Build();
            var blobs = new BlobServiceClient(azurite.ConnectionString);
            var filings = blobs.GetBlobContainerClient("filings");
            await filings.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
            await blobs.GetBlobContainerClient("results").CreateIfNotExistsAsync(cancellationToken: cancellationToken);
            await host.StartAsync(cancellationToken);
            try
            {
                var tables = new TableServiceClient(azurite.ConnectionString);
                var before = await CountEntitiesAsync(tables, cancellationToken);
                ResetPeak();
                var clock = Stopwatch.StartNew();
                var blob = filings.GetBlobClient($"{Uscc}/payroll-2016-08.csv");
                await blob.UploadAsync(file, overwrite: true, cancellationToken);
                var etag = (await blob.GetPropertiesAsync(cancellationToken: cancellationToken)).Value.ETag.ToString();
                var uploaded = clock.Elapsed;
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{label}: uploaded in {uploaded.TotalSeconds:F1} s; waiting for the verdict"));
                var store = host.Services.GetRequiredService<FilingStore>();
                var key = StorageKeys.FilingVersion(StorageKeys.FilingId(blob.Name), StorageKeys.VersionId(etag));
                Storage.Entities.FilingEntity? verdict = null;
                var deadline = TimeSpan.FromSeconds(120 + (rows / 5000.0));
                while ((verdict = await store.GetFilingVersionAsync(Uscc, key, cancellationToken)) is null && clock.Elapsed < deadline)
                {
                    await Task.Delay(100, cancellationToken);
                }

                var elapsed = clock.Elapsed - uploaded;
                var peak = PeakResidentBytes();

                // Let the reconciler take a look or two after the verdict: a second check would show in the count.
                await Task.Delay(TimeSpan.FromSeconds(5), cancellationToken);
                if (verdict is null)
                {
                    throw new TimeoutException($"No verdict {deadline.TotalSeconds:F0} s after the upload.");
                }

                if (verdict.Status != "checked" || verdict.Rows != rows || verdict.ViolationCount != rows || verdict.FindingCount != 1)
                {
                    throw new InvalidOperationException($"Stored {verdict.Status}, {verdict.Rows} rows, {verdict.ViolationCount} violating rows, {verdict.FindingCount} findings; expected checked, {rows}, {rows}, 1 finding.");
                }

                var written = await CountEntitiesAsync(tables, cancellationToken) - before;
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{label}: {rows:N0} payroll rows at 13% housing fund (ceiling 12%) uploaded in {uploaded.TotalSeconds:F1} s; {checks.Checks} check(s) of it"));
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"peak-rss-mb {label}: {(peak is { } p ? (p / 1024.0 / 1024.0).ToString("F0", CultureInfo.InvariantCulture) : "n/a")}"));
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"entities-written {label}: {written}"));
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"seconds upload-to-verdict {label}: {elapsed.TotalSeconds:F1}"));
                if (checks.Checks != 1)
                {
                    throw new InvalidOperationException($"The filing was checked {checks.Checks} times; a long check must not be started twice.");
                }
            }
            catch (Exception ex)
            {
                // Disposing a WebJobs host after a failed run can throw over the reason; say it first.
                await output.WriteLineAsync($"{label} failed: {ex}");
                throw;
            }
            finally
            {
                await host.StopAsync(TimeSpan.FromSeconds(10));
            }
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>The filing, written to disk a row at a time so the benchmark itself holds none of it.</summary>
    private static void Write(string path, int rows)
    {
        using var writer = new StreamWriter(path, append: false, new UTF8Encoding(false), 1 << 16);
        writer.Write("uscc,period,region,employee_id,wage_base,housing_fund_employer_rate,housing_fund_employee_rate\r\n");
        for (var i = 0; i < rows; i++)
        {
            writer.Write(string.Create(CultureInfo.InvariantCulture, $"{Uscc},2016-08,510100,E{i:D7},{8000 + (i % 5000)},13,12\r\n"));
        }
    }

    /// <summary>Entities in every table of the account (a full scan: Azurite, a benchmark's few tables).</summary>
    private static async Task<int> CountEntitiesAsync(TableServiceClient tables, CancellationToken cancellationToken)
    {
        var count = 0;
        await foreach (var table in tables.QueryAsync(cancellationToken: cancellationToken))
        {
            if (table.Name.StartsWith("AzureWebJobs", StringComparison.Ordinal))
            {
                continue; // the WebJobs host's own bookkeeping, not the pipeline's
            }

            await foreach (var page in tables.GetTableClient(table.Name).QueryAsync<TableEntity>(select: ["PartitionKey"], cancellationToken: cancellationToken).AsPages())
            {
                count += page.Values.Count;
            }
        }

        return count;
    }

    /// <summary>Writing 5 to clear_refs resets the kernel's peak-RSS mark (VmHWM) for this process (Linux 4.0+).</summary>
    private static void ResetPeak()
    {
        GC.Collect();
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static long? PeakResidentBytes()
    {
        try
        {
            var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
            return line is null ? null : long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>Counts the host's "Checked filing" log lines: one per check of a version.</summary>
    private sealed class CheckCounter : ILoggerProvider
    {
        private int checks;

        public int Checks => Volatile.Read(ref checks);

        public ILogger CreateLogger(string categoryName) => new Logger(this);

        public void Dispose()
        {
        }

        private sealed class Logger(CheckCounter owner) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (state?.ToString()?.StartsWith("Checked filing", StringComparison.Ordinal) == true)
                {
                    Interlocked.Increment(ref owner.checks);
                }
            }
        }
    }
}
