using System.Globalization;
using System.Net;
using System.Text.Json;
using Azure.Storage.Blobs;
using Compliance.Core.Filings;
using Compliance.LocalStack;
using Compliance.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Compliance.Pipeline.Tests;

/// <summary>
/// The regulators' workspace in a browser against the local host, seeded the way filings really arrive (blobs the
/// trigger checks): the overview's counts, drilling from a city to a rule to a finding, a bulk review, the export,
/// and a city's regulator who sees only its city.
/// </summary>
[TestClass]
public sealed class WorkspaceTests
{
    private const string Month = "2016-09";
    private const int ChengduEnterprises = 20;
    private const int MianyangEnterprises = 3;
    private const int DeyangEnterprises = 2;

    /// <summary>Earlier months of the trend: Chengdu's first enterprises filed the same breach in July and August.</summary>
    private const int JulyFindings = 4;
    private const int AugustFindings = 8;

    private static IHost? host;
    private static HttpClient? http;
    private static SmtpServer? smtp;

    [ClassInitialize]
    public static async Task StartAsync(TestContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var suffix = Guid.NewGuid().ToString("N")[..8];
        smtp = await SmtpServer.StartAsync(context.CancellationToken);
        var settings = ApiSettings.WithTokens(ApiSettings.Isolated("ws", suffix), ("reg-sc", "regulator|510000|wang@sc.gov.cn"), ("reg-my", "regulator|510700|li@my.gov.cn"));
        settings["Smtp:Host"] = "127.0.0.1";
        settings["Smtp:Port"] = smtp.SmtpPort.ToString(CultureInfo.InvariantCulture);
        settings["Smtp:Security"] = "None";
        settings["Digest:Recipients:0:Email"] = SichuanMailbox;
        settings["Digest:Recipients:0:Region"] = "510000";
        for (var i = 0; i < EnterpriseNames.Length; i++)
        {
            // Enterprises are known by the names their recipients' entries give.
            settings[$"Digest:Recipients:{i + 1}:Email"] = $"finance{i}@enterprise.example.cn";
            settings[$"Digest:Recipients:{i + 1}:Uscc"] = Enterprise("510100", i);
            settings[$"Digest:Recipients:{i + 1}:Name"] = EnterpriseNames[i];
        }

        host = LocalHost.CreateBuilder(AzuriteFixture.ConnectionString, settings, apiUrl: "http://127.0.0.1:0").Build();
        await host.StartAsync(context.CancellationToken);
        http = new HttpClient { BaseAddress = LocalHost.ApiAddress(host) };

        // Twenty Chengdu payrolls with the housing fund at 13%; Mianyang's with the pension at 21% as well;
        // Deyang's within the limits but for one housing fund rate. One finding per enterprise and rule.
        var container = new BlobServiceClient(AzuriteFixture.ConnectionString).GetBlobContainerClient($"ws-filings-{suffix}");
        await container.CreateIfNotExistsAsync(cancellationToken: context.CancellationToken);
        foreach (var (region, count, pension) in new[] { ("510100", ChengduEnterprises, "19"), ("510700", MianyangEnterprises, "21"), ("510600", DeyangEnterprises, "19") })
        {
            for (var i = 0; i < count; i++)
            {
                var uscc = Enterprise(region, i);
                var csv = TestRows.PayrollHeader + string.Concat(Enumerable.Range(1, 3).Select(e => $"{uscc},{Month},{region},E{e},8000,13,{pension}\r\n"));
                await container.GetBlobClient($"{uscc}/payroll-{Month}.csv").UploadAsync(BinaryData.FromString(csv), overwrite: true, context.CancellationToken);
            }
        }

        foreach (var (month, count) in new[] { ("2016-07", JulyFindings), ("2016-08", AugustFindings) })
        {
            for (var i = 0; i < count; i++)
            {
                var uscc = Enterprise("510100", i);
                var csv = TestRows.PayrollHeader + $"{uscc},{month},510100,E1,8000,13,19\r\n";
                await container.GetBlobClient($"{uscc}/payroll-{month}.csv").UploadAsync(BinaryData.FromString(csv), overwrite: true, context.CancellationToken);
            }
        }

        // The trigger checks them in its own time: wait until the overview counts every finding.
        for (var attempt = 0; attempt < 240 && await TrendAsync("reg-sc") != (JulyFindings, AugustFindings, Expected); attempt++)
        {
            await Task.Delay(500, context.CancellationToken);
        }
    }

