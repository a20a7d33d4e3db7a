using Compliance.Pipeline.Digests;
using Compliance.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Compliance.Pipeline.Tests;

/// <summary>The monthly digest end to end: real Azurite, a real SMTP server, a fake clock.</summary>
[TestClass]
public sealed class DigestServiceTests
{
    private const string Sichuan = "510000";
    private const string Guizhou = "520000";
    private const string Header = Compliance.Testing.TestRows.PayrollHeader;

    private static SmtpServer? smtp;

    [ClassInitialize]
    public static async Task StartSmtpAsync(TestContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        smtp = await SmtpServer.StartAsync(context.CancellationToken);
    }

    [ClassCleanup]
    public static async Task StopSmtpAsync()
    {
        if (smtp is not null)
        {
            await smtp.DisposeAsync();
        }
    }

    [TestMethod]
    public async Task TimerOnTheFirstOfJuly_SendsJunesDigestOnce()
    {
        var mail = Mailboxes();
        await using var harness = Harness(mail, now: new DateTimeOffset(2016, 7, 1, 0, 0, 0, TimeSpan.Zero));
        await SeedJuneAsync(harness);
        var digests = harness.Get<DigestService>();

        var first = await digests.RunScheduledAsync(pastDue: false, CancellationToken.None);
        var second = await digests.RunScheduledAsync(pastDue: true, CancellationToken.None);

        Assert.AreEqual(new Compliance.Core.Filings.Period(2016, 6), first.Month, "00:00 UTC on 1 July is 08:00 in China: June is reported");
        Assert.AreEqual(3, first.Sent);
        Assert.AreEqual(0, second.Sent, "a second run sends nothing new");
        Assert.AreEqual(3, second.AlreadySent);
        var sichuan = (await MailTo(mail.Sichuan)).Single();
        StringAssert.Contains(sichuan.Subject, "2016-06 — 四川省 (510000)", "the region by its name");
        Assert.HasCount(1, await MailTo(mail.Guizhou));
        Assert.HasCount(1, await MailTo(mail.Enterprise));
        CollectionAssert.AreEquivalent(Compliance.Core.Digests.DigestHtml.ChartIds.ToArray(), sichuan.BodyParts.OfType<MimePart>().Where(p => p.ContentType.MimeType == "image/png").Select(p => p.ContentId).ToArray(), "every chart travels inline");
    }

    [TestMethod]
    public async Task RegulatorSeesItsRegionOnly_WithCountsThatMatchTheViolationsTable()
    {
        var mail = Mailboxes();
        await using var harness = Harness(mail, now: new DateTimeOffset(2016, 7, 1, 0, 0, 0, TimeSpan.Zero));
        await SeedJuneAsync(harness);

        await harness.UploadAsync("91510100A4C12H3B1Y", "broken.csv", Header + "91510100A4C12H3B1Y,2016-06,510100,E1,eight thousand,13,19\r\n");
        await harness.Processor.ProcessAsync("91510100A4C12H3B1Y", "broken.csv", CancellationToken.None);

        await harness.Get<DigestService>().RunScheduledAsync(pastDue: false, CancellationToken.None);

        var stored = await harness.Store.ViolationsOfPeriodAsync("2016-06", CancellationToken.None);
        var sichuan = (await MailTo(mail.Sichuan)).Single().HtmlBody;
        var guizhou = (await MailTo(mail.Guizhou)).Single().HtmlBody;
        StringAssert.Contains(sichuan, $"Region 行政区划 四川省 (510000): {stored.Count(v => v.Region.StartsWith("51", StringComparison.Ordinal))} violations detected in 2016-06");
        StringAssert.Contains(guizhou, $"Region 行政区划 贵州省 (520000): {stored.Count(v => v.Region.StartsWith("52", StringComparison.Ordinal))} violations detected in 2016-06");
        Assert.DoesNotContain("91510600G612DD2721", guizhou, "Deyang's violations are Sichuan's business");
        StringAssert.Contains(sichuan, "Filings received 3: checked 2, rejected 1.");
        StringAssert.Contains(guizhou, "Filings received 1: checked 1, rejected 0.");
    }

