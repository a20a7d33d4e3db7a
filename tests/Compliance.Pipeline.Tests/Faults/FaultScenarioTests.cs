using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Compliance.LocalStack;
using Compliance.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Compliance.Pipeline.Tests.Faults;

/// <summary>
/// Faults injected into whole runs of 100 filings on a real Azurite of their own: storage answering 503 to
/// 30% of requests, Azurite stopped for 30 s and restarted from disk, the host process killed by PID and
/// restarted, the digest killed between archive and send. Each test counts from the tables what was
/// processed, lost or duplicated, and writes its figures for docs/reliability.md.
/// </summary>
[TestClass]
[TestCategory("Faults")]
public sealed class FaultScenarioTests
{
    private const int FilingCount = 100;
    private static readonly TimeSpan Guard = TimeSpan.FromMinutes(5);

    public TestContext TestContext { get; set; } = null!;

    private CancellationToken Cancellation => TestContext.CancellationToken;

    [TestMethod]
    [Timeout(600_000)]
    public async Task ThirtyPercentOfStorageCallsFailing_EveryFilingCheckedWithExactCounts()
    {
        await using var azurite = await StartAzuriteAsync(location: null);
        var logs = new CapturingLoggerProvider();
        using var host = LocalHost.CreateBuilder(
            azurite.ConnectionString,
            new Dictionary<string, string?> { ["ComplianceStorage:ChaosHttpFaultRate"] = "0.3" },
            s => s.AddLogging(b => b.AddProvider(logs)),
            apiUrl: "http://127.0.0.1:0").Build();
        await host.StartAsync(Cancellation);
        var batch = FilingBatch.Generate(FilingCount, "chaos");
        var tables = new TableServiceClient(azurite.ConnectionString);
        var clock = Stopwatch.StartNew();

        await batch.UploadAsync(new BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient("filings"), Cancellation);
        await batch.WaitForVerdictsAsync(tables, FilingCount, Guard, () => Tail(logs.Messages), Cancellation);
        var elapsed = clock.Elapsed;
        var figures = await batch.CountAsync(tables, Cancellation);
        var monitor = host.Services.GetRequiredService<StorageResilienceMonitor>();
        await host.StopAsync(Cancellation);

        var share = (double)monitor.InjectedHttpFaults / monitor.HttpCalls;
        Report(
            "30% of Blob/Table requests answered 503",
            $"Polly chaos outcome (rate 0.3) on every HTTP try of the app's storage clients, {monitor.HttpCalls:N0} requests, {monitor.InjectedHttpFaults:N0} failed ({share:P1})",
            figures,
            $"{monitor.Retries} operation retries, at most {monitor.MaxAttempts} attempts of one operation (budget 3); {Runs(logs.Messages, "Checked filing")} checks for {FilingCount} filings",
            $"no outage; all done {elapsed.TotalSeconds:N1} s after the upload started");
        Assert.IsTrue(figures.Exact, figures.ToString());
        Assert.IsTrue(share is > 0.2 and < 0.4, $"the chaos strategy failed {share:P1} of {monitor.HttpCalls} requests, not about 30%");
        Assert.IsLessThanOrEqualTo(3, monitor.MaxAttempts);
    }

