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
        // The reconciler steps in after 1 s (5 s by default): it races the trigger on every upload of the class,
        // and a check longer than that is the normal case, not a rare one.
        host = LocalHost.CreateBuilder(
            AzuriteFixture.ConnectionString,
            new Dictionary<string, string?> { ["Compliance:ReconcileGrace"] = "00:00:01" },
            configureServices: s => s.AddLogging(b => b.AddProvider(Logs).SetMinimumLevel(LogLevel.Debug)),
            apiUrl: "http://127.0.0.1:0").Build();
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
    [DataRow("91510000MA6CXY2K1U", "accountability-2017-sichuan-soe.csv")]
    [DataRow("11510000MB0T4N7Q2E", "safety-assessment-2016.json")]
    public async Task UploadedSample_IsCheckedByTheTrigger(string uscc, string sample)
    {
        var name = $"{Guid.NewGuid():N}-{sample}";
        var etag = await UploadAsync(uscc, name, await File.ReadAllBytesAsync(Path.Combine(Samples.Folder, sample)));

        var filing = await WaitForVersionAsync(uscc, name, etag);

        Assert.AreEqual("checked", filing.Status);
        var violations = await Store.FindingsOfFilingAsync(uscc, filing.FilingId, CancellationToken.None);
        CollectionAssert.AreEqual(Samples.Expected(sample), Samples.Findings(violations));
    }

    /// <summary>
    /// A large filing that the trigger and the reconciler (after its grace, 1 s here) both come for is checked
    /// once: whichever came second found it claimed ("being checked") or done ("already checked"). Whether the
    /// two overlap depends on the trigger's latency (a missed trigger leaves it to the reconciler alone) and on
    /// how fast the check is, so this test does not require the overlap — it failed when a faster check ended
    /// before the reconciler's next round. That a claimed version is left to its holder is held exactly, on a
    /// fake clock, by <see cref="FindingPipelineTests.AClaimedVersion_IsLeftToItsHolderUntilTheClaimLapses"/>.
    /// </summary>
    [TestMethod]
    public async Task AFilingTheTriggerAndTheReconcilerBothComeFor_IsCheckedOnce()
    {
        var name = $"{Guid.NewGuid():N}-payroll-2016-08.csv";
        var etag = await UploadAsync(PipelineHarness.Uscc, name, System.Text.Encoding.UTF8.GetBytes(FindingPipelineTests.Payroll(200_000, _ => "13")));

        var filing = await WaitForVersionAsync(PipelineHarness.Uscc, name, etag);
        await Task.Delay(TimeSpan.FromSeconds(5)); // two more reconciler rounds and any late trigger

        var mine = Logs.Messages.Where(m => m.Contains(name, StringComparison.Ordinal)).ToList();
        Assert.AreEqual((200_000, 1), (filing.ViolationCount, filing.FindingCount));
        Assert.HasCount(1, mine.Where(m => m.StartsWith("Checked filing", StringComparison.Ordinal)).ToList(), string.Join(Environment.NewLine, mine));
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

    /// <summary>
    /// Every file of the bad-input corpus, uploaded over a good version of the same filing: each ends as the
    /// offline check says (rejected with the same message, or checked with the same findings), a rejection
    /// keeps the good version's findings whole, and the host goes on to check the next upload.
    /// </summary>
    [TestMethod]
    public async Task BadInputCorpus_EndsAsOfflineAndNeverLosesTheFindingsBefore()
    {
        var corpus = new Compliance.Core.Tests.Reading.BadInputCorpus(Samples.Root);
        string Good(string file) => Path.GetExtension(file) switch
        {
            ".xlsx" => "xlsx-html-in-text-cells.xlsx",
            ".json" => "json-keys-in-any-order.json",
            ".csv" => "utf8-bom.csv",
            _ => string.Empty, // no good version of a file type nobody accepts
        };
        var runs = corpus.Entries.Select(e => (Entry: e, Name: $"{Guid.NewGuid():N}-{e.File}", Good: Good(e.File))).ToList();
        const string uscc = PipelineHarness.Uscc;

        var before = new Dictionary<string, string[]>();
        foreach (var batch in runs.Where(r => r.Good.Length > 0).Chunk(8))
        {
            var uploaded = await Task.WhenAll(batch.Select(async r => (r, ETag: await UploadAsync(uscc, r.Name, await File.ReadAllBytesAsync(Path.Combine(corpus.Folder, r.Good))))));
            foreach (var (r, etag) in uploaded)
            {
                var good = await WaitForVersionAsync(uscc, r.Name, etag);
                Assert.AreEqual("checked", good.Status, good.Error);
                before[r.Name] = Snapshot(await Store.FindingsOfFilingAsync(uscc, good.FilingId, CancellationToken.None));
                CollectionAssert.AreEqual(corpus.Entries.Single(e => e.File == r.Good).Violations, await RowsOfResultAsync(uscc, r.Name));
            }
        }

        foreach (var batch in runs.Chunk(8))
        {
            var uploaded = await Task.WhenAll(batch.Select(async r => (r, ETag: await UploadAsync(uscc, r.Name, await File.ReadAllBytesAsync(Path.Combine(corpus.Folder, r.Entry.File)), overwrite: true))));
            foreach (var (r, etag) in uploaded)
            {
                var verdict = await WaitForVersionAsync(uscc, r.Name, etag);
                // The good version's findings that this one no longer has stay stored, resolved by it.
                var current = (await Store.FindingsOfFilingAsync(uscc, verdict.FilingId, CancellationToken.None)).Where(v => !v.IsSuperseded).ToList();
                var stored = verdict.Status == "checked" ? await RowsOfResultAsync(uscc, r.Name) : [];
                Compliance.Core.Tests.Reading.BadInputCorpus.AssertMatches(
                    r.Entry,
                    verdict.Status,
                    verdict.Error,
                    verdict.ErrorRow,
                    errorColumn: null,
                    violations: verdict.Status == "checked" ? stored : [],
                    verdict.WarningCount);
                if (verdict.Status == "checked")
                {
                    Assert.AreEqual((verdict.ViolationCount, verdict.FindingCount), (current.Sum(v => v.RowCount), current.Count), $"{r.Entry.File}: the verdict counts what is stored");
                }
                else
                {
                    CollectionAssert.AreEqual(before.GetValueOrDefault(r.Name, []), Snapshot(current), $"{r.Entry.File}: the rejection left the previous version's findings whole");
                }
            }
        }

        var next = $"{Guid.NewGuid():N}-after-the-corpus.csv";
        var after = await WaitForVersionAsync(uscc, next, await UploadAsync(uscc, next, await File.ReadAllBytesAsync(Path.Combine(Samples.Folder, "payroll-2016-06-acme.csv"))));
        Assert.AreEqual("checked", after.Status, "the host still checks filings after the corpus");
    }

    /// <summary>The stored findings in a form to compare before and after: rule, field, rows, first rows.</summary>
    private static string[] Snapshot(IEnumerable<Compliance.Storage.Entities.ViolationEntity> findings) =>
        [.. findings.OrderBy(v => v.RowKey, StringComparer.Ordinal).Select(v => $"{v.Rule}:{v.Field}:{v.RowCount}:{v.FirstRows}")];

    /// <summary>The corpus names violating rows as <c>rule@row</c>: read from the version's result document, which lists every row.</summary>
    private static async Task<string[]> RowsOfResultAsync(string uscc, string name)
    {
        var results = new BlobServiceClient(AzuriteFixture.ConnectionString).GetBlobContainerClient("results");
        var document = System.Text.Json.JsonDocument.Parse((await results.GetBlobClient($"{uscc}/{name}.json").DownloadContentAsync()).Value.Content.ToString());
        return [.. document.RootElement.GetProperty("files")[0].GetProperty("violations").EnumerateArray().Select(v => $"{v.GetProperty("rule").GetString()}@{v.GetProperty("row").GetInt32()}")];
    }

    [TestMethod]
    public void LocalHost_TakesItsTriggerSettingsFromHostJson()
    {
        var options = string.Join(Environment.NewLine, Logs.Messages.Where(m => m.StartsWith("BlobsOptions", StringComparison.Ordinal)));

        StringAssert.Contains(options, "\"PoisonBlobThreshold\": 3");
        StringAssert.Contains(options, "\"MaxDegreeOfParallelism\": 4");
    }

    private static async Task<string> UploadAsync(string uscc, string name, byte[] content, bool overwrite = false)
    {
        var response = await filings!.GetBlobClient($"{uscc}/{name}").UploadAsync(new BinaryData(content), overwrite);
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