    /// <summary>The accountability and safety-assessment rules reach the regulators' digests like the payroll ones: by rule, with their clause, in the right province.</summary>
    [TestMethod]
    public async Task AccountabilityAndSafetyFindings_AppearInTheDigestsLikeTheOthers()
    {
        var mail = Mailboxes();
        await using var harness = Harness(mail, now: new DateTimeOffset(2017, 1, 1, 0, 0, 0, TimeSpan.Zero));
        await harness.UploadSampleAsync("91510000MA6CXY2K1U", "accountability-2017-sichuan-soe.csv");
        await harness.Processor.ProcessAsync("91510000MA6CXY2K1U", "accountability-2017-sichuan-soe.csv", CancellationToken.None);
        await harness.UploadSampleAsync("11510000MB0T4N7Q2E", "safety-assessment-2016.json");
        await harness.Processor.ProcessAsync("11510000MB0T4N7Q2E", "safety-assessment-2016.json", CancellationToken.None);
        var digests = harness.Get<DigestService>();

        var december = await digests.LoadAsync(new Compliance.Core.Filings.Period(2016, 12), CancellationToken.None);
        var march = await digests.LoadAsync(new Compliance.Core.Filings.Period(2017, 3), CancellationToken.None);
        var june = await digests.LoadAsync(new Compliance.Core.Filings.Period(2017, 6), CancellationToken.None);
        var safety = Compliance.Core.Digests.DigestBuilder.ForRegulator(december, "000000");
        var yunnan = Compliance.Core.Digests.DigestBuilder.ForRegulator(december, "530000");
        var soe = Compliance.Core.Digests.DigestBuilder.ForRegulator(june, Sichuan);

        Assert.AreEqual(3, safety.Total, "the 2016 assessment files under 2016-12");
        Assert.AreEqual("SAFETY-GRADE", safety.ByRule.Single().Key);
        StringAssert.StartsWith(safety.ByRule.Single().Citation, "国办发〔2016〕64号");
        Assert.AreEqual(1, yunnan.Total, "each province sees its own row: Yunnan graded itself 优秀 on 85.5");
        Assert.AreEqual(2, soe.Total, "the 重大 case decided in June 2017, in Sichuan by the SOE's code");
        Assert.AreEqual("SOE-DEDUCTION-RANGE", soe.ByRule.Single().Key);
        Assert.AreEqual(1, Compliance.Core.Digests.DigestBuilder.ForRegulator(march, Sichuan).Total);
        var html = Compliance.Core.Digests.DigestHtml.Render(soe, _ => null);
        StringAssert.Contains(html, "SOE-DEDUCTION-RANGE");
        StringAssert.Contains(html, "国办发〔2016〕63号 五(二)2");
    }

