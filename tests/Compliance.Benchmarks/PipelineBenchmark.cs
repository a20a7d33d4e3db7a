using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Compliance.Core.Filings;
using Compliance.LocalStack;
using Compliance.Storage;
using Compliance.Storage.Entities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;

namespace Compliance.Benchmarks;

/// <summary>
/// The cloud path on this machine: the local host (blob trigger, reconciler) over an in-memory Azurite. A tax
/// agent uploads many filings at once; each is timed from its upload returning to its result document
/// existing. Then the violation writes alone: entity-group batches as the pipeline sends them, against the
/// same entities written one request at a time.
/// </summary>
public static class PipelineBenchmark
{
    public sealed record Options(int Filings, int RowsPerFiling);

    public static async Task RunAsync(Options options, TextWriter output, CancellationToken cancellationToken)
    {
        await using var azurite = await Azurite.StartAsync(new AzuriteOptions { BlobPort = 0, QueuePort = 0, TablePort = 0, ReuseRunning = false }, NullLogger.Instance, cancellationToken);
        using var host = LocalHost.CreateBuilder(azurite.ConnectionString, apiUrl: "http://127.0.0.1:0").Build();
        var blobs = new BlobServiceClient(azurite.ConnectionString);
        var filings = blobs.GetBlobContainerClient("filings");
        var results = blobs.GetBlobContainerClient("results");
        await filings.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        await results.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        await host.StartAsync(cancellationToken);
        try
        {
            await MeasureUploadsAsync(options, filings, results, host.Services.GetRequiredService<FilingStore>(), output, cancellationToken);
            await MeasureWritesAsync(host.Services.GetRequiredService<FilingStore>(), Math.Max(500, Math.Min(5000, options.Filings * 10)), output, cancellationToken);
        }
        finally
        {
            await host.StopAsync(TimeSpan.FromSeconds(10));
        }
    }

