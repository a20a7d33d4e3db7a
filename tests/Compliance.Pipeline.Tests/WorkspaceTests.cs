using System.Globalization;
using System.Net;
using System.Text.Json;
using Azure.Storage.Blobs;
using Compliance.Core.Filings;
using Compliance.LocalStack;
using Compliance.Testing;
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

    private static IHost? host;
    private static HttpClient? http;

    [ClassInitialize]
    public static async Task StartAsync(TestContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var suffix = Guid.NewGuid().ToString("N")[..8];
        host = LocalHost.CreateBuilder(
            AzuriteFixture.ConnectionString,
            ApiSettings.WithTokens(ApiSettings.Isolated("ws", suffix), ("reg-sc", "regulator|510000|wang@sc.gov.cn"), ("reg-my", "regulator|510700|li@my.gov.cn")),
            apiUrl: "http://127.0.0.1:0").Build();
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

        // The trigger checks them in its own time: wait until the overview counts every finding.
        for (var attempt = 0; attempt < 240 && await TotalAsync("reg-sc") != Expected; attempt++)
        {
            await Task.Delay(500, context.CancellationToken);
        }
    }

    /// <summary>Findings uploaded: one housing fund finding per enterprise, and a pension one per Mianyang enterprise.</summary>
    private const int Expected = ChengduEnterprises + MianyangEnterprises + DeyangEnterprises + MianyangEnterprises;

    [ClassCleanup]
    public static Task StopAsync() => LocalApi.StopAsync(host, http);

    [TestMethod]
    public async Task Regulator_SeesTheMonth_DrillsFromCityToRuleToFinding_ReviewsTwentyAtOnce_AndExports()
    {
        Assert.AreEqual(Expected, await TotalAsync("reg-sc"), "every uploaded finding is counted");
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
        var saved = Path.Combine(Path.GetTempPath(), $"{Guid.NewGuid():N}-{download.SuggestedFilename}");
        await download.SaveAsAsync(saved);
        var rows = XlsxRows.Read(saved);
        File.Delete(saved);
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

    private static async Task<int> TotalAsync(string token)
    {
        using var response = await http!.SendAsync(HttpMethod.Get, $"/api/overview?month={Month}", token);
        return response.IsSuccessStatusCode ? JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("trend")[11].GetProperty("findings").GetInt32() : -1;
    }

    private static async Task<List<JsonElement>> ItemsAsync(string token, string url)
    {
        using var response = await http!.SendAsync(HttpMethod.Get, url + "&pageSize=200", token);
        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode, await response.Content.ReadAsStringAsync());
        return [.. JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("items").EnumerateArray().Select(e => e.Clone())];
    }
}
