using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Compliance.Core.Checking;
using Compliance.Core.Filings;
using Compliance.Core.Policies;
using Compliance.LocalStack;
using Compliance.Pipeline.Rechecks;
using Compliance.Pipeline.Review;
using Compliance.Pipeline.Tests.Faults;
using Compliance.Storage;
using Compliance.Storage.Entities;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Compliance.Pipeline.Tests;

/// <summary>
/// Re-checking stored filings after a catalog change, by fan-out over Storage queues, each test on an Azurite of its
/// own (the queues' names are fixed by the triggers, so the shared Azurite's hosts would take the messages): the
/// lowered limit over 200 filings against the offline checker through a killed host, the API's guard and progress,
/// and a message that fails every delivery.
/// </summary>
[TestClass]
public sealed class RecheckTests
{
    private static readonly Caller Sichuan = Caller.Regulator("wang@sc.gov.cn", "510000");

    public TestContext TestContext { get; set; } = null!;

    private CancellationToken Cancellation => TestContext.CancellationToken;

    [TestMethod]
    [TestCategory("Faults")]
    [Timeout(1_800_000)]
    public async Task LoweredLimit_TwoHundredStoredFilings_ExactlyTheOfflineFindingsReviewsKeptThroughAKilledHost()
    {
        await using var azurite = await StartAzuriteAsync();
        var tables = new TableServiceClient(azurite.ConnectionString);
        var batch = FilingBatch.Generate(200, "recheck");
        await using (var before = await ServeProcess.StartAsync(azurite, new Dictionary<string, string>(), Cancellation))
        {
            await batch.UploadAsync(new BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient("filings"), Cancellation);
            await batch.WaitForVerdictsAsync(tables, batch.Filings.Count, TimeSpan.FromMinutes(5), () => before.Output, Cancellation);
        }

        // A regulator confirms ten housing-fund findings under the catalog as it was.
        var lowered = Compliance.Testing.TestCatalogs.LoweredHousingFund(10);
        await using var services = Services(azurite.ConnectionString, lowered);
        var reviews = services.GetRequiredService<ReviewService>();
        var confirmed = new List<string>();
        foreach (var item in (await reviews.ListAsync(Sichuan, new ViolationFilter(Period: "2016-06", Rule: "HF-RATE-CAP"), null, 10, Cancellation)).Items)
        {
            var current = (await reviews.GetAsync(Sichuan, item.Id, Cancellation))!;
            await reviews.ReviewAsync(Sichuan, item.Id, new ReviewRequest("confirmed", "核实属实"), current.Violation.ETag, Cancellation);
            confirmed.Add(item.Id);
        }

        Assert.HasCount(10, confirmed);
        var findingsBefore = (await AllAsync(tables.GetTableClient("Violations"))).Count;

        // The catalog lowered to 10% is deployed; the re-check is asked for; the host is killed while it runs.
        var deployed = new Dictionary<string, string> { ["Compliance__CatalogPath"] = lowered };
        var rechecks = services.GetRequiredService<RecheckService>();
        var started = (RecheckStart.Started)await rechecks.StartAsync("guo@mee.gov.cn", Period.Parse("2016-06"), null, Cancellation);
        var id = started.Progress.Id;
        RecheckProgress atKill;
        int killedPid;
        await using (var running = await ServeProcess.StartAsync(azurite, deployed, Cancellation))
        {
            await WaitForAsync(rechecks, id, p => p.Done >= 60, TimeSpan.FromMinutes(5), () => running.Output);
            killedPid = running.Pid;
            await running.KillAsync();
            atKill = (await rechecks.ProgressAsync(id, Cancellation))!;
        }

        var restarted = Stopwatch.StartNew();
        await using var after = await ServeProcess.StartAsync(azurite, deployed, Cancellation);

        // Messages the killed host held stay hidden for the queue trigger's 10 minutes, then come back.
        var final = await WaitForAsync(rechecks, id, p => p.IsFinished, TimeSpan.FromMinutes(16), () => after.Output);
        var recovered = restarted.Elapsed;

        var checker = new FilingChecker(PolicyCatalog.LoadFile(lowered));
        var violations = await AllAsync(tables.GetTableClient("Violations"));
        var index = await AllAsync(tables.GetTableClient("ViolationsByPeriod"));
        var verdicts = await AllAsync(tables.GetTableClient("Filings"));
        var wrong = new List<string>();
        var expectedTotal = 0;
        foreach (var filing in batch.Filings)
        {
            using var report = checker.Check(new MemoryStream(filing.Content), filing.Name, new CheckOptions { ExpectedUscc = filing.Uscc });
            var expected = report.Findings.Select(f => StorageKeys.Finding(filing.FilingId, f.Id)).Order(StringComparer.Ordinal).ToList();
            var open = violations.Where(v => v.PartitionKey == filing.Uscc && v.GetString("FilingId") == filing.FilingId && v.GetString("Status") != ViolationEntity.ResolvedStatus)
                .Select(v => v.RowKey).Order(StringComparer.Ordinal).ToList();
            expectedTotal += expected.Count;
            if (!expected.SequenceEqual(open))
            {
                wrong.Add($"{filing.Name}: expected {expected.Count} findings, {open.Count} open");
            }
        }

        var statuses = new List<string>();
        foreach (var finding in confirmed)
        {
            statuses.Add((await reviews.GetAsync(Sichuan, finding, Cancellation))!.EffectiveStatus);
        }

        TestContext.WriteLine($"| Host killed mid-re-check | `compliance-stack serve` (PID {killedPid}) killed with SIGKILL after {atKill.Done} of {atKill.Queued} filings re-checked under the catalog lowered to 10%; a new one started at once | {final.Done} done / {final.Failed} failed of {final.Queued}; findings {violations.Count} (was {findingsBefore}), expected {expectedTotal}; {wrong.Count} filings wrong | {final.Checked} checked, {final.Current} found already current (checked before the kill, counted after) | {recovered.TotalSeconds:N0} s from restart to the last filing (the killed host's messages reappear after 10 min) |");
        Assert.IsEmpty(wrong, string.Join("\n", wrong));
        Assert.AreEqual(RecheckState.Completed, final.State);
        Assert.AreEqual((200, 200, 0), (final.Queued, final.Done, final.Failed), "every filing queued once and done once");
        Assert.IsLessThan(200, atKill.Done, "the host was killed mid-re-check, not after it");
        Assert.AreEqual(expectedTotal, violations.Count, "nothing doubled, nothing resolved: lowering a limit only adds findings");
        Assert.IsGreaterThan(findingsBefore, violations.Count, "the lower limit found more");
        Assert.AreEqual(violations.Count, index.Count, "one index row per finding");
        Assert.HasCount(200, verdicts, "one verdict per filing: the re-check replaced each version's, it did not add one");
        Assert.IsTrue(verdicts.All(v => v.GetString("CatalogVersion") == PolicyCatalog.LoadFile(lowered).Version), "every verdict under the lowered catalog");
        CollectionAssert.AreEqual(Enumerable.Repeat("confirmed", 10).ToList(), statuses, "the confirmed findings stay confirmed");
        var history = (await reviews.GetAsync(Sichuan, confirmed[0], Cancellation))!.History;
        Assert.IsTrue(history.Any(h => h.Note?.Contains("按新目录复查有变化", StringComparison.Ordinal) == true && h.Note.Contains("catalog 2016.2-hf10", StringComparison.Ordinal)), "the history says the re-check changed its limit");
    }