    /// <summary>
    /// The timer's digest streams each region's key range through a temporary file; the same month held in memory
    /// and built by <c>DigestBuilder.ForRegulator</c> must give the same files, byte for byte, in every scope.
    /// </summary>
    [TestMethod]
    public async Task StreamedDigest_EqualsTheOneBuiltFromTheMonthHeldInMemory_InEveryScope()
    {
        var mail = Mailboxes();
        await using var harness = Harness(mail, now: new DateTimeOffset(2016, 8, 1, 0, 0, 0, TimeSpan.Zero));
        await SeedJuneAsync(harness);
        var july = new System.Text.StringBuilder(Header);
        for (var i = 0; i < 30; i++)
        {
            // Recurring, new and varying findings over two cities and two provinces, some rows sharing a first row.
            july.Append(System.Globalization.CultureInfo.InvariantCulture, $"91510100A4C12H3B1Y,2016-07,{(i % 3 == 0 ? "520100" : i % 2 == 0 ? "510100" : "510104")},E{i:D3},8000,{13 + (i % 4)},{19 + (i % 3) * 2}\r\n");
        }

        await harness.UploadAsync("91510100A4C12H3B1Y", "july.csv", july.ToString());
        await harness.Processor.ProcessAsync("91510100A4C12H3B1Y", "july.csv", CancellationToken.None);
        var digests = harness.Get<DigestService>();
        var month = new Compliance.Core.Filings.Period(2016, 7);
        var held = await digests.LoadAsync(month, CancellationToken.None);

        foreach (var region in new[] { "000000", Sichuan, "510100", "510104", Guizhou, "530000" })
        {
            using var streamed = await digests.RegulatorDigestAsync(month, region, CancellationToken.None);
            using var inMemory = Compliance.Core.Digests.DigestBuilder.ForRegulator(held, region);

            Assert.IsInstanceOfType<Compliance.Core.Digests.SpilledViolations>(streamed.Violations, "the timer's path holds the list in a file");
            Assert.AreEqual(Compliance.Core.Digests.DigestJson.Render(inMemory), Compliance.Core.Digests.DigestJson.Render(streamed), region);
            Assert.AreEqual(Compliance.Core.Digests.DigestCsv.Render(inMemory), Compliance.Core.Digests.DigestCsv.Render(streamed), region);
            Assert.AreEqual(Compliance.Core.Digests.DigestHtml.Render(inMemory, _ => null), Compliance.Core.Digests.DigestHtml.Render(streamed, _ => null), region);
        }

        using var nation = await digests.RegulatorDigestAsync(month, "000000", CancellationToken.None);
        Assert.IsGreaterThan(10, nation.Total, "the month has findings to compare (rows at one declared rate in one region are one finding)");
        Assert.IsGreaterThan(0, nation.Recurring, "and some recurring from June");
    }

    [TestMethod]
    public async Task EnterpriseNameWithScript_ArrivesEscaped_AndCsvIsNeutralised()
    {
        var mail = Mailboxes();
        await using var harness = Harness(mail, now: new DateTimeOffset(2016, 7, 1, 0, 0, 0, TimeSpan.Zero), enterpriseName: "<script>alert('德阳')</script>=cmd");
        await SeedJuneAsync(harness);

        var result = await harness.Get<DigestService>().RunScheduledAsync(pastDue: false, CancellationToken.None);

        foreach (var message in (await MailTo(mail.Sichuan)).Concat(await MailTo(mail.Enterprise)))
        {
            // As a mail client reads it: the name is text, not markup, whichever entities encode it.
            Assert.DoesNotContain("<script", message.HtmlBody ?? string.Empty);
            using var document = new AngleSharp.Html.Parser.HtmlParser().ParseDocument(message.HtmlBody!);
            Assert.IsEmpty(document.Scripts);
            StringAssert.Contains(document.Body!.TextContent, "<script>alert('德阳')</script>=cmd");
        }

        var archive = harness.Get<DigestStore>();
        var ledger = await harness.Get<DigestStore>().Ledger.QueryAsync<Compliance.Storage.Entities.DigestLedgerEntity>(e => e.Email == mail.Sichuan).ToListAsync();
        var csv = (await archive.ReadArchiveAsync(ledger.Single().Archive!, "digest.csv", CancellationToken.None)).ToString();
        StringAssert.Contains(csv, "91510600G612DD2721,<script>alert('德阳')</script>=cmd,510600");
        Assert.AreEqual(3, result.Sent);
    }