    /// <summary>Findings uploaded: one housing fund finding per enterprise, and a pension one per Mianyang enterprise.</summary>
    private const int Expected = ChengduEnterprises + MianyangEnterprises + DeyangEnterprises + MianyangEnterprises;

    private const string SichuanMailbox = "wang@sc.gov.cn";

    private static readonly string[] EnterpriseNames = ["成都锦江示例贸易有限公司", "成都天府示例科技有限公司", "成都青羊示例餐饮有限公司"];

    [ClassCleanup]
    public static async Task StopAsync()
    {
        await LocalApi.StopAsync(host, http);
        if (smtp is not null)
        {
            await smtp.DisposeAsync();
        }
    }

    [TestMethod]
    public async Task Regulator_SeesTheMonth_DrillsFromCityToRuleToFinding_ReviewsTwentyAtOnce_AndExports()
    {
        Assert.AreEqual(Expected, await TotalAsync("reg-sc"), "every uploaded finding is counted");
        using (var overview = await http!.SendAsync(HttpMethod.Get, $"/api/overview?month={Month}", "reg-sc"))
        {
            var backlog = JsonDocument.Parse(await overview.Content.ReadAsStringAsync()).RootElement.GetProperty("backlog").EnumerateArray()
                .Select(b => $"{b.GetProperty("oldest").GetString()}..{b.GetProperty("newest").GetString()}: {b.GetProperty("outstanding").GetInt32()}").ToArray();
            string[] expected = [$"{Month}..{Month}: {Expected}", $"2016-08..2016-08: {AugustFindings}", $"2016-06..2016-07: {JulyFindings}", "2016-03..2016-05: 0", "2015-10..2016-02: 0"];
            CollectionAssert.AreEqual(expected, backlog, "the open backlog by the age of its period (a confirmed finding is still outstanding)");
        }

        using var playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        await using var browser = await LocalApi.LaunchAsync(playwright);
        var context = await browser.NewContextAsync(new() { AcceptDownloads = true, ViewportSize = new() { Width = 1100, Height = 900 } });
        var page = await context.NewPageAsync();
        var problems = LocalApi.WatchConsole(page);

        // A link as one regulator mails another: the month is in it.
        await page.GotoAsync(new Uri(http!.BaseAddress!, $"/?month={Month}").ToString());
        await page.FillAsync("#token", "reg-sc");
        await page.ClickAsync("#signin-button");
        await page.GetByText($"{Month} 四川省：违规事项 {Expected} 项").WaitForAsync();
        StringAssert.Contains(await page.Locator("#drill-regions").InnerTextAsync(), $"成都市 (510100): {ChengduEnterprises}");
        StringAssert.Contains(await page.Locator("#backlog").InnerTextAsync(), $"1 个月 month(s)\t2016-08\t{AugustFindings}");
        StringAssert.Contains(await page.Locator("#drill-regions").InnerTextAsync(), $"绵阳市 (510700): {2 * MianyangEnterprises}");
        Assert.AreEqual(1, await page.EvaluateAsync<int>("document.querySelectorAll('#chart-rules canvas').length"), "the chart is drawn");
        Directory.CreateDirectory(Path.Combine(Samples.Root, "docs", "images"));
        await page.ScreenshotAsync(new() { Path = Path.Combine(Samples.Root, "docs", "images", "workspace-overview.png"), FullPage = true });

        // Into Chengdu, then its housing fund rule, then one finding.
        await page.Locator("#drill-regions button", new() { HasText = "成都市" }).ClickAsync();
        await page.GetByText($"{Month} 成都市：违规事项 {ChengduEnterprises} 项").WaitForAsync();
        await page.Locator("#drill-rules button", new() { HasText = "HF-RATE-CAP" }).ClickAsync();
        await page.Locator("#list tbody tr").Nth(ChengduEnterprises - 1).WaitForAsync();
        Assert.AreEqual(ChengduEnterprises, await page.Locator("#list tbody tr").CountAsync(), $"{page.Url} {await page.Locator("#message").InnerTextAsync()}");
        StringAssert.Contains(page.Url, "region=510100");
        StringAssert.Contains(page.Url, "rule=HF-RATE-CAP");
        await page.Locator("#list tbody tr").First.ClickAsync();
        await page.Locator("#detail form").WaitForAsync();
        StringAssert.Contains(await page.Locator("#detail").InnerTextAsync(), "国发〔2016〕48号 (二十)");

        // The link opens the same list for whoever signs in with it (in a new tab, which holds no sign-in yet).
        var linked = await context.NewPageAsync();
        await linked.GotoAsync(page.Url);
        await linked.FillAsync("#token", "reg-sc");
        await linked.ClickAsync("#signin-button");
        await linked.Locator("#list tbody tr").Nth(ChengduEnterprises - 1).WaitForAsync();
        Assert.AreEqual(ChengduEnterprises, await linked.Locator("#list tbody tr").CountAsync());
        await linked.CloseAsync();

        // All twenty confirmed in one action, each with its own audit entry.
        await page.ClickAsync("#select-matching");
        await page.GetByText($"已选 {ChengduEnterprises} 项").WaitForAsync();
        await page.FillAsync("#bulk-note", "成都市九月住房公积金超比例，批量确认");
        await page.ClickAsync("#bulk-submit");
        await page.Locator("#bulk-result").Filter(new() { HasText = "已复核" }).WaitForAsync(new() { Timeout = 60_000 });
        StringAssert.StartsWith(await page.Locator("#bulk-result").InnerTextAsync(), $"已复核 {ChengduEnterprises} 项，未复核 0 项");
        var confirmed = await ItemsAsync("reg-sc", $"/api/violations?period={Month}&region=510100&rule=HF-RATE-CAP&status=confirmed");
        Assert.HasCount(ChengduEnterprises, confirmed);
        foreach (var finding in confirmed)
        {
            using var detail = await http!.SendAsync(HttpMethod.Get, $"/api/violations/{Uri.EscapeDataString(finding.GetProperty("id").GetString()!)}", "reg-sc");
            var history = JsonDocument.Parse(await detail.Content.ReadAsStringAsync()).RootElement.GetProperty("history").EnumerateArray().ToList();
            Assert.AreEqual(1, history.Count(h => h.GetProperty("to").GetString() == "confirmed" && h.GetProperty("note").GetString() == "成都市九月住房公积金超比例，批量确认"));
        }

        await page.GetByText($"{Month} 成都市：违规事项 {ChengduEnterprises} 项，待处理 {ChengduEnterprises}").WaitForAsync(); // confirmed is still outstanding

        // The export is the list.
        var download = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("#export-xlsx"));
        using var work = new TempFolder("workspace-");
        var saved = work.File(download.SuggestedFilename);
        await download.SaveAsAsync(saved);
        var rows = XlsxRows.Read(saved);
        CollectionAssert.AreEquivalent(confirmed.Select(f => f.GetProperty("id").GetString()).ToArray(), rows.Skip(1).Select(r => r[^1]).ToArray());
        Assert.IsTrue(rows.Skip(1).All(r => r[3] == "成都市" && r[13] == "confirmed" && r[12].StartsWith("对住房公积金缴存比例高于", StringComparison.Ordinal)), "region named, review state and the clause's text");

        // One enterprise over time: its filing, its finding, and in the finding the bulk review's entry.
        var top = page.Locator("#top-enterprises tbody button").First;
        var uscc = await top.InnerTextAsync();
        await top.ClickAsync();
        await page.Locator("#enterprise-findings tbody tr").First.WaitForAsync();
        StringAssert.Contains(await page.Locator("#enterprise-title").InnerTextAsync(), uscc);
        StringAssert.Contains(await page.Locator("#enterprise-filings tbody").InnerTextAsync(), $"payroll-{Month}.csv");
        StringAssert.Contains(page.Url, $"uscc={uscc}");
        await page.Locator("#enterprise-findings tbody tr").First.ClickAsync();
        await page.Locator("#history li").First.WaitForAsync();
        StringAssert.Contains(await page.Locator("#history").InnerTextAsync(), "成都市九月住房公积金超比例，批量确认");

        await page.ScreenshotAsync(new() { Path = Path.Combine(Samples.Root, "docs", "images", "workspace-drill.png"), FullPage = true });
        Assert.IsEmpty(problems, string.Join(Environment.NewLine, problems));
    }

