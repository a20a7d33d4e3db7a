using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Compliance.LocalStack;
using Compliance.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Compliance.Pipeline.Tests;

/// <summary>
/// The real blob trigger: the WebJobs SDK host with the Functions host's blob extension, on Azurite. One
/// host for the class (as in production, one host sees every upload); each test uses its own folders.
/// </summary>
[TestClass]
public sealed class LocalHostTests
{
    private static IHost? host;
    private static BlobContainerClient? filings;
    private static readonly CapturingLoggerProvider Logs = new();

    private static FilingStore Store => host!.Services.GetRequiredService<FilingStore>();

    [ClassInitialize]
    public static async Task StartHostAsync(TestContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        host = LocalHost.CreateBuilder(AzuriteFixture.ConnectionString, configureServices: s => s.AddLogging(b => b.AddProvider(Logs).SetMinimumLevel(LogLevel.Debug)), apiUrl: "http://127.0.0.1:0").Build();
        filings = new BlobServiceClient(AzuriteFixture.ConnectionString).GetBlobContainerClient("filings");
        await filings.CreateIfNotExistsAsync(cancellationToken: context.CancellationToken);
        await host.StartAsync(context.CancellationToken);
    }

    [ClassCleanup]
    public static async Task StopHostAsync()
    {
        if (host is not null)
        {
            await host.StopAsync();
            host.Dispose();
        }
    }

    [TestMethod]
    [DataRow("91510600G612DD2721", "payroll-2016-06-jingyang-gbk.csv")]
    [DataRow("91510100MA6CUB2L8Y", "payroll-2016-07-tianfu.xlsx")]
    [DataRow("91510104MA61W8K3XE", "fees-2016-q-jinjiang.json")]
    public async Task UploadedSample_IsCheckedByTheTrigger(string uscc, string sample)
    {
        var name = $"{Guid.NewGuid():N}-{sample}";
        var etag = await UploadAsync(uscc, name, await File.ReadAllBytesAsync(Path.Combine(Samples.Folder, sample)));

        var filing = await WaitForVersionAsync(uscc, name, etag);

        Assert.AreEqual("checked", filing.Status);
        var violations = await Store.ViolationsOfFilingAsync(uscc, filing.FilingId, CancellationToken.None);
        CollectionAssert.AreEqual(Samples.Expected(sample), Samples.Findings(violations));
    }

    [TestMethod]
    public async Task MalformedBlob_IsRejectedOnceAndTheHostKeepsGoing()
    {
        var bad = $"{Guid.NewGuid():N}-broken.csv";
        var badEtag = await UploadAsync(PipelineHarness.Uscc, bad, "uscc,period,region,employee_id,wage_base\r\n91510100A4C12H3B1Y,2016-13,510100,E1,abc\r\n"u8.ToArray());
        var rejected = await WaitForVersionAsync(PipelineHarness.Uscc, bad, badEtag);

        var good = $"{Guid.NewGuid():N}-payroll.csv";
        var goodEtag = await UploadAsync(PipelineHarness.Uscc, good, await File.ReadAllBytesAsync(Path.Combine(Samples.Folder, "payroll-2016-06-acme.csv")));
        var next = await WaitForVersionAsync(PipelineHarness.Uscc, good, goodEtag);

        Assert.AreEqual("rejected", rejected.Status);
        StringAssert.Contains(rejected.Error, "Row 2, column period");
        Assert.AreEqual("checked", next.Status);
        Assert.HasCount(1, Logs.Messages.Where(m => m.StartsWith("Rejected filing", StringComparison.Ordinal) && m.Contains(bad, StringComparison.Ordinal)).ToList(), "processed once, not retried");
        var poison = new QueueServiceClient(AzuriteFixture.ConnectionString).GetQueueClient("webjobs-blobtrigger-poison");
        if (await poison.ExistsAsync())
        {
            Assert.AreEqual(0, (await poison.GetPropertiesAsync()).Value.ApproximateMessagesCount, "nothing in the poison queue");
        }
    }

    [TestMethod]
    public void LocalHost_TakesItsTriggerSettingsFromHostJson()
    {
        var options = string.Join(Environment.NewLine, Logs.Messages.Where(m => m.StartsWith("BlobsOptions", StringComparison.Ordinal)));

        StringAssert.Contains(options, "\"PoisonBlobThreshold\": 3");
        StringAssert.Contains(options, "\"MaxDegreeOfParallelism\": 4");
    }

    private static async Task<string> UploadAsync(string uscc, string name, byte[] content)
    {
        var response = await filings!.GetBlobClient($"{uscc}/{name}").UploadAsync(new BinaryData(content));
        return response.Value.ETag.ToString();
    }

    /// <summary>Polls for the version's Filings entity, which the trigger writes last.</summary>
    private static async Task<Compliance.Storage.Entities.FilingEntity> WaitForVersionAsync(string uscc, string name, string etag)
    {
        var key = StorageKeys.FilingVersion(StorageKeys.FilingId($"{uscc}/{name}"), StorageKeys.VersionId(etag));
        for (var i = 0; i < 600; i++)
        {
            if (await Store.GetFilingVersionAsync(uscc, key, CancellationToken.None) is { } filing)
            {
                return filing;
            }

            await Task.Delay(100);
        }

        var log = string.Join(Environment.NewLine, Logs.Messages.TakeLast(60));
        throw new AssertFailedException($"The trigger did not process {uscc}/{name} within a minute. Host log:{Environment.NewLine}{log}");
    }
}