    [TestMethod]
    public async Task RunThatFailsAfterArchiving_ResumesAndSendsOnce()
    {
        var mail = Mailboxes();
        var flaky = new FailingOnce();
        await using var harness = Harness(mail, now: new DateTimeOffset(2016, 7, 1, 0, 0, 0, TimeSpan.Zero), configure: services =>
            services.AddSingleton<IDigestSender>(provider => flaky.Wrap(new SmtpDigestSender(provider.GetRequiredService<IOptions<SmtpOptions>>()))));
        await SeedJuneAsync(harness);
        var digests = harness.Get<DigestService>();

        await Assert.ThrowsExactlyAsync<AggregateException>(() => digests.RunScheduledAsync(pastDue: false, CancellationToken.None));
        var ledger = await harness.Get<DigestStore>().Ledger.QueryAsync<Compliance.Storage.Entities.DigestLedgerEntity>(e => e.Email == flaky.FailedFor).ToListAsync();
        Assert.IsNotNull(ledger.Single().Archive, "archived before the send failed");
        Assert.IsFalse(ledger.Single().Sent);
        Assert.IsEmpty(await MailTo(flaky.FailedFor!));

        var resumed = await digests.RunScheduledAsync(pastDue: true, CancellationToken.None);
        var again = await digests.RunScheduledAsync(pastDue: true, CancellationToken.None);

        Assert.AreEqual(1, resumed.Sent, "only the one that failed");
        Assert.AreEqual(0, again.Sent);
        Assert.HasCount(1, await MailTo(flaky.FailedFor!), "sent exactly once");
    }

    [TestMethod]
    public async Task RecipientsFromTheTable_AreAddedToTheConfiguredOnes()
    {
        var mail = Mailboxes();
        await using var harness = Harness(mail, now: new DateTimeOffset(2016, 7, 1, 0, 0, 0, TimeSpan.Zero));
        await SeedJuneAsync(harness);
        var chengdu = $"chengdu-{Guid.NewGuid():N}@regulator.example.cn";
        var store = harness.Get<DigestStore>();
        await store.Recipients.CreateIfNotExistsAsync();
        await store.Recipients.AddEntityAsync(new Compliance.Storage.Entities.RecipientEntity { PartitionKey = "regulator", RowKey = "chengdu", Email = chengdu, Region = "510100" });
        await store.Recipients.AddEntityAsync(new Compliance.Storage.Entities.RecipientEntity { PartitionKey = "regulator", RowKey = "duplicate", Email = mail.Sichuan.ToUpperInvariant(), Region = Sichuan });

        var result = await harness.Get<DigestService>().RunScheduledAsync(pastDue: false, CancellationToken.None);

        Assert.AreEqual(4, result.Recipients, "three configured, one new from the table, the duplicate once");
        StringAssert.Contains((await MailTo(chengdu)).Single().HtmlBody, "Region 行政区划 成都市 (510100): 1 violations detected in 2016-06");
        Assert.HasCount(1, await MailTo(mail.Sichuan));
    }

    [TestMethod]
    public async Task ExemptionThatHasEnded_CountsAsOpenBacklogAgain()
    {
        var mail = Mailboxes();
        await using var harness = Harness(mail, now: new DateTimeOffset(2016, 6, 1, 0, 0, 0, TimeSpan.Zero));
        await harness.UploadAsync("91510100A4C12H3B1Y", "may.csv", Header + "91510100A4C12H3B1Y,2016-05,510100,E1,8000,14,19\r\n");
        await harness.Processor.ProcessAsync("91510100A4C12H3B1Y", "may.csv", CancellationToken.None);
        var reviews = harness.Get<Compliance.Pipeline.Review.ReviewService>();
        var regulator = Compliance.Pipeline.Review.Caller.Regulator("wang@sc.gov.cn", Sichuan);
        var id = (await reviews.ListAsync(regulator, new Compliance.Pipeline.Review.ViolationFilter(Period: "2016-05"), null, 10, CancellationToken.None)).Items.Single().Id;
        await reviews.ReviewAsync(regulator, id, new Compliance.Pipeline.Review.ReviewRequest("exempted", "until mid-June", new DateOnly(2016, 6, 15)), Azure.ETag.All, CancellationToken.None);
        var digests = harness.Get<DigestService>();

        var whileExempt = Compliance.Core.Digests.DigestBuilder.ForRegulator(await digests.LoadAsync(new Compliance.Core.Filings.Period(2016, 6), CancellationToken.None), Sichuan);
        harness.Time.SetUtcNow(new DateTimeOffset(2016, 7, 1, 0, 0, 0, TimeSpan.Zero));
        var afterwards = Compliance.Core.Digests.DigestBuilder.ForRegulator(await digests.LoadAsync(new Compliance.Core.Filings.Period(2016, 6), CancellationToken.None), Sichuan);

        Assert.AreEqual(0, whileExempt.OpenBacklog);
        Assert.AreEqual(1, afterwards.OpenBacklog);
    }