    [TestMethod]
    [Timeout(600_000)]
    public async Task AzuriteStoppedForThirtySecondsMidRun_AllProcessedOnceAfterRestart()
    {
        var location = Directory.CreateTempSubdirectory("azurite-persisted-").FullName;
        var azurite = await StartAzuriteAsync(location);
        var logs = new CapturingLoggerProvider();
        var connection = azurite.ConnectionString;
        var host = await SupervisedHost.StartAsync(
            () => LocalHost.CreateBuilder(connection, configureServices: s => s.AddLogging(b => b.AddProvider(logs)), apiUrl: "http://127.0.0.1:0").Build(),
            NullLogger.Instance,
            Cancellation);
        try
        {
            var batch = FilingBatch.Generate(FilingCount, "outage");
            var tables = new TableServiceClient(connection);
            await batch.UploadAsync(new BlobServiceClient(connection).GetBlobContainerClient("filings"), Cancellation);
            await batch.WaitForVerdictsAsync(tables, 30, Guard, () => Tail(logs.Messages), Cancellation);

            // Stopped by PID (SIGTERM, so it flushes to disk), down for 30 s, started again on the same ports and folder.
            var pid = azurite.ProcessId;
            var atStop = await batch.VerdictsAsync(tables, Cancellation);
            await azurite.DisposeAsync();
            await Task.Delay(TimeSpan.FromSeconds(30), Cancellation);
            azurite = await StartAzuriteAsync(location, azurite);
            var restarted = Stopwatch.StartNew();
            await batch.WaitForVerdictsAsync(tables, FilingCount, Guard, () => Tail(logs.Messages), Cancellation);
            var recovered = restarted.Elapsed;
            var figures = await batch.CountAsync(tables, Cancellation);

            Report(
                "Azurite stopped for 30 s mid-run",
                $"Azurite (PID {pid}) stopped after {atStop} of {FilingCount} verdicts, restarted 30 s later from its folder on the same ports",
                figures,
                $"{Runs(logs.Messages, "Checked filing")} checks for {FilingCount} filings; {Runs(logs.Messages, "its trigger was missed")} picked up by the reconciler; host restarted {host.Restarts} time(s) after listener faults",
                $"{recovered.TotalSeconds:N1} s from Azurite's restart to the last verdict");
            Assert.IsTrue(figures.Exact, figures.ToString());
            Assert.IsLessThan(FilingCount, atStop, "Azurite was stopped mid-run, not after it");
        }
        finally
        {
            await host.DisposeAsync();
            await azurite.DisposeAsync();
            Directory.Delete(location, recursive: true);
        }
    }

    [TestMethod]
    [Timeout(600_000)]
    public async Task HostKilledMidRun_AllProcessedOnceAfterRestart()
    {
        await using var azurite = await StartAzuriteAsync(location: null);
        var tables = new TableServiceClient(azurite.ConnectionString);
        var batch = FilingBatch.Generate(FilingCount, "crash");
        await using var first = await ServeProcess.StartAsync(azurite, new Dictionary<string, string>(), Cancellation);
        await batch.UploadAsync(new BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient("filings"), Cancellation);
        await batch.WaitForVerdictsAsync(tables, 30, Guard, () => first.Output, Cancellation);

        var pid = first.Pid;
        await first.KillAsync();
        var atKill = await batch.VerdictsAsync(tables, Cancellation);
        var restarted = Stopwatch.StartNew();
        await using var second = await ServeProcess.StartAsync(azurite, new Dictionary<string, string>(), Cancellation);
        await batch.WaitForVerdictsAsync(tables, FilingCount, Guard, () => second.Output, Cancellation);
        var recovered = restarted.Elapsed;
        var figures = await batch.CountAsync(tables, Cancellation);

        Report(
            "Host process killed mid-run",
            $"`compliance-stack serve` (PID {pid}) killed with SIGKILL after {atKill} of {FilingCount} verdicts; a new one started at once",
            figures,
            $"{first.Count("Checked filing") + second.Count("Checked filing")} checks for {FilingCount} filings ({first.Count("Checked filing")} before the kill); {second.Count("its trigger was missed")} picked up by the reconciler",
            $"{recovered.TotalSeconds:N1} s from restart (process start included) to the last verdict");
        Assert.IsTrue(figures.Exact, figures.ToString());
        Assert.IsLessThan(FilingCount, atKill, "the host was killed mid-run, not after it");
    }

