using System.Text;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Compliance.Storage;
using Compliance.Storage.Entities;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Compliance.Pipeline.Tests;

/// <summary>
/// The pipeline's real services, wired by the same extension methods the apps use, against Azurite — with
/// tables and containers of its own so tests cannot see each other's data, and a fake clock.
/// </summary>
internal sealed class PipelineHarness : IAsyncDisposable
{
    public const string Uscc = "91510100A4C12H3B1Y";
    public const string OtherUscc = "91510600G612DD2721";

    private readonly ServiceProvider provider;

    public PipelineHarness(IDictionary<string, string?>? settings = null, Action<IServiceCollection>? configure = null, DateTimeOffset? now = null)
    {
        Time = new FakeTimeProvider(now ?? new DateTimeOffset(2016, 7, 15, 9, 30, 0, TimeSpan.FromHours(8)));
        var suffix = Guid.NewGuid().ToString("N")[..10];
        var values = new Dictionary<string, string?>
        {
            [StorageConnection.Name] = AzuriteFixture.ConnectionString,
            ["ComplianceStorage:FilingsContainer"] = $"filings-{suffix}",
            ["ComplianceStorage:ResultsContainer"] = $"results-{suffix}",
            ["ComplianceStorage:FilingsTable"] = $"Filings{suffix}",
            ["ComplianceStorage:ViolationsTable"] = $"Violations{suffix}",
            ["ComplianceStorage:ViolationsByPeriodTable"] = $"ByPeriod{suffix}",
            ["ComplianceStorage:DigestsTable"] = $"Digests{suffix}",
            ["ComplianceStorage:FilingsByPeriodTable"] = $"FilingsByPeriod{suffix}",
            ["ComplianceStorage:RecipientsTable"] = $"Recipients{suffix}",
            ["ComplianceStorage:ReviewAuditTable"] = $"ReviewAudit{suffix}",
            ["ComplianceStorage:DigestsContainer"] = $"digests-{suffix}",
            ["ComplianceStorage:ClaimsTable"] = $"Claims{suffix}",
            ["ComplianceStorage:CountsTable"] = $"Counts{suffix}",
            ["ComplianceStorage:ViolationRowsArchiveTable"] = $"RowsArchive{suffix}",
            ["ComplianceStorage:RechecksTable"] = $"Rechecks{suffix}",
            // Zero backoff: Polly takes its delays from the injected (fake) clock, which only moves when a test moves it.
            ["ComplianceStorage:RetryDelay"] = "00:00:00",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging(b => b.AddProvider(Logs).SetMinimumLevel(LogLevel.Debug));
        services.AddSingleton<TimeProvider>(Time);
        services.AddCompliancePipeline(configuration);
        configure?.Invoke(services);
        provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        Blobs = new BlobServiceClient(AzuriteFixture.ConnectionString);
        Filings = Blobs.GetBlobContainerClient(values["ComplianceStorage:FilingsContainer"]);
        Results = Blobs.GetBlobContainerClient(values["ComplianceStorage:ResultsContainer"]);
    }

    public FakeTimeProvider Time { get; }

    public CapturingLoggerProvider Logs { get; } = new();

    public BlobServiceClient Blobs { get; }

    public BlobContainerClient Filings { get; }

    public BlobContainerClient Results { get; }

    public FilingProcessor Processor => provider.GetRequiredService<FilingProcessor>();

    public FilingStore Store => provider.GetRequiredService<FilingStore>();

    public StorageResilienceMonitor Monitor => provider.GetRequiredService<StorageResilienceMonitor>();

    public T Get<T>()
        where T : notnull => provider.GetRequiredService<T>();

    public async Task<string> UploadAsync(string uscc, string name, byte[] content)
    {
        await Filings.CreateIfNotExistsAsync();
        var response = await Filings.GetBlobClient($"{uscc}/{name}").UploadAsync(new BinaryData(content), overwrite: true);
        return response.Value.ETag.ToString();
    }

    public Task<string> UploadAsync(string uscc, string name, string content) => UploadAsync(uscc, name, Encoding.UTF8.GetBytes(content));

    /// <summary>
    /// June 2016 as several tests read it, uploaded and checked: Deyang's sample (3 findings in Deyang) and a Chengdu
    /// filing with one finding in Chengdu and one in Guiyang (Guizhou).
    /// </summary>
    public async Task SeedJuneAsync()
    {
        await UploadSampleAsync("91510600G612DD2721", "payroll-2016-06-jingyang-gbk.csv");
        await Processor.ProcessAsync("91510600G612DD2721", "payroll-2016-06-jingyang-gbk.csv", CancellationToken.None);
        await UploadAsync("91510100A4C12H3B1Y", "june.csv", Compliance.Testing.TestRows.PayrollHeader
            + "91510100A4C12H3B1Y,2016-06,510100,E1,8000,13,19\r\n"
            + "91510100A4C12H3B1Y,2016-06,520100,E2,8000,12,22\r\n");
        await Processor.ProcessAsync("91510100A4C12H3B1Y", "june.csv", CancellationToken.None);
    }

    public Task<string> UploadSampleAsync(string uscc, string sample) =>
        UploadAsync(uscc, sample, File.ReadAllBytes(Path.Combine(Samples.Folder, sample)));

    public async Task<FilingEntity?> FilingVersionAsync(string uscc, string name, string etag) =>
        await Store.GetFilingVersionAsync(uscc, StorageKeys.FilingVersion(StorageKeys.FilingId($"{uscc}/{name}"), StorageKeys.VersionId(etag)), CancellationToken.None);

    public Task<List<ViolationEntity>> ViolationsAsync(string uscc, string name) =>
        Store.FindingsOfFilingAsync(uscc, StorageKeys.FilingId($"{uscc}/{name}"), CancellationToken.None);

    /// <summary>Every entity of a table, to prove nothing else was written.</summary>
    public static async Task<List<TableEntity>> AllAsync(TableClient table)
    {
        var list = new List<TableEntity>();
        await foreach (var entity in table.QueryAsync<TableEntity>())
        {
            list.Add(entity);
        }

        return list;
    }

    public async ValueTask DisposeAsync() => await provider.DisposeAsync();
}

/// <summary>The sample filings and what they were written to contain.</summary>
internal static class Samples
{
    public static string Root => Compliance.Testing.Repository.Root;