    [TestMethod]
    public async Task TimerOnTheFirstOfJanuary_ReportsDecember()
    {
        var mail = Mailboxes();
        await using var harness = Harness(mail, now: new DateTimeOffset(2017, 1, 1, 0, 0, 0, TimeSpan.Zero));
        await harness.UploadAsync("91510100A4C12H3B1Y", "dec.csv", Header + "91510100A4C12H3B1Y,2016-12,510100,E1,8000,14,19\r\n");
        await harness.Processor.ProcessAsync("91510100A4C12H3B1Y", "dec.csv", CancellationToken.None);

        var result = await harness.Get<DigestService>().RunScheduledAsync(pastDue: false, CancellationToken.None);

        Assert.AreEqual("2016-12", result.Month.ToString());
        var message = (await MailTo(mail.Sichuan)).Single();
        StringAssert.Contains(message.Subject, "2016-12");
        StringAssert.Contains(message.HtmlBody, "Region 行政区划 四川省 (510000): 1 violations detected in 2016-12");
        StringAssert.Contains(message.HtmlBody, "2016-07");
    }

    private static (string Sichuan, string Guizhou, string Enterprise) Mailboxes()
    {
        var id = Guid.NewGuid().ToString("N")[..8];
        return ($"sichuan-{id}@regulator.example.cn", $"guizhou-{id}@regulator.example.cn", $"deyang-{id}@enterprise.example.cn");
    }

    private static PipelineHarness Harness((string Sichuan, string Guizhou, string Enterprise) mail, DateTimeOffset now, string enterpriseName = "德阳示例有限公司", Action<IServiceCollection>? configure = null) => new(
        new Dictionary<string, string?>
        {
            ["Smtp:Host"] = "127.0.0.1",
            ["Smtp:Port"] = smtp!.SmtpPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Smtp:Security"] = "None",
            ["Digest:Recipients:0:Email"] = mail.Sichuan,
            ["Digest:Recipients:0:Region"] = Sichuan,
            ["Digest:Recipients:1:Email"] = mail.Guizhou,
            ["Digest:Recipients:1:Region"] = Guizhou,
            ["Digest:Recipients:2:Email"] = mail.Enterprise,
            ["Digest:Recipients:2:Uscc"] = "91510600G612DD2721",
            ["Digest:Recipients:2:Name"] = enterpriseName,
        },
        configure,
        now);

    /// <summary>June 2016: Deyang's sample (3 violations in 510600), a Chengdu filing with one row in Chengdu and one in Guiyang.</summary>
    private static Task SeedJuneAsync(PipelineHarness harness) => harness.SeedJuneAsync();

    private static async Task<List<MimeMessage>> MailTo(string address) =>
        [.. (await smtp!.MessagesAsync()).Where(m => m.To.Mailboxes.Any(b => b.Address == address))];

    /// <summary>Lets the first send fail, as a mail server outage would, after the digest was archived.</summary>
    private sealed class FailingOnce
    {
        public string? FailedFor { get; private set; }

        public IDigestSender Wrap(IDigestSender inner) => new Sender(this, inner);

        private sealed class Sender(FailingOnce owner, IDigestSender inner) : IDigestSender
        {
            public Task SendAsync(DigestMail mail, CancellationToken cancellationToken)
            {
                if (owner.FailedFor is null)
                {
                    owner.FailedFor = mail.To;
                    throw new IOException("Simulated: the mail server closed the connection.");
                }

                return inner.SendAsync(mail, cancellationToken);
            }
        }
    }
}