    [TestMethod]
    [Timeout(600_000)]
    public async Task RecheckApi_NationalRegulatorOnly_ProgressToTheEnd_AFailingMessageReportedAndPoisoned()
    {
        await using var azurite = await StartAzuriteAsync();
        var settings = ApiSettings.WithTokens(
            new()
            {
                // Deliveries a second apart, so five of them fit in a test.
                ["AzureWebJobs:Extensions:queues:visibilityTimeout"] = "00:00:01",
                ["AzureWebJobs:Extensions:queues:maxPollingInterval"] = "00:00:01",
            },
            ("reg-cn", "regulator|000000|guo@mee.gov.cn"),
            ("reg-sc", "regulator|510000|wang@sc.gov.cn"),
            ("ent-dy", $"enterprise|{ApiSettings.Deyang}|deyang finance"));
        using var host = LocalHost.CreateBuilder(azurite.ConnectionString, settings, apiUrl: "http://127.0.0.1:0").Build();
        await host.StartAsync(Cancellation);
        try
        {
            using var http = new HttpClient { BaseAddress = LocalHost.ApiAddress(host) };
            var batch = FilingBatch.Generate(6, "api");
            await batch.UploadAsync(new BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient("filings"), Cancellation);
            await batch.WaitForVerdictsAsync(new TableServiceClient(azurite.ConnectionString), 6, TimeSpan.FromMinutes(2), () => string.Empty, Cancellation);

            var june = new { period = "2016-06", rule = "HF-RATE-CAP" };
            Assert.AreEqual(HttpStatusCode.Unauthorized, (await http.SendAsync(HttpMethod.Post, "/api/rechecks", null, june)).StatusCode);
            Assert.AreEqual(HttpStatusCode.Forbidden, (await http.SendAsync(HttpMethod.Post, "/api/rechecks", "reg-sc", june)).StatusCode, "a province's regulator may not re-check the country");
            Assert.AreEqual(HttpStatusCode.Forbidden, (await http.SendAsync(HttpMethod.Post, "/api/rechecks", "ent-dy", june)).StatusCode);
            Assert.AreEqual(HttpStatusCode.BadRequest, (await http.SendAsync(HttpMethod.Post, "/api/rechecks", "reg-cn", new { period = "2016-13" })).StatusCode);
            var unknownRule = await http.SendAsync(HttpMethod.Post, "/api/rechecks", "reg-cn", new { period = "2016-06", rule = "NO-SUCH-RULE" });
            Assert.AreEqual(HttpStatusCode.BadRequest, unknownRule.StatusCode);
            StringAssert.Contains(await unknownRule.Content.ReadAsStringAsync(Cancellation), "NO-SUCH-RULE");

            var accepted = await http.SendAsync(HttpMethod.Post, "/api/rechecks", "reg-cn", june);
            Assert.AreEqual(HttpStatusCode.Accepted, accepted.StatusCode);
            var id = Json(await accepted.Content.ReadAsStringAsync(Cancellation))["id"]!.GetValue<string>();
            Assert.AreEqual($"/api/rechecks/{id}", accepted.Headers.Location?.OriginalString);

            var done = await PollAsync(http, id, p => p["state"]!.GetValue<string>() == "completed");
            Assert.AreEqual((6, 6, 0, 0), (done["queued"]!.GetValue<int>(), done["done"]!.GetValue<int>(), done["failed"]!.GetValue<int>(), done["remaining"]!.GetValue<int>()));
            Assert.AreEqual(6, done["outcomes"]!["current"]!.GetValue<int>(), "checked under this very catalog already: nothing to do");
            Assert.AreEqual("guo@mee.gov.cn", done["requestedBy"]!.GetValue<string>());
            Assert.AreEqual(HttpStatusCode.Forbidden, (await http.SendAsync(HttpMethod.Get, $"/api/rechecks/{id}", "reg-sc")).StatusCode);
            Assert.AreEqual(HttpStatusCode.NotFound, (await http.SendAsync(HttpMethod.Get, "/api/rechecks/20991231T000000Z-000000", "reg-cn")).StatusCode);
            Assert.AreEqual(HttpStatusCode.NotFound, (await http.SendAsync(HttpMethod.Get, "/api/rechecks/..%2F..%2Fetc", "reg-cn")).StatusCode);

            // A message no delivery can handle, and one that is not a message at all.
            var queue = new QueueClient(azurite.ConnectionString, RecheckQueues.Filings, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
            await queue.SendMessageAsync(new RecheckMessage(id, "not-a-blob-path").ToJson(), Cancellation);
            await queue.SendMessageAsync("{ not json", Cancellation);
            var failed = await PollAsync(http, id, p => p["failed"]!.GetValue<int>() == 1);
            Assert.AreEqual("completed_with_failures", failed["state"]!.GetValue<string>());
            var failure = failed["failures"]!.AsArray().Single()!;
            Assert.AreEqual("not-a-blob-path", failure["filing"]!.GetValue<string>());
            Assert.AreEqual(RecheckQueues.MaxDequeueCount, failure["attempts"]!.GetValue<int>());
            StringAssert.Contains(failure["error"]!.GetValue<string>(), "is not a filing's blob path");

            var poison = new QueueClient(azurite.ConnectionString, RecheckQueues.Poison(RecheckQueues.Filings), new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
            var kept = await WaitAsync(async () => await poison.ExistsAsync(Cancellation) && (await poison.PeekMessagesAsync(10, Cancellation)).Value is { Length: 2 } messages ? messages : null, TimeSpan.FromMinutes(1));
            CollectionAssert.AreEquivalent(new[] { new RecheckMessage(id, "not-a-blob-path").ToJson(), "{ not json" }, kept.Select(m => m.Body.ToString()).ToArray(), "both kept in the poison queue, not lost");
        }
        finally
        {
            await host.StopAsync(CancellationToken.None);
        }
    }

    [TestMethod]
    [Timeout(300_000)]
    public async Task Start_SameMonthAndRuleStillRunning_TheRunningOneNotASecond()
    {
        await using var azurite = await StartAzuriteAsync();
        await using var services = Services(azurite.ConnectionString, catalogPath: null);
        var rechecks = services.GetRequiredService<RecheckService>();

        // No host runs the queues here: the first re-check stays in planning.
        var first = await rechecks.StartAsync("guo@mee.gov.cn", Period.Parse("2016-06"), "HF-RATE-CAP", Cancellation);
        var again = await rechecks.StartAsync("li@mee.gov.cn", Period.Parse("2016-06"), "HF-RATE-CAP", Cancellation);
        var otherRule = await rechecks.StartAsync("guo@mee.gov.cn", Period.Parse("2016-06"), null, Cancellation);
        var unknown = await rechecks.StartAsync("guo@mee.gov.cn", Period.Parse("2016-06"), "NO-SUCH-RULE", Cancellation);

        var started = Assert.IsInstanceOfType<RecheckStart.Started>(first);
        Assert.AreEqual(RecheckState.Planning, started.Progress.State);
        Assert.AreEqual(started.Progress.Id, Assert.IsInstanceOfType<RecheckStart.AlreadyRunning>(again).Progress.Id);
        Assert.AreNotEqual(started.Progress.Id, Assert.IsInstanceOfType<RecheckStart.Started>(otherRule).Progress.Id);
        Assert.AreEqual("NO-SUCH-RULE", Assert.IsInstanceOfType<RecheckStart.UnknownRule>(unknown).Rule);
        Assert.IsNull(await rechecks.ProgressAsync("20991231T000000Z-000000", Cancellation));
        Assert.IsNull(await rechecks.ProgressAsync("../x", Cancellation));
    }

    /// <summary>The pipeline's services over the test's Azurite, under the given catalog (the embedded one for null).</summary>
    private static ServiceProvider Services(string connectionString, string? catalogPath)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            [StorageConnection.Name] = connectionString,
            [$"{PipelineOptions.Section}:{nameof(PipelineOptions.CatalogPath)}"] = catalogPath,
        }).Build();
        var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddLogging();
        services.AddCompliancePipeline(configuration);
        return services.BuildServiceProvider();
    }

    private async Task<RecheckProgress> WaitForAsync(RecheckService rechecks, string id, Func<RecheckProgress, bool> until, TimeSpan guard, Func<string> diagnostics)
    {
        try
        {
            return await WaitAsync(async () => await rechecks.ProgressAsync(id, Cancellation) is { } p && until(p) ? p : null, guard);
        }
        catch (AssertFailedException ex)
        {
            var output = diagnostics();
            throw new AssertFailedException($"{ex.Message} Progress: {await rechecks.ProgressAsync(id, Cancellation)}. Host output:{Environment.NewLine}{output[^Math.Min(6000, output.Length)..]}");
        }
    }

    private async Task<JsonNode> PollAsync(HttpClient http, string id, Func<JsonNode, bool> until) =>
        await WaitAsync(
            async () =>
            {
                using var response = await http.SendAsync(HttpMethod.Get, $"/api/rechecks/{id}", "reg-cn");
                Assert.AreEqual(HttpStatusCode.OK, response.StatusCode);
                var progress = Json(await response.Content.ReadAsStringAsync(Cancellation));
                return until(progress) ? progress : null;
            },
            TimeSpan.FromMinutes(2));

    /// <summary>Polls until <paramref name="probe"/> has something; a guard, not a timing assertion: it only fails a run that never gets there.</summary>
    private async Task<T> WaitAsync<T>(Func<Task<T?>> probe, TimeSpan guard)
        where T : class
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (await probe() is { } found)
            {
                return found;
            }

            if (clock.Elapsed > guard)
            {
                throw new AssertFailedException($"Gave up waiting after {guard}.");
            }

            await Task.Delay(250, Cancellation);
        }
    }

    private static JsonNode Json(string text) => JsonNode.Parse(text) ?? throw new JsonException("empty body");

    private static async Task<List<TableEntity>> AllAsync(TableClient table)
    {
        var list = new List<TableEntity>();
        await foreach (var entity in table.QueryAsync<TableEntity>())
        {
            list.Add(entity);
        }

        return list;
    }

    private async Task<Azurite> StartAzuriteAsync() =>
        await Azurite.StartAsync(new AzuriteOptions { BlobPort = 0, QueuePort = 0, TablePort = 0, InMemory = true, ReuseRunning = false, StartTimeout = TimeSpan.FromMinutes(2) }, NullLogger.Instance, Cancellation);
}