    public static string Folder => Path.Combine(Root, "seeds", "samples");

    /// <summary>"RULE@row:field" per expected violation of a sample, from seeds/expected-findings.json.</summary>
    public static string[] Expected(string sample)
    {
        using var document = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(Root, "seeds", "expected-findings.json")));
        return [.. document.RootElement.GetProperty("files").GetProperty(sample).GetProperty("violations").EnumerateArray().Select(v => v.GetString()!)];
    }

    /// <summary>
    /// The stored findings as the per-row list the samples' expectations name (<c>rule@row:field</c>), each
    /// finding's rows taken from its first rows — which list them all for the small findings of a sample.
    /// </summary>
    public static string[] Findings(IEnumerable<ViolationEntity> violations) =>
        [.. violations.SelectMany(RowsOf).OrderBy(r => r.Row).ThenBy(r => r.Key, StringComparer.Ordinal).Select(r => r.Text)];

    private static IEnumerable<(int Row, string Key, string Text)> RowsOf(ViolationEntity finding)
    {
        var rows = finding.FirstRows.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(r => int.Parse(r, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.HasCount(finding.RowCount, rows, $"{finding.Rule} on {finding.RowCount} rows lists only its first {rows.Count}: too large a finding for a per-row comparison");
        return rows.Select(row => (row, finding.RowKey, $"{finding.Rule}@{row}:{finding.Field}"));
    }
}

/// <summary>Keeps log messages so tests can count what the pipeline reported.</summary>
/// <param name="everything">Keep Polly's per-call telemetry too (the security probes read every line).</param>
internal sealed class CapturingLoggerProvider(bool everything = false) : ILoggerProvider
{
    private readonly List<string> messages = [];
    private readonly bool everything = everything;

    public IReadOnlyList<string> Messages
    {
        get
        {
            lock (messages)
            {
                return [.. messages];
            }
        }
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(CapturingLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        // Polly's per-call telemetry would drown what the tests look for.
        public bool IsEnabled(LogLevel logLevel) => owner.everything || !category.StartsWith("Polly", StringComparison.Ordinal) || logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (owner.messages)
            {
                if (IsEnabled(logLevel))
                {
                    owner.messages.Add($"{formatter(state, exception)} [{category}]{(exception is null ? string.Empty : " " + exception.GetType().Name + ": " + exception.Message)}");
                }
            }
        }
    }
}