    [TestMethod]
    [Timeout(600_000)]
    public async Task DigestKilledBetweenArchiveAndSend_SentExactlyOnceAfterRestart()
    {
        await using var azurite = await StartAzuriteAsync(location: null);
        var ledger = new TableServiceClient(azurite.ConnectionString).GetTableClient("Digests");
        using var blackHole = new TcpListener(IPAddress.Loopback, 0); // accepts, never greets: a send that hangs
        blackHole.Start(backlog: 16);
        var settings = new Dictionary<string, string>
        {
            ["DigestSchedule"] = "*/2 * * * * *",
            ["Digest__Recipients__0__Email"] = "regulator@sc.example.cn",
            ["Digest__Recipients__0__Region"] = "510000",
            ["Smtp__Host"] = "127.0.0.1",
            ["Smtp__Port"] = $"{((IPEndPoint)blackHole.LocalEndpoint).Port}",
            ["Smtp__Security"] = "None",
        };

        await using var first = await ServeProcess.StartAsync(azurite, settings, Cancellation);
        var claimed = await WaitForAsync(
            async () => await LedgerAsync(ledger) is { } e && e.GetString("Archive") is not null && e.GetInt32("Attempts") >= 1 && e.GetBoolean("Sent") != true ? e : null,
            () => first.Output);
        var pid = first.Pid;
        await first.KillAsync();

        await using var smtp = await SmtpServer.StartAsync(Cancellation);
        settings["Smtp__Port"] = $"{smtp.SmtpPort}";
        var restarted = Stopwatch.StartNew();
        await using var second = await ServeProcess.StartAsync(azurite, settings, Cancellation);
        await WaitForAsync(async () => await LedgerAsync(ledger) is { } e && e.GetBoolean("Sent") == true ? e : null, () => second.Output);
        var recovered = restarted.Elapsed;
        // The timer keeps firing every 2 s: three more runs must each find the digest sent and send nothing.
        await WaitForAsync(() => Task.FromResult<object?>(second.Count("0 sent, 1 already sent") >= 3 ? second : null), () => second.Output);
        var messages = await smtp.MessagesAsync();
        var sent = await LedgerAsync(ledger);

        Report(
            "Digest killed between archive and send",
            $"`compliance-stack serve` (PID {pid}) running the digest timer (every 2 s) killed with SIGKILL while the archived digest's send hung on an SMTP server that never answers; restarted with a real one (smtp4dev)",
            null,
            $"{messages.Count} mail(s) received for 1 recipient; ledger attempts {sent!.GetInt32("Attempts")}, {second.Count("0 sent, 1 already sent")} later timer runs sent nothing",
            $"{recovered.TotalSeconds:N1} s from restart (process start included) to the mail");
        Assert.AreEqual(claimed.GetString("Archive"), sent.GetString("Archive"), "the mail was sent from the archive written before the kill");
        Assert.HasCount(1, messages, "exactly one mail");
        Assert.AreEqual($"digest-{sent.PartitionKey}-{sent.RowKey}@compliancefunctions", messages[0].MessageId);
        Assert.AreEqual("regulator@sc.example.cn", messages[0].To.Mailboxes.Single().Address);
    }

    private static async Task<TableEntity?> LedgerAsync(TableClient ledger)
    {
        try
        {
            await foreach (var entity in ledger.QueryAsync<TableEntity>())
            {
                return entity;
            }
        }
        catch (Azure.RequestFailedException ex) when (ex.Status == 404)
        {
            // The table appears with the first digest run.
        }

        return null;
    }

    private async Task<T> WaitForAsync<T>(Func<Task<T?>> probe, Func<string> diagnostics)
        where T : class
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (await probe() is { } found)
            {
                return found;
            }

            if (clock.Elapsed > TimeSpan.FromMinutes(2))
            {
                throw new AssertFailedException($"Gave up waiting. Host output:{Environment.NewLine}{diagnostics()[^Math.Min(6000, diagnostics().Length)..]}");
            }

            await Task.Delay(200, Cancellation);
        }
    }

    private async Task<Azurite> StartAzuriteAsync(string? location, Azurite? samePortsAs = null) =>
        await Azurite.StartAsync(
            new AzuriteOptions
            {
                BlobPort = samePortsAs?.BlobPort ?? 0,
                QueuePort = samePortsAs?.QueuePort ?? 0,
                TablePort = samePortsAs?.TablePort ?? 0,
                InMemory = location is null,
                Location = location,
                ReuseRunning = false,
                StartTimeout = TimeSpan.FromMinutes(2),
            },
            NullLogger.Instance,
            Cancellation);

    private static int Runs(IEnumerable<string> lines, string text) => lines.Count(l => l.Contains(text, StringComparison.Ordinal));

    private static string Tail(IReadOnlyList<string> lines) => string.Join(Environment.NewLine, lines.TakeLast(40));

    /// <summary>One row of docs/reliability.md's table, in the test output and in bin/…/reliability/.</summary>
    private void Report(string scenario, string injected, BatchFigures? figures, string attempts, string recovery)
    {
        var result = figures is null ? "see attempts" : $"{figures.Processed} / {figures.Lost} / {figures.DuplicatedVerdicts}; findings {figures.ViolationsStored} of {figures.ViolationsExpected}, {figures.ViolationsWrong} filings wrong, {figures.IndexRowsWrong} index rows wrong";
        var row = $"| {scenario} | {injected} | {result} | {attempts} | {recovery} |";
        TestContext.WriteLine(row);
        var folder = Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "reliability")).FullName;
        File.WriteAllText(Path.Combine(folder, $"{TestContext.TestName}.md"), row + Environment.NewLine);
    }
}