    /// <summary>
    /// The month's digest as the Sichuan regulator receives it (sent through a real SMTP server, read back as MIME):
    /// three charts inline, cities and enterprises by name, the same counts as the workspace. Rendered in Chromium
    /// for the README.
    /// </summary>
    [TestMethod]
    public async Task Digest_AsTheRegulatorReceivesIt_NamesCitiesAndEnterprises_AndItsChartsSayTheCounts()
    {
        var digests = host!.Services.GetRequiredService<Compliance.Pipeline.Digests.DigestService>();

        await digests.RunAsync(Period.Parse(Month), send: true, CancellationToken.None);

        var mail = (await smtp!.MessagesAsync()).Single(m => m.To.Mailboxes.Any(b => b.Address == SichuanMailbox));
        StringAssert.Contains(mail.Subject, $"{Month} — 四川省 (510000)");
        var images = mail.BodyParts.OfType<MimeKit.MimePart>().Where(p => p.ContentType.MimeType == "image/png").ToDictionary(p => p.ContentId ?? string.Empty, Png);
        CollectionAssert.AreEquivalent(Compliance.Core.Digests.DigestHtml.ChartIds.ToArray(), images.Keys.ToArray(), "every chart travels inline");
        var html = mail.HtmlBody ?? string.Empty;
        using var document = new AngleSharp.Html.Parser.HtmlParser().ParseDocument(html);
        var alts = document.Images.ToDictionary(i => i.Source!.Replace("cid:", string.Empty, StringComparison.Ordinal), i => i.AlternativeText!);
        Assert.AreEqual($"按地区 Findings by region · {Month}: 成都市 510100 {ChengduEnterprises}, 绵阳市 510700 {2 * MianyangEnterprises}, 德阳市 510600 {DeyangEnterprises}", alts["by-region"], "cities by name, as the workspace counts them");
        StringAssert.Contains(alts["by-rule"], $"住房公积金缴存比例不得超过12% HF-RATE-CAP {ChengduEnterprises + MianyangEnterprises + DeyangEnterprises}");
        StringAssert.EndsWith(alts["trend"], $"2016-07 {JulyFindings}, 2016-08 {AugustFindings}, {Month} {Expected}");
        foreach (var name in EnterpriseNames)
        {
            StringAssert.Contains(document.Body!.TextContent, name, "an enterprise by the name it is known by");
        }

        // As a mail client shows it: the content ids resolved to the attached images.
        foreach (var (id, png) in images)
        {
            html = html.Replace($"cid:{id}", "data:image/png;base64," + Convert.ToBase64String(png), StringComparison.Ordinal);
        }

        using var playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        await using var browser = await LocalApi.LaunchAsync(playwright);
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 800, Height = 900 } });
        var problems = LocalApi.WatchConsole(page);
        await page.SetContentAsync(html);
        Assert.IsTrue(await page.EvaluateAsync<bool>("[...document.images].every(i => i.complete && i.naturalWidth === 1280)"), "every chart decodes, at twice its shown width");
        // The summary, the tables and the charts; the list of findings below them runs on for pages.
        var listTop = await page.Locator("h2", new() { HasText = "违规明细" }).EvaluateAsync<int>("h => Math.round(h.getBoundingClientRect().top + window.scrollY)");
        await page.ScreenshotAsync(new() { Path = Path.Combine(Samples.Root, "docs", "images", "digest.png"), FullPage = true, Clip = new() { X = 0, Y = 0, Width = 800, Height = listTop } });
        Assert.IsEmpty(problems, string.Join(Environment.NewLine, problems));

        static byte[] Png(MimeKit.MimePart part)
        {
            using var bytes = new MemoryStream();
            part.Content!.DecodeTo(bytes);
            return bytes.ToArray();
        }
    }

    [TestMethod]
    public async Task CityRegulator_SeesOnlyItsCity()
    {
        using var overview = await http!.SendAsync(HttpMethod.Get, $"/api/overview?month={Month}", "reg-my");
        var mianyang = JsonDocument.Parse(await overview.Content.ReadAsStringAsync()).RootElement;
        Assert.AreEqual(("510700", "绵阳市"), (mianyang.GetProperty("region").GetString(), mianyang.GetProperty("regionName").GetString()));
        Assert.AreEqual(2 * MianyangEnterprises, mianyang.GetProperty("trend")[11].GetProperty("findings").GetInt32());
        using var province = await http!.SendAsync(HttpMethod.Get, $"/api/overview?month={Month}&region=510000", "reg-my");
        Assert.AreEqual(HttpStatusCode.Forbidden, province.StatusCode);
        var listed = await ItemsAsync("reg-my", $"/api/violations?period={Month}&region=510700");
        Assert.HasCount(2 * MianyangEnterprises, listed);
        using var elsewhere = await http!.SendAsync(HttpMethod.Get, $"/api/violations?period={Month}&region=510100", "reg-my");
        var answer = await elsewhere.Content.ReadAsStringAsync();
        Assert.IsTrue(elsewhere.StatusCode != HttpStatusCode.OK || JsonDocument.Parse(answer).RootElement.GetProperty("items").GetArrayLength() == 0, answer);

        using var playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        await using var browser = await LocalApi.LaunchAsync(playwright);
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 375, Height = 800 } });
        var problems = LocalApi.WatchConsole(page);
        await page.GotoAsync(new Uri(http!.BaseAddress!, $"/?month={Month}").ToString());
        await page.FillAsync("#token", "reg-my");
        await page.Keyboard.PressAsync("Tab");
        await page.Keyboard.PressAsync("Enter");
        await page.GetByText($"{Month} 绵阳市：违规事项 {2 * MianyangEnterprises} 项").WaitForAsync();
        Assert.DoesNotContain("成都", await page.Locator("#overview").InnerTextAsync());
        Assert.IsLessThanOrEqualTo(375, await page.EvaluateAsync<int>("document.documentElement.scrollWidth"), await page.EvaluateAsync<string>("[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 375).map(e => e.tagName + '#' + e.id + ' ' + Math.round(e.getBoundingClientRect().right)).join(', ')"));
        Assert.IsEmpty(problems, string.Join(Environment.NewLine, problems));
    }

    private static string Enterprise(string region, int index)
    {
        var first17 = string.Create(CultureInfo.InvariantCulture, $"91{region}MA{index:D7}");
        return first17 + Uscc.ComputeCheckCharacter(first17);
    }

    private static async Task<int> TotalAsync(string token) => (await TrendAsync(token)).September;

    private static async Task<(int July, int August, int September)> TrendAsync(string token)
    {
        using var response = await http!.SendAsync(HttpMethod.Get, $"/api/overview?month={Month}", token);
        if (!response.IsSuccessStatusCode)
        {
            return (-1, -1, -1);
        }

        var trend = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("trend");
        return (trend[9].GetProperty("findings").GetInt32(), trend[10].GetProperty("findings").GetInt32(), trend[11].GetProperty("findings").GetInt32());
    }

    private static async Task<List<JsonElement>> ItemsAsync(string token, string url)
    {
        using var response = await http!.SendAsync(HttpMethod.Get, url + "&pageSize=200", token);
        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode, await response.Content.ReadAsStringAsync());
        return [.. JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("items").EnumerateArray().Select(e => e.Clone())];
    }
}