    private static async Task MeasureUploadsAsync(Options options, BlobContainerClient filings, BlobContainerClient results, FilingStore store, TextWriter output, CancellationToken cancellationToken)
    {
        var uploads = Enumerable.Range(0, options.Filings).Select(i =>
        {
            var first17 = string.Create(CultureInfo.InvariantCulture, $"915101007{i:D8}");
            var uscc = first17 + Uscc.ComputeCheckCharacter(first17);
            var payroll = new SyntheticPayroll(options.RowsPerFiling, uscc);
            using var content = new MemoryStream();
            payroll.WriteCsv(content, new UTF8Encoding(false));
            return (Name: $"{uscc}/payroll-2016-06.csv", Content: content.ToArray(), Expected: payroll.ViolatingRows, Uscc: uscc);
        }).ToList();

        var uploaded = new ConcurrentDictionary<string, TimeSpan>();
        var seen = new Dictionary<string, TimeSpan>();
        var clock = Stopwatch.StartNew();
        var uploading = Parallel.ForEachAsync(uploads, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (upload, ct) =>
        {
            await filings.GetBlobClient(upload.Name).UploadAsync(new BinaryData(upload.Content), overwrite: true, ct);
            uploaded[upload.Name] = clock.Elapsed;
        });

        // Result documents are polled every 50 ms: that is the resolution of the latencies below.
        var deadline = TimeSpan.FromSeconds(60 + (options.Filings * options.RowsPerFiling / 2000.0));
        while (seen.Count < uploads.Count && clock.Elapsed < deadline)
        {
            await foreach (var blob in results.GetBlobsAsync(cancellationToken: cancellationToken))
            {
                var name = blob.Name[..^".json".Length];
                if (!seen.ContainsKey(name) && uploaded.ContainsKey(name))
                {
                    seen[name] = clock.Elapsed;
                }
            }

            await Task.Delay(50, cancellationToken);
        }

        await uploading;
        if (seen.Count < uploads.Count)
        {
            throw new TimeoutException($"{uploads.Count - seen.Count} of {uploads.Count} filings had no result document after {deadline.TotalSeconds:F0} s.");
        }

        // Every filing was checked in full: its stored verdict counts the violating rows the generator made.
        foreach (var upload in uploads)
        {
            var stored = await store.FilingsOfEnterpriseAsync(upload.Uscc, cancellationToken);
            var verdict = stored.Single();
            if (verdict.Status != "checked" || verdict.Rows != options.RowsPerFiling || verdict.ViolationCount < upload.Expected)
            {
                throw new InvalidOperationException($"{upload.Name}: stored {verdict.Status}, {verdict.Rows} rows, {verdict.ViolationCount} violations; expected checked, {options.RowsPerFiling} rows, at least {upload.Expected} violations.");
            }
        }

        var latencies = uploads.Select(u => (seen[u.Name] - uploaded[u.Name]).TotalMilliseconds).Order().ToList();
        var elapsed = seen.Values.Max();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"pipeline: {uploads.Count} filings of {options.RowsPerFiling:N0} rows uploaded 8 at a time; all results in {elapsed.TotalSeconds:F1} s"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"filings/s pipeline: {uploads.Count / elapsed.TotalSeconds:F1}"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"latency-ms p50: {Percentile(latencies, 0.50):F0}"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"latency-ms p95: {Percentile(latencies, 0.95):F0}"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"latency-ms max: {latencies[^1]:F0}"));
    }

    /// <summary>
    /// The violation writes of one filing as the pipeline does them: the filing's stored findings read, then
    /// <see cref="FilingStore.SaveFindingsAsync"/> (both tables, in transactions of 100) against the same two writes per violation sent one request each.
    /// </summary>
    private static async Task MeasureWritesAsync(FilingStore store, int count, TextWriter output, CancellationToken cancellationToken)
    {
        await store.EnsureTablesAsync(cancellationToken);
        List<ViolationEntity> Entities(string uscc, string filingId) => [.. Enumerable.Range(0, count).Select(i => new ViolationEntity
        {
            PartitionKey = uscc,
            RowKey = StorageKeys.Finding(filingId, string.Create(CultureInfo.InvariantCulture, $"{i:x16}")),
            Rule = "HF-RATE-CAP",
            Severity = "high",
            Uscc = uscc,
            Period = "2016-07",
            Region = "510100",
            Row = i + 2,
            EmployeeId = string.Create(CultureInfo.InvariantCulture, $"E{i:D7}"),
            Field = "housing_fund_employer_rate",
            Observed = 13,
            Limit = "<= 12",
            Citation = "国发〔2016〕48号 (二十)",
            Message = "housing_fund_employer_rate is 13%, above the 12% ceiling.",
            FilingName = $"{uscc}/payroll.csv",
            FilingId = filingId,
        })];

        var single = Entities("91510100MA6CA1XX2B", "single");
        var clock = Stopwatch.StartNew();
        foreach (var entity in single)
        {
            await store.Violations.UpsertEntityAsync(entity, TableUpdateMode.Replace, cancellationToken);
            await store.ViolationsByPeriod.UpsertEntityAsync(entity.CopyAs(StorageKeys.ByPeriod(entity)), TableUpdateMode.Replace, cancellationToken);
        }

        var singleRate = count / clock.Elapsed.TotalSeconds;
        var batched = Entities("91510100MA6CA1XX3C", "batched");
        clock.Restart();
        var stored = await store.FindingsOfFilingAsync("91510100MA6CA1XX3C", "batched", cancellationToken);
        await store.SaveFindingsAsync("91510100MA6CA1XX3C", "batched", batched, [], stored, cancellationToken);
        var batchedRate = count / clock.Elapsed.TotalSeconds;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"violations/s single-writes: {singleRate:F0} ({count:N0} violations, 2 upserts each, one request per upsert)"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"violations/s batched: {batchedRate:F0} (the pipeline's own write: both tables, transactions of {FilingStore.MaxBatchSize})"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ratio batched/single-writes: {batchedRate / singleRate:F2}"));
    }

    private static double Percentile(List<double> sorted, double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
}
