using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Azure.Storage.Blobs;
using Compliance.LocalStack;
using Compliance.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Compliance.Pipeline.Tests;

/// <summary>The review API of the local host, over HTTP, on Azurite: who sees what, hostile filters, ETags.</summary>
[TestClass]
public sealed class ReviewApiTests
{
    private const string Deyang = "91510600G612DD2721";
    private const string Chengdu = "91510100A4C12H3B1Y";
    private const string Header = Compliance.Testing.TestRows.PayrollHeader;

    private static IHost? host;
    private static HttpClient? http;

    [ClassInitialize]
    public static async Task StartAsync(TestContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var suffix = Guid.NewGuid().ToString("N")[..8];
        host = LocalHost.CreateBuilder(AzuriteFixture.ConnectionString, ApiSettings.Isolated("api", suffix), apiUrl: "http://127.0.0.1:0").Build();
        await host.StartAsync(context.CancellationToken);
        http = new HttpClient { BaseAddress = LocalHost.ApiAddress(host) };

        var container = new BlobServiceClient(AzuriteFixture.ConnectionString).GetBlobContainerClient($"api-filings-{suffix}");
        await container.CreateIfNotExistsAsync(cancellationToken: context.CancellationToken);
        var processor = host.Services.GetRequiredService<FilingProcessor>();
        foreach (var (uscc, csv) in new[]
        {
            (Deyang, Header + $"{Deyang},2017-03,510600,D1,8000,13,19\r\n{Deyang},2017-03,510600,D2,8000,12,21\r\n"),
            (Chengdu, Header + $"{Chengdu},2017-03,510100,C1,8000,14,19\r\n{Chengdu},2017-03,520100,C2,8000,12,22\r\n"),
        })
        {
            await container.GetBlobClient($"{uscc}/march.csv").UploadAsync(BinaryData.FromString(csv), overwrite: true, context.CancellationToken);
            await processor.ProcessAsync(uscc, "march.csv", context.CancellationToken);
        }

        // Chengdu's August payroll: 50,000 employees, housing fund at 13% for all — one systemic finding.
        await container.GetBlobClient($"{Chengdu}/august.csv").UploadAsync(BinaryData.FromString(FindingPipelineTests.Payroll(SystemicRows, _ => "13")), overwrite: true, context.CancellationToken);
        await processor.ProcessAsync(Chengdu, "august.csv", context.CancellationToken);
    }

    private const int SystemicRows = 50_000;

    [ClassCleanup]
    public static Task StopAsync() => LocalApi.StopAsync(host, http);

    [TestMethod]
    [DataRow(null)]
    [DataRow("not-a-token")]
    public async Task WithoutAKnownToken_Is401(string? token)
    {
        using var response = await SendAsync(HttpMethod.Get, "/api/violations?period=2017-03", token);

        Assert.AreEqual(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.AreEqual("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [TestMethod]
    public async Task RegulatorsSeeTheirProvinceOnly()
    {
        var sichuan = await ItemsAsync("reg-sc", "/api/violations?period=2017-03");
        var guizhou = await ItemsAsync("reg-gz", "/api/violations?period=2017-03");

        CollectionAssert.AreEquivalent(new[] { "510600", "510600", "510100" }, sichuan.Select(i => i.GetProperty("region").GetString()).ToArray());
        CollectionAssert.AreEqual(new[] { "520100" }, guizhou.Select(i => i.GetProperty("region").GetString()).ToArray());
    }

    [TestMethod]
    public async Task EnterprisesSeeTheirOwnAndNothingElseExists()
    {
        var own = await ItemsAsync("ent-dy", "/api/violations");
        var askedForOther = await ItemsAsync("ent-dy", $"/api/violations?uscc={Chengdu}");
        var chengduId = (await ItemsAsync("ent-cd", "/api/violations"))[0].GetProperty("id").GetString();

        Assert.HasCount(2, own);
        Assert.IsTrue(own.All(i => i.GetProperty("uscc").GetString() == Deyang));
        Assert.IsEmpty(askedForOther);
        using var probe = await SendAsync(HttpMethod.Get, $"/api/violations/{chengduId}", "ent-dy");
        Assert.AreEqual(HttpStatusCode.NotFound, probe.StatusCode, "another enterprise's violation is not found, not forbidden");
        using var review = await SendAsync(HttpMethod.Post, $"/api/violations/{own[0].GetProperty("id").GetString()}/review", "ent-dy", new { status = "dismissed", note = "ours is fine" }, ifMatch: ApiSettings.WellFormedETag);
        Assert.AreEqual(HttpStatusCode.Forbidden, review.StatusCode);
    }

    [TestMethod]
    [DataRow("/api/violations?period=2017-03&rule=HF-RATE-CAP%27%20or%20Rule%20ne%20%27")]
    [DataRow("/api/violations?period=2017-03&status=open%27%20or%20%271%27%20eq%20%271")]
    [DataRow("/api/violations?period=2017-03%27%20or%20PartitionKey%20ne%20%27")]
    [DataRow("/api/violations?uscc=x%27%20or%20PartitionKey%20ne%20%27")]
    [DataRow("/api/violations?rule=HF-RATE-CAP")]
    [DataRow("/api/violations?period=2017-03&pageSize=abc")]
    public async Task HostileOrIncompleteFilters_Are400NeverOtherTenantsData(string url)
    {
        using var response = await SendAsync(HttpMethod.Get, url, "reg-gz");

        Assert.AreEqual(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.DoesNotContain("510600", await response.Content.ReadAsStringAsync());
    }

    [TestMethod]
    public async Task ASystemicFinding_IsOneItem_AndItsRowsPageThroughAllFiftyThousandInOrder()
    {
        var finding = (await ItemsAsync("reg-sc", "/api/violations?period=2016-08")).Single();
        Assert.AreEqual((SystemicRows, SystemicRows, true, 13.0), (finding.GetProperty("rowCount").GetInt32(), finding.GetProperty("employeeCount").GetInt32(), finding.GetProperty("declared").GetBoolean(), finding.GetProperty("observed").GetDouble()));
        var id = finding.GetProperty("id").GetString()!;

        var rows = new List<int>();
        string? token = null;
        var pages = 0;
        do
        {
            var url = $"/api/violations/{Uri.EscapeDataString(id)}/rows?pageSize=1000" + (token is null ? string.Empty : $"&continuationToken={Uri.EscapeDataString(token)}");
            using var response = await SendAsync(HttpMethod.Get, url, "ent-cd");
            Assert.AreEqual(HttpStatusCode.OK, response.StatusCode, await response.Content.ReadAsStringAsync());
            var page = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            rows.AddRange(page.GetProperty("items").EnumerateArray().Select(r => r.GetProperty("row").GetInt32()));
            token = page.GetProperty("continuationToken").GetString();
            pages++;
        }
        while (token is not null);

        Assert.AreEqual(SystemicRows / 1000, pages);
        CollectionAssert.AreEqual(Enumerable.Range(2, SystemicRows).ToList(), rows, "every row, once, in file order");
    }

    [TestMethod]
    public async Task Responses_AreTheEnterprisesOwn_AndChangeNoStatus()
    {
        // Chengdu's March housing-fund finding: the other tests review Deyang's.
        var id = (await ItemsAsync("ent-cd", "/api/violations?period=2017-03&rule=HF-RATE-CAP")).Single().GetProperty("id").GetString()!;
        var url = $"/api/violations/{Uri.EscapeDataString(id)}/responses";

        using var own = await SendAsync(HttpMethod.Post, url, "ent-cd", new { text = "已整改 Corrected from April." });
        using var empty = await SendAsync(HttpMethod.Post, url, "ent-cd", new { text = "  " });
        using var tooLong = await SendAsync(HttpMethod.Post, url, "ent-cd", new { text = new string('说', Compliance.Pipeline.Review.ReviewService.MaxResponseLength + 1) });
        using var regulator = await SendAsync(HttpMethod.Post, url, "reg-sc", new { text = "a regulator reviews instead" });
        using var other = await SendAsync(HttpMethod.Post, url, "ent-dy", new { text = "not mine" });

        Assert.AreEqual(HttpStatusCode.OK, own.StatusCode, await own.Content.ReadAsStringAsync());
        var detail = JsonDocument.Parse(await own.Content.ReadAsStringAsync()).RootElement;
        var last = detail.GetProperty("history").EnumerateArray().Last();
        Assert.AreEqual(("response", "chengdu finance", "已整改 Corrected from April."), (last.GetProperty("kind").GetString(), last.GetProperty("who").GetString(), last.GetProperty("note").GetString()));
        Assert.AreEqual(last.GetProperty("from").GetString(), last.GetProperty("to").GetString(), "an explanation changes no status");
        Assert.AreEqual((HttpStatusCode.BadRequest, HttpStatusCode.BadRequest), (empty.StatusCode, tooLong.StatusCode));
        Assert.AreEqual(HttpStatusCode.Forbidden, regulator.StatusCode);
        Assert.AreEqual(HttpStatusCode.NotFound, other.StatusCode, "another enterprise's finding is not found");
    }

    [TestMethod]
    public async Task Me_SaysWhoTheTokenNames_OrThatNobodyIsSignedIn()
    {
        using var nobody = await SendAsync(HttpMethod.Get, "/api/me", null);
        using var unknown = await SendAsync(HttpMethod.Get, "/api/me", "not-a-token");
        using var chengdu = await SendAsync(HttpMethod.Get, "/api/me", "ent-cd");
        using var sichuan = await SendAsync(HttpMethod.Get, "/api/me", "reg-sc");

        Assert.AreEqual((HttpStatusCode.OK, HttpStatusCode.OK), (nobody.StatusCode, unknown.StatusCode), "asking is not an error");
        Assert.AreEqual(JsonValueKind.Null, JsonDocument.Parse(await nobody.Content.ReadAsStringAsync()).RootElement.GetProperty("role").ValueKind);
        Assert.AreEqual(JsonValueKind.Null, JsonDocument.Parse(await unknown.Content.ReadAsStringAsync()).RootElement.GetProperty("role").ValueKind);
        var enterprise = JsonDocument.Parse(await chengdu.Content.ReadAsStringAsync()).RootElement;
        Assert.AreEqual(("enterprise", Chengdu), (enterprise.GetProperty("role").GetString(), enterprise.GetProperty("uscc").GetString()));
        Assert.AreEqual("510000", JsonDocument.Parse(await sichuan.Content.ReadAsStringAsync()).RootElement.GetProperty("region").GetString());
    }

    [TestMethod]
    public async Task Labels_AreTheSelfChecksWords_InTheCallersLanguage_WithoutSignIn()
    {
        async Task<JsonElement> Labels(string language)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/labels");
            request.Headers.AcceptLanguage.ParseAdd(language);
            using var response = await http!.SendAsync(request);
            Assert.AreEqual(HttpStatusCode.OK, response.StatusCode);
            return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
        }

        var zh = await Labels("zh-CN");
        var en = await Labels("en");

        // The same words `compliance check --lang zh` prints: one resource behind the portal and the command.
        Assert.AreEqual(Compliance.Core.Texts.ReportLabels.Text(Compliance.Core.Texts.ReportLabel.StatusRejected, Compliance.Core.Texts.Languages.Chinese), zh.GetProperty("STATUS_REJECTED").GetString());
        Assert.AreEqual(("已退回", "依据", "怎么办"), (zh.GetProperty("STATUS_REJECTED").GetString(), zh.GetProperty("COL_CLAUSE").GetString(), zh.GetProperty("COL_REMEDY").GetString()));
        Assert.AreEqual(("rejected", "Clause", "What to do"), (en.GetProperty("STATUS_REJECTED").GetString(), en.GetProperty("COL_CLAUSE").GetString(), en.GetProperty("COL_REMEDY").GetString()));
        Assert.AreEqual(Enum.GetValues<Compliance.Core.Texts.ReportLabel>().Length, zh.EnumerateObject().Count());

        // Odd or hostile headers get the default language, never an error.
        foreach (var odd in new[] { ";;;q=abc, ,", "xx-INVALID-LANGUAGE-TAG-THAT-IS-LONG", "zh-TW;q=0.1, fr;q=0.9", new string('a', 4000) })
        {
            var labels = await InLanguageAsync("/api/labels", odd, "zh-CN");
            Assert.AreEqual("已退回", labels.GetProperty("STATUS_REJECTED").GetString(), odd);
        }
    }

    [TestMethod]
    public async Task Templates_AreServedWithoutSignIn_AsTheContractGeneratesThem()
    {
        using var xlsx = await SendAsync(HttpMethod.Get, "/api/templates/payroll?format=xlsx", null);
        using var gb = await SendAsync(HttpMethod.Get, "/api/templates/fees?format=csv&encoding=gb18030", null);
        using var unknown = await SendAsync(HttpMethod.Get, "/api/templates/invoices", null);
        using var badFormat = await SendAsync(HttpMethod.Get, "/api/templates/payroll?format=pdf", null);

        Assert.AreEqual(HttpStatusCode.OK, xlsx.StatusCode);
        Assert.AreEqual("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", xlsx.Content.Headers.ContentType?.MediaType);
        Assert.AreEqual("payroll-template.xlsx", xlsx.Content.Headers.ContentDisposition?.FileNameStar ?? xlsx.Content.Headers.ContentDisposition?.FileName);
        using var downloaded = new MemoryStream(await xlsx.Content.ReadAsByteArrayAsync());
        using var report = new Compliance.Core.Checking.FilingChecker(Compliance.Core.Policies.PolicyCatalog.LoadEmbedded()).Check(downloaded, "payroll-template.xlsx");
        StringAssert.Contains(report.Error, "header row but no data rows", "the checker reads the template's header as a payroll filing");
        Assert.AreEqual("payroll", report.Kind);
        using var expected = new MemoryStream();
        Compliance.Core.Templates.FilingTemplates.Write(Compliance.Core.Filings.FilingKind.Fees, Compliance.Core.Templates.TemplateFormat.CsvGb18030, Compliance.Core.Policies.PolicyCatalog.LoadEmbedded(), expected);
        CollectionAssert.AreEqual(expected.ToArray(), await gb.Content.ReadAsByteArrayAsync());
        Assert.AreEqual(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.AreEqual(HttpStatusCode.BadRequest, badFormat.StatusCode);
    }

    [TestMethod]
    public async Task ALargeResultDocument_ComesWithItsFindingsWholeAndItsFirstRows()
    {
        var august = (await FilingItemsAsync("ent-cd", "/api/filings")).Single(f => f.GetProperty("file").GetString() == "august.csv");

        using var response = await SendAsync(HttpMethod.Get, $"/api/filings/{august.GetProperty("id").GetString()}", "ent-cd");

        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode);
        Assert.IsLessThan(2 * 1024 * 1024, response.Content.Headers.ContentLength ?? (await response.Content.ReadAsByteArrayAsync()).Length, "not the 20 MB document");
        var file = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("result").GetProperty("files")[0];
        Assert.AreEqual(Compliance.Pipeline.Review.FilingQueries.ListedRowsOfALargeResult, file.GetProperty("violations").GetArrayLength());
        Assert.AreEqual(SystemicRows - Compliance.Pipeline.Review.FilingQueries.ListedRowsOfALargeResult, file.GetProperty("violations_omitted").GetInt32());
        Assert.AreEqual(SystemicRows, file.GetProperty("findings")[0].GetProperty("rowCount").GetInt32());
        Assert.AreEqual(1001, file.GetProperty("violations")[999].GetProperty("row").GetInt32(), "the first rows, in order");
        Assert.AreEqual("checked", file.GetProperty("status").GetString(), "what follows the rows is whole");
        Assert.AreEqual(SystemicRows, file.GetProperty("rows").GetInt32());
        Assert.IsGreaterThan(0, file.GetProperty("rules").GetArrayLength());
    }

    [TestMethod]
    public async Task RowsOfAFinding_AreOnlyForThoseWhoMaySeeTheFinding()
    {
        var id = (await ItemsAsync("ent-cd", "/api/violations?period=2016-08")).Single().GetProperty("id").GetString()!;
        var deyangId = (await ItemsAsync("ent-dy", "/api/violations")).First().GetProperty("id").GetString()!;
        using var first = await SendAsync(HttpMethod.Get, $"/api/violations/{Uri.EscapeDataString(id)}/rows?pageSize=5", "reg-sc");
        var token = JsonDocument.Parse(await first.Content.ReadAsStringAsync()).RootElement.GetProperty("continuationToken").GetString()!;

        using var anonymous = await SendAsync(HttpMethod.Get, $"/api/violations/{Uri.EscapeDataString(id)}/rows", null);
        using var otherProvince = await SendAsync(HttpMethod.Get, $"/api/violations/{Uri.EscapeDataString(id)}/rows", "reg-gz");
        using var otherEnterprise = await SendAsync(HttpMethod.Get, $"/api/violations/{Uri.EscapeDataString(id)}/rows", "ent-dy");
        using var tokenOnAnotherFinding = await SendAsync(HttpMethod.Get, $"/api/violations/{Uri.EscapeDataString(deyangId)}/rows?continuationToken={Uri.EscapeDataString(token)}", "ent-dy");
        using var forged = await SendAsync(HttpMethod.Get, $"/api/violations/{Uri.EscapeDataString(id)}/rows?continuationToken=%2A%2A%2A", "ent-cd");
        using var traversal = await SendAsync(HttpMethod.Get, "/api/violations/..%2F..%2Fresults/rows", "reg-sc");

        Assert.AreEqual(HttpStatusCode.OK, first.StatusCode);
        Assert.AreEqual(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.AreEqual(HttpStatusCode.NotFound, otherProvince.StatusCode, "Guizhou does not learn the finding exists");
        Assert.AreEqual(HttpStatusCode.NotFound, otherEnterprise.StatusCode);
        // The document's ETag in the token no longer matches (412), or its offset lies past that document's end (400).
        Assert.Contains(tokenOnAnotherFinding.StatusCode, new[] { HttpStatusCode.PreconditionFailed, HttpStatusCode.BadRequest }, "a token reads only the document it was issued for");
        Assert.AreEqual(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.AreEqual(HttpStatusCode.NotFound, traversal.StatusCode);
        Assert.DoesNotContain("E000", await tokenOnAnotherFinding.Content.ReadAsStringAsync());
    }

    [TestMethod]
    public async Task ReviewWithETag_ThenAStaleOne_Is412()
    {
        var id = (await ItemsAsync("reg-sc", "/api/violations?period=2017-03&region=510600&rule=HF-RATE-CAP"))[0].GetProperty("id").GetString();
        using var get = await SendAsync(HttpMethod.Get, $"/api/violations/{id}", "reg-sc");
        var etag = get.Headers.ETag!.ToString();

        using var confirm = await SendAsync(HttpMethod.Post, $"/api/violations/{id}/review", "reg-sc", new { status = "confirmed", note = "Confirmed with the Deyang bureau." }, etag);
        using var stale = await SendAsync(HttpMethod.Post, $"/api/violations/{id}/review", "reg-sc", new { status = "dismissed", note = "second thoughts" }, etag);
        using var missing = await SendAsync(HttpMethod.Post, $"/api/violations/{id}/review", "reg-sc", new { status = "dismissed", note = "no etag" }, ifMatch: null);
        using var noNote = await SendAsync(HttpMethod.Post, $"/api/violations/{id}/review", "reg-sc", new { status = "dismissed" }, confirm.Headers.ETag!.ToString());

        Assert.AreEqual(HttpStatusCode.OK, confirm.StatusCode);
        var history = JsonDocument.Parse(await confirm.Content.ReadAsStringAsync()).RootElement.GetProperty("history");
        Assert.AreEqual("wang@sc.gov.cn", history[0].GetProperty("who").GetString());
        Assert.AreEqual("confirmed", history[0].GetProperty("to").GetString());
        Assert.AreEqual(HttpStatusCode.PreconditionFailed, stale.StatusCode);
        Assert.AreEqual((HttpStatusCode)428, missing.StatusCode);
        Assert.AreEqual(HttpStatusCode.BadRequest, noNote.StatusCode);
    }

    [TestMethod]
    public async Task ReviewPage_RegulatorConfirmsAndSeesTheAudit_EnterpriseSeesOnlyItsOwn()
    {
        Assert.IsTrue(File.Exists(Chromium), $"the browser test needs Debian's chromium at {Chromium} (apt-get install chromium); .ci/run installs it");
        using var playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });

        var regulator = await browser.NewPageAsync();
        await SignInAsync(regulator, "reg-sc");
        await regulator.FillAsync("#period", "2017-03");
        await regulator.SelectOptionAsync("#rule", "PENSION-EMPLOYER-CAP");
        await regulator.ClickAsync("#search");
        var rows = regulator.Locator("#list tbody tr");
        await rows.First.WaitForAsync();
        Assert.AreEqual(1, await rows.CountAsync(), "Sichuan sees Deyang's pension breach, not Guiyang's");
        await rows.First.ClickAsync();
        await regulator.Locator("#detail form").WaitForAsync();
        StringAssert.Contains(await regulator.Locator("#detail").InnerTextAsync(), "企业职工基本养老保险单位缴费比例超过２０％的省份");
        StringAssert.Contains(await regulator.Locator("#detail-rows").InnerTextAsync(), "共 1 行、1 名职工");
        await regulator.Locator("#rows li").First.WaitForAsync();
        StringAssert.Contains(await regulator.Locator("#rows li").First.InnerTextAsync(), "行 row 3 · D2: pension_employer_rate 21", "the finding's row, read from the result document");
        await regulator.SelectOptionAsync("#detail select[name=status]", "confirmed");
        await regulator.FillAsync("#detail textarea[name=note]", "Confirmed with the Deyang bureau.");
        await regulator.ClickAsync("#detail button[type=submit]");
        var audit = regulator.Locator("#history li");
        await audit.First.WaitForAsync();
        var entry = await audit.First.InnerTextAsync();
        StringAssert.Contains(entry, "wang@sc.gov.cn: open → confirmed (1 行 rows) — Confirmed with the Deyang bureau.");
        StringAssert.Contains(await regulator.Locator("#detail-status").InnerTextAsync(), "confirmed");

        var enterprise = await (await browser.NewContextAsync()).NewPageAsync();
        await SignInAsync(enterprise, "ent-dy");
        await enterprise.ClickAsync("#search");
        var own = enterprise.Locator("#list tbody tr");
        await own.First.WaitForAsync();
        var usccs = await enterprise.Locator("#list tbody tr td:nth-child(3)").AllInnerTextsAsync();
        Assert.HasCount(2, usccs);
        Assert.IsTrue(usccs.All(u => u == Deyang), string.Join(", ", usccs));
    }

    /// <summary>
    /// The enterprise portal as an accountant uses it, by keyboard: sign in, download the XLSX template, fill it,
    /// upload it through the file chooser, watch the progress, read the finding with its clause in Chinese; then a
    /// broken file shows its row and column. No console error, no CSP violation; nothing wider than a 375 px phone.
    /// </summary>
    [TestMethod]
    public async Task Portal_TemplateUploadAndVerdict_InChinese_ByKeyboard()
    {
        Assert.IsTrue(File.Exists(Chromium), $"the browser test needs Debian's chromium at {Chromium} (apt-get install chromium); .ci/run installs it");
        using var playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = Chromium, Headless = true, Args = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"] });
        var context = await browser.NewContextAsync(new() { AcceptDownloads = true, ViewportSize = new() { Width = 375, Height = 800 } });
        var page = await context.NewPageAsync();
        var problems = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type is "error" or "warning")
            {
                problems.Add(message.Text);
            }
        };
        page.PageError += (_, error) => problems.Add(error);

        await page.GotoAsync(new Uri(http!.BaseAddress!, "/portal").ToString());
        await page.FocusAsync("#token");
        await page.Keyboard.TypeAsync("ent-cd");
        await page.Keyboard.PressAsync("Enter");
        await page.Locator("#upload").WaitForAsync();
        StringAssert.Contains(await page.Locator("#who").InnerTextAsync(), Chengdu);

        using var work = new TempFolder("portal-");
        var download = await page.RunAndWaitForDownloadAsync(() => page.Locator("#template-list a[href='/api/templates/payroll?format=xlsx']").ClickAsync());
        var template = work.File(download.SuggestedFilename);
        await download.SaveAsAsync(template);
        var fields = Compliance.Core.Templates.FilingTemplates.Columns(Compliance.Core.Filings.FilingKind.Payroll).Select(c => c.Field).ToList();
        var rows = Enumerable.Range(1, 3).Select(i => (IReadOnlyDictionary<string, string?>)new Dictionary<string, string?>
        {
            ["uscc"] = Chengdu, ["period"] = "2016-09", ["region"] = "510100", ["employee_id"] = $"E{i:D7}", ["wage_base"] = "8000", ["housing_fund_employer_rate"] = "13",
        }).ToList();
        var filled = work.File("九月工资.xlsx");
        await File.WriteAllBytesAsync(filled, Compliance.Testing.XlsxTemplate.Fill(await File.ReadAllBytesAsync(template), "payroll", fields, rows));

        // Keyboard only: Tab to the file chooser, and the chooser the page opens gets the file.
        var chooser = page.WaitForFileChooserAsync();
        await page.FocusAsync("#file");
        await page.Keyboard.PressAsync("Enter");
        await (await chooser).SetFilesAsync(filled);
        await page.Locator("#findings article tbody tr").First.WaitForAsync(new() { Timeout = 60_000 });

        Assert.AreEqual("100", await page.Locator("#progress").GetAttributeAsync("value"));
        var finding = await page.Locator("#findings article").First.InnerTextAsync();
        StringAssert.Contains(finding, "HF-RATE-CAP");
        StringAssert.Contains(finding, "住房公积金缴存比例不得超过12%", "the rule in Chinese");
        StringAssert.Contains(finding, "国发〔2016〕48号 (二十)");
        StringAssert.Contains(finding, "对住房公积金缴存比例高于１２％的一律予以规范调整", "the clause quoted");
        StringAssert.Contains(finding, "将住房公积金单位和个人缴存比例调整到12%以内", "what to do, from the catalog");
        var violatingRows = await page.Locator("#findings article tbody tr").AllInnerTextsAsync();
        Assert.HasCount(3, violatingRows, "a row per violating row");
        foreach (var part in new[] { "2", "E*****01", "住房公积金单位缴存比例 (housing_fund_employer_rate)", "13", "<= 12" })
        {
            StringAssert.Contains(violatingRows[0], part, "row, masked employee, field, observed, limit");
        }
        StringAssert.Contains(await page.Locator("#summary").InnerTextAsync(), "发现 1 项违规，涉及 3 行");
        Assert.IsLessThanOrEqualTo(375, await page.EvaluateAsync<int>("document.documentElement.scrollWidth"), "nothing wider than the phone");
        Directory.CreateDirectory(Path.Combine(Samples.Root, "docs", "images"));
        await page.ScreenshotAsync(new() { Path = Path.Combine(Samples.Root, "docs", "images", "portal-phone.png"), FullPage = true });
        await page.SetViewportSizeAsync(1024, 800);
        await page.ScreenshotAsync(new() { Path = Path.Combine(Samples.Root, "docs", "images", "portal-verdict.png"), FullPage = true });
        await page.SetViewportSizeAsync(375, 800);

        // The violating rows to fix in Excel, employees masked as in the digest.
        var violations = await page.RunAndWaitForDownloadAsync(() => page.Locator("#download-xlsx").ClickAsync());
        var saved = Path.Combine(Path.GetDirectoryName(filled)!, violations.SuggestedFilename);
        await violations.SaveAsAsync(saved);
        Assert.AreEqual("九月工资-violations.xlsx", violations.SuggestedFilename);
        var lines = Compliance.Testing.XlsxRows.Read(saved);
        Assert.HasCount(4, lines, "the header and the three rows");
        CollectionAssert.AreEqual(new[] { "2", "E*****01", string.Empty, "HF-RATE-CAP", "housing_fund_employer_rate", "13", "<= 12", "国发〔2016〕48号 (二十)" }, lines[1].Take(8).ToArray());

        // The accountant explains the finding (情况说明), then corrects the rate and uploads the same file again.
        await page.Locator("#findings button").First.ClickAsync();
        await page.Keyboard.TypeAsync("九月起已按12%缴存，差额已退还职工。");
        await page.Locator("#findings button[type=submit]").ClickAsync();
        await page.GetByText("已提交").WaitForAsync();
        var corrected = rows.Select(r => (IReadOnlyDictionary<string, string?>)new Dictionary<string, string?>(r) { ["housing_fund_employer_rate"] = "12" }).ToList();
        await File.WriteAllBytesAsync(filled, Compliance.Testing.XlsxTemplate.Fill(await File.ReadAllBytesAsync(template), "payroll", fields, corrected));
        await page.Locator("#file").SetInputFilesAsync(filled);
        await page.Locator("#resolved").WaitForAsync(new() { Timeout = 60_000 });
        StringAssert.Contains(await page.Locator("#summary").InnerTextAsync(), "未发现违规");
        StringAssert.Contains(await page.Locator("#resolved").InnerTextAsync(), "本版本纠正了 1 项");
        var versions = await page.Locator("#filings tbody tr").Filter(new() { HasText = "九月工资.xlsx" }).AllInnerTextsAsync();
        Assert.HasCount(2, versions, "both versions in the history");
        Assert.IsTrue(versions[0].Contains("最新", StringComparison.Ordinal) && versions[1].Contains("已被新版本取代", StringComparison.Ordinal), string.Join(" || ", versions));

        // Sichuan's regulator reads the explanation in the finding's history.
        var regulator = await (await browser.NewContextAsync()).NewPageAsync();
        regulator.Console += (_, message) =>
        {
            if (message.Type is "error" or "warning")
            {
                problems.Add("review page: " + message.Text);
            }
        };
        await SignInAsync(regulator, "reg-sc");
        await regulator.FillAsync("#period", "2016-09");
        await regulator.FillAsync("#uscc", Chengdu);
        await regulator.ClickAsync("#search");
        await regulator.Locator("#list tbody tr").First.ClickAsync();
        await regulator.Locator("#history li").First.WaitForAsync();
        var history = string.Join(Environment.NewLine, await regulator.Locator("#history li").AllInnerTextsAsync());
        StringAssert.Contains(history, "chengdu finance 企业情况说明 explanation (3 行 rows) — 九月起已按12%缴存，差额已退还职工。");
        StringAssert.Contains(history, "open → resolved", "and the corrected version resolved it");

        var broken = Path.Combine(Path.GetDirectoryName(filled)!, "broken.csv");
        await File.WriteAllTextAsync(broken, $"uscc,period,region,employee_id,wage_base\r\n{Chengdu},2016-13,510100,P1,8000\r\n");
        await page.Locator("#file").SetInputFilesAsync(broken);
        await page.Locator("#rejection").WaitForAsync(new() { Timeout = 60_000 });
        var rejection = await page.Locator("#rejection").InnerTextAsync();
        StringAssert.Contains(rejection, "第 2 行");
        StringAssert.Contains(rejection, "所属期 (period)");
        StringAssert.Contains(rejection, "“2016-13”不是所属期；请写成 yyyy-MM（2016-06）", "the server's message in Chinese");
        StringAssert.Contains(rejection, "请改正后以同一文件名重新上传");

        // The switch asks the API again in English, by keyboard.
        await page.FocusAsync("#lang");
        await page.Keyboard.PressAsync("Enter");
        await page.GetByText("'2016-13' is not a period; write yyyy-MM (2016-06)").WaitForAsync();
        Assert.AreEqual("en", await page.EvaluateAsync<string>("document.documentElement.lang"));
        StringAssert.Contains(await page.Locator("#rejection").InnerTextAsync(), "Fix it and upload it again under the same name.");
        StringAssert.Contains(await page.Locator("#history-title").InnerTextAsync(), "Filing history");
        await page.Keyboard.PressAsync("Enter");
        await page.GetByText("“2016-13”不是所属期").WaitForAsync();
        Assert.IsEmpty(problems, string.Join(Environment.NewLine, problems));
    }

    /// <summary>A file over 4 MiB goes up in 4 MiB blocks and a block list, under the same one-blob write grant.</summary>
    [TestMethod]
    public async Task Portal_AFileOverFourMebibytes_IsSentInBlocks()
    {
        Assert.IsTrue(File.Exists(Chromium), $"the browser test needs Debian's chromium at {Chromium} (apt-get install chromium); .ci/run installs it");
        using var playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = Chromium, Headless = true, Args = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"] });
        var page = await browser.NewPageAsync();
        var blocks = new List<string>();
        page.Request += (_, request) =>
        {
            if (request.Method == "PUT")
            {
                blocks.Add(new Uri(request.Url).Query);
            }
        };
        await page.GotoAsync(new Uri(http!.BaseAddress!, "/portal").ToString());
        await page.FillAsync("#token", "ent-cd");
        await page.ClickAsync("#signin-button");
        await page.Locator("#upload").WaitForAsync();
        using var work = new TempFolder("portal-large-");
        var file = work.File("october-large.csv");
        await File.WriteAllTextAsync(file, FindingPipelineTests.Payroll(100_000, _ => "13").Replace("2016-08", "2016-10", StringComparison.Ordinal));
        Assert.IsGreaterThan(4 * 1024 * 1024, new FileInfo(file).Length);

        await page.Locator("#file").SetInputFilesAsync(file);
        await page.Locator("#findings article").First.WaitForAsync(new() { Timeout = 120_000 });

        StringAssert.Contains(await page.Locator("#summary").InnerTextAsync(), "发现 1 项违规，涉及 100000 行");
        Assert.AreEqual(2, blocks.Count(q => q.Contains("comp=block&", StringComparison.Ordinal)), string.Join(Environment.NewLine, blocks));
        Assert.AreEqual(1, blocks.Count(q => q.Contains("comp=blocklist", StringComparison.Ordinal)));
    }

    [TestMethod]
    public async Task Filings_EachCallerSeesItsOwnOrItsRegions()
    {
        var own = await FilingItemsAsync("ent-dy", "/api/filings");
        var other = await FilingItemsAsync("ent-dy", $"/api/filings?uscc={Chengdu}");
        var sichuanOnChengdu = await FilingItemsAsync("reg-sc", $"/api/filings?uscc={Chengdu}");
        var guizhouOnDeyang = await FilingItemsAsync("reg-gz", $"/api/filings?uscc={Deyang}");
        var chengduId = (await FilingItemsAsync("ent-cd", "/api/filings"))[0].GetProperty("id").GetString();

        Assert.AreEqual("march.csv", own.Single().GetProperty("file").GetString());
        Assert.IsEmpty(other);
        // The portal test may have added Chengdu's September uploads; March and August are there either way.
        CollectionAssert.IsSubsetOf(new[] { "march.csv", "august.csv" }, sichuanOnChengdu.Select(f => f.GetProperty("file").GetString()).ToArray());
        Assert.IsTrue(sichuanOnChengdu.All(f => f.GetProperty("uscc").GetString() == Chengdu));
        var august = sichuanOnChengdu.Single(f => f.GetProperty("file").GetString() == "august.csv");
        Assert.AreEqual((SystemicRows, 1), (august.GetProperty("violations").GetInt32(), august.GetProperty("findings").GetInt32()), "violating rows, and the one finding they make");
        Assert.IsEmpty(guizhouOnDeyang, "Deyang's filing names only Sichuan regions");
        using var probe = await SendAsync(HttpMethod.Get, $"/api/filings/{chengduId}", "ent-dy");
        Assert.AreEqual(HttpStatusCode.NotFound, probe.StatusCode);
        using var mine = await SendAsync(HttpMethod.Get, $"/api/filings/{own[0].GetProperty("id").GetString()}", "ent-dy");
        var result = JsonDocument.Parse(await mine.Content.ReadAsStringAsync()).RootElement.GetProperty("result");
        Assert.AreEqual(2, result.GetProperty("files")[0].GetProperty("violations").GetArrayLength());
    }

    [TestMethod]
    public async Task OversizedBodies_Are413WithOrWithoutADeclaredLength()
    {
        using var chunked = await SendAsync(HttpMethod.Post, "/api/uploads", "ent-dy", new { fileName = new string('a', Compliance.Api.ReviewEndpoints.MaxBodyBytes * 4) });
        Assert.AreEqual(HttpStatusCode.RequestEntityTooLarge, chunked.StatusCode, await chunked.Content.ReadAsStringAsync());

        using var sized = new HttpRequestMessage(HttpMethod.Post, "/api/violations/anything/review") { Content = new ByteArrayContent(new byte[Compliance.Api.ReviewEndpoints.MaxBodyBytes + 1]) };
        sized.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        sized.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "reg-sc");
        sized.Headers.TryAddWithoutValidation("If-Match", ApiSettings.WellFormedETag);
        using var response = await http!.SendAsync(sized);
        Assert.AreEqual(HttpStatusCode.RequestEntityTooLarge, response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    [TestMethod]
    public async Task Uploads_GrantAShortWriteOnlyUrlForTheCallersOwnFolderOnly()
    {
        using var grant = await SendAsync(HttpMethod.Post, "/api/uploads", "ent-dy", new { fileName = "april.csv" });
        Assert.AreEqual(HttpStatusCode.OK, grant.StatusCode, await grant.Content.ReadAsStringAsync());
        var url = new Uri(JsonDocument.Parse(await grant.Content.ReadAsStringAsync()).RootElement.GetProperty("url").GetString()!);
        StringAssert.Contains(url.AbsolutePath, $"/{Deyang}/april.csv");
        var expiry = DateTimeOffset.Parse(System.Web.HttpUtility.ParseQueryString(url.Query)["se"]!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.IsLessThanOrEqualTo(DateTimeOffset.UtcNow.AddMinutes(15).AddSeconds(5), expiry);

        using var plain = new HttpClient();
        using var put = new HttpRequestMessage(HttpMethod.Put, url) { Content = new StringContent(Header + $"{Deyang},2017-04,510600,D1,8000,12,19\r\n") };
        put.Headers.Add("x-ms-blob-type", "BlockBlob");
        using var uploaded = await plain.SendAsync(put);
        Assert.AreEqual(HttpStatusCode.Created, uploaded.StatusCode);

        var elsewhere = new UriBuilder(url) { Path = url.AbsolutePath.Replace(Deyang, Chengdu, StringComparison.Ordinal) }.Uri;
        using var hijack = new HttpRequestMessage(HttpMethod.Put, elsewhere) { Content = new StringContent("x") };
        hijack.Headers.Add("x-ms-blob-type", "BlockBlob");
        using var refused = await plain.SendAsync(hijack);
        Assert.AreEqual(HttpStatusCode.Forbidden, refused.StatusCode, "the grant is for one blob under the caller's own folder");
        using var read = await plain.GetAsync(url);
        Assert.AreEqual(HttpStatusCode.Forbidden, read.StatusCode, "write-only");

        using var regulator = await SendAsync(HttpMethod.Post, "/api/uploads", "reg-sc", new { fileName = "x.csv" });
        Assert.AreEqual(HttpStatusCode.Forbidden, regulator.StatusCode);
        foreach (var bad in new[] { "../x.csv", "a/b.csv", "x.pdf", "" })
        {
            using var refusedName = await SendAsync(HttpMethod.Post, "/api/uploads", "ent-dy", new { fileName = bad });
            Assert.AreEqual(HttpStatusCode.BadRequest, refusedName.StatusCode, bad);
        }
    }

    [TestMethod]
    public async Task ExemptionPastItsEnd_ListsAsOpenThroughTheApi()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2017, 4, 1, 0, 0, 0, TimeSpan.Zero));
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var settings = ApiSettings.Isolated("exempt", suffix);

        // Polly takes its backoff from the fake clock too; no backoff, so a retry cannot wait for a tick.
        settings["ComplianceStorage:RetryDelay"] = "00:00:00";
        using var timed = LocalHost.CreateBuilder(AzuriteFixture.ConnectionString, settings, services => services.AddSingleton<TimeProvider>(clock), "http://127.0.0.1:0").Build();
        await timed.StartAsync();
        var container = new BlobServiceClient(AzuriteFixture.ConnectionString).GetBlobContainerClient(settings["ComplianceStorage:FilingsContainer"]);
        await container.CreateIfNotExistsAsync();
        await container.GetBlobClient($"{Deyang}/march.csv").UploadAsync(BinaryData.FromString(Header + $"{Deyang},2017-03,510600,D1,8000,13,19\r\n"));
        await timed.Services.GetRequiredService<FilingProcessor>().ProcessAsync(Deyang, "march.csv", CancellationToken.None);
        using var client = new HttpClient { BaseAddress = LocalHost.ApiAddress(timed) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "reg-sc");
        async Task<string[]> StatusesAsync(string status) =>
            [.. JsonDocument.Parse(await client.GetStringAsync($"/api/violations?period=2017-03&status={status}")).RootElement.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("status").GetString()!)];

        var id = JsonDocument.Parse(await client.GetStringAsync("/api/violations?period=2017-03")).RootElement.GetProperty("items")[0].GetProperty("id").GetString();
        using var get = await client.GetAsync($"/api/violations/{id}");
        using var exempt = new HttpRequestMessage(HttpMethod.Post, $"/api/violations/{id}/review") { Content = JsonContent.Create(new { status = "exempted", note = "Hardship deferral.", exemptUntil = "2017-04-10" }) };
        exempt.Headers.TryAddWithoutValidation("If-Match", get.Headers.ETag!.ToString());
        using var exempted = await client.SendAsync(exempt);
        Assert.AreEqual(HttpStatusCode.OK, exempted.StatusCode, await exempted.Content.ReadAsStringAsync());

        CollectionAssert.AreEqual(new[] { "exempted" }, await StatusesAsync("exempted"));
        Assert.IsEmpty(await StatusesAsync("open"));
        clock.SetUtcNow(new DateTimeOffset(2017, 4, 10, 16, 0, 0, TimeSpan.Zero)); // 11 April, 00:00 in China
        Assert.IsEmpty(await StatusesAsync("exempted"));
        CollectionAssert.AreEqual(new[] { "open" }, await StatusesAsync("open"));

        await timed.StopAsync();
    }

    /// <summary>
    /// The Functions app has no route list of its own: its two HTTP functions (the page at the root and a
    /// catch-all under api/) hand every request to the API's pipeline, so every route the local host serves is
    /// reachable through them with its method, and nothing else is declared there.
    /// </summary>
    [TestMethod]
    public void FunctionsApp_ReachesEveryRouteOfTheLocalHost_ThroughTheSamePipeline()
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
        using var metadata = JsonDocument.Parse(File.ReadAllText(Path.Combine(Samples.Root, "src", "ComplianceFunctions", "bin", configuration, "net10.0", "functions.metadata")));
        var functions = metadata.RootElement.EnumerateArray()
            .SelectMany(f => f.GetProperty("bindings").EnumerateArray())
            .Where(b => b.GetProperty("type").GetString() == "httpTrigger")
            .Select(b => (Route: b.GetProperty("route").GetString()!, Methods: b.GetProperty("methods").EnumerateArray().Select(m => m.GetString()!.ToUpperInvariant()).ToHashSet()))
            .ToList();
        var local = host!.Services.GetRequiredService<Microsoft.AspNetCore.Routing.EndpointDataSource>().Endpoints
            .OfType<Microsoft.AspNetCore.Routing.RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods ?? []).Select(m => (Method: m, Pattern: e.RoutePattern.RawText!)))
            .ToList();

        CollectionAssert.AreEquivalent(new[] { "{page?}", "api/{*path}" }, functions.Select(f => f.Route).ToArray(), "two catch-alls, no second route list");
        Assert.HasCount(24, local, "nineteen API routes, the OpenAPI document, the two pages, the chart library and the icon");
        foreach (var (method, pattern) in local)
        {
            // A page is one segment or none: the {page?} function; everything under /api/ the other.
            var route = pattern.StartsWith("/api/", StringComparison.Ordinal) ? "api/{*path}" : pattern.Count(c => c == '/') == 1 ? "{page?}" : null;
            Assert.IsTrue(functions.Any(f => f.Route == route && f.Methods.Contains(method)), $"{method} {pattern} is not reachable through a function");
        }
    }

    /// <summary>GET /api/openapi.json: an OpenAPI 3 document generated from the endpoints — every route with its parameters, bodies, responses and the bearer scheme.</summary>
    [TestMethod]
    public async Task OpenApiDocument_DescribesEveryRoute()
    {
        using var response = await SendAsync(HttpMethod.Get, Compliance.Api.ReviewEndpoints.OpenApiPath, null);
        var text = await response.Content.ReadAsStringAsync();
        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode, text);
        var (document, diagnostic) = await Microsoft.OpenApi.OpenApiDocument.LoadAsync(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(text)), "json");

        Assert.IsNotNull(document, text);
        Assert.IsEmpty(diagnostic!.Errors, string.Join("; ", diagnostic.Errors.Select(e => e.Message)));
        StringAssert.StartsWith(diagnostic.SpecificationVersion.ToString(), "OpenApi3");
        var served = host!.Services.GetRequiredService<Microsoft.AspNetCore.Routing.EndpointDataSource>().Endpoints
            .OfType<Microsoft.AspNetCore.Routing.RouteEndpoint>()
            .Select(e => e.RoutePattern.RawText!)
            .Where(p => p.StartsWith("/api/", StringComparison.Ordinal) && p != Compliance.Api.ReviewEndpoints.OpenApiPath)
            .ToHashSet();
        CollectionAssert.AreEquivalent(served.ToArray(), document!.Paths.Keys.ToArray(), "the document and the served routes agree");
        Assert.IsTrue(document.Components!.SecuritySchemes!.ContainsKey("Bearer"));
        foreach (var (path, item) in document.Paths)
        {
            foreach (var (method, operation) in item.Operations!)
            {
                if (path.StartsWith("/api/templates", StringComparison.Ordinal) || path is "/api/me" or "/api/labels")
                {
                    Assert.IsTrue(operation.Security is null or { Count: 0 }, "templates, labels and who-am-I need no sign-in, and the document says so");
                    continue;
                }

                Assert.IsNotEmpty(operation.Security!, $"{method} {path} names its security");
                Assert.IsTrue(operation.Responses!.ContainsKey(path == "/api/rechecks" ? "202" : "200"), $"{method} {path} has its success response");
                Assert.IsTrue(operation.Responses.ContainsKey("401"), $"{method} {path} has its 401");
            }
        }

        var list = document.Paths["/api/violations"].Operations![System.Net.Http.HttpMethod.Get];
        CollectionAssert.AreEquivalent(new[] { "period", "uscc", "rule", "status", "region", "continuationToken", "pageSize" }, list.Parameters!.Select(p => p.Name).ToArray());
        Assert.IsNotNull(document.Paths["/api/violations/{id}/review"].Operations![System.Net.Http.HttpMethod.Post].RequestBody, "the review body is described");
    }

    [TestMethod]
    public async Task BulkReview_WritesEachItemAsItsOwnReview_AndReportsWhatItDidNot()
    {
        // Chengdu's July payroll: three housing fund rates over the limit, three findings to review at once.
        await UploadAsChengduAsync("july-bulk.csv", Header + $"{Chengdu},2017-07,510100,B1,8000,13,19\r\n{Chengdu},2017-07,510100,B2,8000,14,19\r\n{Chengdu},2017-07,510100,B3,8000,15,19\r\n");
        var july = await ItemsAsync("reg-sc", $"/api/violations?period=2017-07&uscc={Chengdu}");
        Assert.HasCount(3, july);
        var guizhous = (await ItemsAsync("reg-gz", $"/api/violations?period=2017-03&uscc={Chengdu}")).Single();
        object Item(JsonElement v, string? version = null) => new { id = v.GetProperty("id").GetString(), version = version ?? v.GetProperty("version").GetString() };

        using var response = await SendAsync(HttpMethod.Post, "/api/violations/reviews", "reg-sc", new
        {
            status = "confirmed",
            note = "七月住房公积金比例超标，逐一确认",
            items = new[] { Item(july[0]), Item(july[1]), Item(july[2], "0123456789abcdef01234567"), Item(guizhous), Item(july[0]) },
        });

        Assert.AreEqual(HttpStatusCode.BadRequest, response.StatusCode, "the same violation twice is refused whole");
        using var bulk = await SendAsync(HttpMethod.Post, "/api/violations/reviews", "reg-sc", new
        {
            status = "confirmed",
            note = "七月住房公积金比例超标，逐一确认",
            items = new[] { Item(july[0]), Item(july[1]), Item(july[2], "0123456789abcdef01234567"), Item(guizhous), new { id = (string?)"x.y", version = (string?)null } },
        });
        Assert.AreEqual(HttpStatusCode.OK, bulk.StatusCode, await bulk.Content.ReadAsStringAsync());
        var report = JsonDocument.Parse(await bulk.Content.ReadAsStringAsync()).RootElement;
        Assert.AreEqual((2, 3), (report.GetProperty("reviewed").GetInt32(), report.GetProperty("failed").GetInt32()));
        CollectionAssert.AreEqual(new[] { "reviewed", "reviewed", "stale", "not_found", "invalid" }, report.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("result").GetString()).ToArray());
        Assert.AreEqual("open", report.GetProperty("items")[2].GetProperty("status").GetString(), "the stale one is untouched, and its current version is given");
        Assert.AreEqual(july[2].GetProperty("version").GetString(), report.GetProperty("items")[2].GetProperty("version").GetString());
        Assert.AreEqual(JsonValueKind.Null, report.GetProperty("items")[3].GetProperty("version").ValueKind, "nothing of Guizhou's finding is told to Sichuan");

        for (var i = 0; i < 2; i++)
        {
            using var detail = await SendAsync(HttpMethod.Get, $"/api/violations/{Uri.EscapeDataString(july[i].GetProperty("id").GetString()!)}", "reg-sc");
            var violation = JsonDocument.Parse(await detail.Content.ReadAsStringAsync()).RootElement;
            Assert.AreEqual("confirmed", violation.GetProperty("violation").GetProperty("status").GetString());
            var history = violation.GetProperty("history").EnumerateArray().Where(h => h.GetProperty("to").GetString() == "confirmed").ToList();
            Assert.HasCount(1, history, "one audit entry of its own");
            Assert.AreEqual("七月住房公积金比例超标，逐一确认", history[0].GetProperty("note").GetString());
            Assert.AreEqual(report.GetProperty("items")[i].GetProperty("version").GetString(), violation.GetProperty("violation").GetProperty("version").GetString(), "the report gives the new version");
        }

        using var guizhouStill = await SendAsync(HttpMethod.Get, $"/api/violations/{Uri.EscapeDataString(guizhous.GetProperty("id").GetString()!)}", "reg-gz");
        Assert.AreEqual(guizhous.GetProperty("status").GetString(), JsonDocument.Parse(await guizhouStill.Content.ReadAsStringAsync()).RootElement.GetProperty("violation").GetProperty("status").GetString());
        using var enterprise = await SendAsync(HttpMethod.Post, "/api/violations/reviews", "ent-cd", new { status = "dismissed", note = "x", items = new[] { Item(july[2]) } });
        Assert.AreEqual(HttpStatusCode.Forbidden, enterprise.StatusCode);
        using var noNote = await SendAsync(HttpMethod.Post, "/api/violations/reviews", "reg-sc", new { status = "dismissed", note = " ", items = new[] { Item(july[2]) } });
        Assert.AreEqual(HttpStatusCode.BadRequest, noNote.StatusCode);
        using var tooMany = await SendAsync(HttpMethod.Post, "/api/violations/reviews", "reg-sc", new { status = "dismissed", note = "x", items = Enumerable.Range(0, 1001).Select(i => new { id = $"{Chengdu}.{i}", version = "x" }).ToArray() });
        Assert.AreEqual(HttpStatusCode.BadRequest, tooMany.StatusCode, await tooMany.Content.ReadAsStringAsync());
    }

    [TestMethod]
    public async Task Overview_CountsTheRegionsMonthFromTheKeptCounts_WithinTheCallersScopeOnly()
    {
        var sichuan = await OverviewAsync("reg-sc", "/api/overview?month=2017-03");
        var guizhou = await OverviewAsync("reg-gz", "/api/overview?month=2017-03");

        // March as uploaded at the start: Deyang's HF and pension findings (510600), Chengdu's HF finding (510100) in
        // Sichuan, Chengdu's pension finding (520100) in Guizhou.
        Assert.AreEqual(("510000", "四川省"), (sichuan.GetProperty("region").GetString(), sichuan.GetProperty("regionName").GetString()));
        CollectionAssert.AreEquivalent(new[] { "HF-RATE-CAP 2", "PENSION-EMPLOYER-CAP 1" }, sichuan.GetProperty("byRule").EnumerateArray().Select(r => $"{r.GetProperty("rule").GetString()} {r.GetProperty("findings").GetInt32()}").ToArray());
        CollectionAssert.AreEquivalent(new[] { "510600 德阳市 2", "510100 成都市 1" }, sichuan.GetProperty("bySubRegion").EnumerateArray().Select(r => $"{r.GetProperty("region").GetString()} {r.GetProperty("name").GetString()} {r.GetProperty("findings").GetInt32()}").ToArray());
        Assert.AreEqual("国发〔2016〕48号 (二十)", sichuan.GetProperty("byRule").EnumerateArray().Single(r => r.GetProperty("rule").GetString() == "HF-RATE-CAP").GetProperty("citation").GetString());
        var trend = sichuan.GetProperty("trend").EnumerateArray().ToList();
        Assert.HasCount(12, trend);
        Assert.AreEqual(("2016-04", "2017-03", 3), (trend[0].GetProperty("month").GetString(), trend[11].GetProperty("month").GetString(), trend[11].GetProperty("findings").GetInt32()));
        Assert.AreEqual(1, guizhou.GetProperty("byRule").EnumerateArray().Single().GetProperty("findings").GetInt32());
        Assert.IsLessThan(100, sichuan.GetProperty("entitiesRead").GetInt32(), "counters, not findings");

        using var outside = await SendAsync(HttpMethod.Get, "/api/overview?month=2017-03&region=510100", "reg-gz");
        using var enterprise = await SendAsync(HttpMethod.Get, "/api/overview?month=2017-03", "ent-cd");
        using var badMonth = await SendAsync(HttpMethod.Get, "/api/overview?month=2017-3x", "reg-sc");
        Assert.AreEqual((HttpStatusCode.Forbidden, HttpStatusCode.Forbidden, HttpStatusCode.BadRequest), (outside.StatusCode, enterprise.StatusCode, badMonth.StatusCode));
    }

    [TestMethod]
    public async Task Export_IsTheFilteredListWithChineseHeadersAndTheClause_InXlsxAndCsv()
    {
        var listed = await ItemsAsync("reg-sc", "/api/violations?period=2017-03&region=510000");
        using var xlsx = await SendAsync(HttpMethod.Get, "/api/violations/export?period=2017-03&region=510000", "reg-sc");
        using var csv = await SendAsync(HttpMethod.Get, "/api/violations/export?period=2017-03&region=510000&format=csv&encoding=gb18030", "reg-sc");
        using var bad = await SendAsync(HttpMethod.Get, "/api/violations/export?period=2017-13&region=510000", "reg-sc");

        Assert.AreEqual(HttpStatusCode.OK, xlsx.StatusCode, await xlsx.Content.ReadAsStringAsync());
        Assert.AreEqual("violations-2017-03.xlsx", xlsx.Content.Headers.ContentDisposition?.FileNameStar ?? xlsx.Content.Headers.ContentDisposition?.FileName);
        var rows = Compliance.Testing.XlsxRows.Read(new MemoryStream(await xlsx.Content.ReadAsByteArrayAsync()));
        Assert.AreEqual("企业 USCC", rows[0][0]);
        CollectionAssert.AreEquivalent(listed.Select(v => v.GetProperty("id").GetString()).ToArray(), rows.Skip(1).Select(r => r[^1]).ToArray(), "the same findings as the list");
        var hf = rows.Single(r => r[4] == "HF-RATE-CAP" && r[0] == Deyang);
        Assert.AreEqual(("德阳市", "住房公积金缴存比例不得超过12%"), (hf[3], hf[5]));
        StringAssert.StartsWith(hf[12], "对住房公积金缴存比例高于", "the clause's own words");
        var text = System.Text.Encoding.GetEncoding("GB18030").GetString(await csv.Content.ReadAsByteArrayAsync());
        StringAssert.StartsWith(text, "企业 USCC,所属期 Period");
        Assert.HasCount(listed.Count + 1, text.Split("\r\n", StringSplitOptions.RemoveEmptyEntries));
        Assert.AreEqual(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    private static async Task<JsonElement> OverviewAsync(string token, string url)
    {
        using var response = await SendAsync(HttpMethod.Get, url, token);
        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode, await response.Content.ReadAsStringAsync());
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    /// <summary>Uploads a file as Chengdu's accountant does (a write grant, a PUT) and waits for the blob trigger's verdict; returns the version's id.</summary>
    private static async Task<string> UploadAsChengduAsync(string name, string csv)
    {
        using var grant = await SendAsync(HttpMethod.Post, "/api/uploads", "ent-cd", new { fileName = name });
        var url = new Uri(JsonDocument.Parse(await grant.Content.ReadAsStringAsync()).RootElement.GetProperty("url").GetString()!);
        using var plain = new HttpClient();
        using var put = new HttpRequestMessage(HttpMethod.Put, url) { Content = new StringContent(csv) };
        put.Headers.Add("x-ms-blob-type", "BlockBlob");
        using var uploaded = await plain.SendAsync(put);
        Assert.AreEqual(HttpStatusCode.Created, uploaded.StatusCode);
        for (var attempt = 0; attempt < 120; attempt++)
        {
            if ((await FilingItemsAsync("ent-cd", "/api/filings")).Where(f => f.GetProperty("file").GetString() == name).Select(f => f.GetProperty("id").GetString()).FirstOrDefault() is { } id)
            {
                return id;
            }

            await Task.Delay(500);
        }

        throw new AssertFailedException($"{name} was not checked within a minute");
    }

    [TestMethod]
    public async Task Texts_AreInTheCallersLanguage_BesideTheirCodes()
    {
        // A Chengdu file with a rate that is not a number, sent as the portal sends it.
        var id = await UploadAsChengduAsync("language-check.csv", Header + $"{Chengdu},2017-05,510100,L1,8000,abc,19\r\n");
        var chinese = await InLanguageAsync($"/api/filings/{id}", null, "zh-CN");
        var english = await InLanguageAsync($"/api/filings/{id}", "en-GB,en;q=0.9", "en");
        var taiwan = await InLanguageAsync($"/api/filings/{id}", "zh-TW", "zh-CN");

        var problem = chinese.GetProperty("problems")[0];
        Assert.AreEqual(("AT_CELL", 2, "housing_fund_employer_rate"), (problem.GetProperty("code").GetString(), problem.GetProperty("row").GetInt32(), problem.GetProperty("column").GetString()));
        Assert.AreEqual("第 2 行，housing_fund_employer_rate (住房公积金单位缴存比例) 列：“abc”不是比例；请填写百分数，例如 12、12% 或 0.5。", problem.GetProperty("message").GetString());
        Assert.AreEqual(problem.GetProperty("message").GetString(), chinese.GetProperty("filing").GetProperty("error").GetString());
        Assert.AreEqual("AT_CELL", chinese.GetProperty("filing").GetProperty("error_code").GetString());
        Assert.AreEqual("Row 2, column housing_fund_employer_rate (住房公积金单位缴存比例): 'abc' is not a rate; write the percent, for example 12, 12% or 0.5.", english.GetProperty("problems")[0].GetProperty("message").GetString());
        Assert.AreEqual(english.GetProperty("problems")[0].GetProperty("message").GetString(), english.GetProperty("result").GetProperty("files")[0].GetProperty("error").GetString(), "the result document keeps its English");
        Assert.AreEqual(problem.GetProperty("message").GetString(), taiwan.GetProperty("problems")[0].GetProperty("message").GetString(), "any Chinese gets the Chinese text");

        var rule = (await InLanguageAsync("/api/rules", null, "zh-CN")).EnumerateArray().Single(r => r.GetProperty("id").GetString() == "HF-RATE-CAP");
        var englishRule = (await InLanguageAsync("/api/rules", "en", "en")).EnumerateArray().Single(r => r.GetProperty("id").GetString() == "HF-RATE-CAP");
        Assert.AreEqual(("住房公积金缴存比例不得超过12%", "Housing fund rate, employer and employee each, at most 12%"), (rule.GetProperty("explanation").GetString(), englishRule.GetProperty("explanation").GetString()));
        StringAssert.StartsWith(rule.GetProperty("what_to_do").GetString(), "将住房公积金单位和个人缴存比例调整到12%以内");
        StringAssert.StartsWith(englishRule.GetProperty("what_to_do").GetString(), "Set the employer and employee housing fund rates to 12% or less");
        Assert.AreEqual(rule.GetProperty("remedy").GetProperty("en").GetString(), englishRule.GetProperty("what_to_do").GetString(), "both languages are in every answer, one chosen");
    }

    private static async Task<JsonElement> InLanguageAsync(string url, string? acceptLanguage, string expectedLanguage)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "ent-cd");
        if (acceptLanguage is not null)
        {
            request.Headers.TryAddWithoutValidation("Accept-Language", acceptLanguage);
        }

        using var response = await http!.SendAsync(request);
        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode, await response.Content.ReadAsStringAsync());
        Assert.AreEqual(expectedLanguage, response.Content.Headers.ContentLanguage.Single(), url);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    [TestMethod]
    public async Task Rules_ListTheCatalogWithCitations()
    {
        using var response = await SendAsync(HttpMethod.Get, "/api/rules", "ent-dy");

        var rules = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.AreEqual(9, rules.GetArrayLength());
        StringAssert.Contains(rules.GetRawText(), "国发〔2016〕48号 (二十)");
        StringAssert.Contains(rules.GetRawText(), "SOE-DEDUCTION-RANGE", "the page's rule filter lists the accountability rule");
        StringAssert.Contains(rules.GetRawText(), "SAFETY-GRADE");
    }

    internal const string Chromium = "/usr/bin/chromium";

    private static async Task SignInAsync(Microsoft.Playwright.IPage page, string token)
    {
        await page.GotoAsync(http!.BaseAddress!.ToString());
        await page.FillAsync("#token", token);
        await page.ClickAsync("#signin-button");
        await page.Locator("#filters").WaitForAsync(new() { State = Microsoft.Playwright.WaitForSelectorState.Visible });
    }

    private static async Task<List<JsonElement>> FilingItemsAsync(string token, string url) => await ItemsAsync(token, url);

    private static async Task<List<JsonElement>> ItemsAsync(string token, string url)
    {
        using var response = await SendAsync(HttpMethod.Get, url, token);
        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode, await response.Content.ReadAsStringAsync());
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return [.. document.RootElement.GetProperty("items").EnumerateArray().Select(e => e.Clone())];
    }

    private static Task<HttpResponseMessage> SendAsync(HttpMethod method, string url, string? token, object? body = null, string? ifMatch = null) =>
        http!.SendAsync(method, url, token, body, ifMatch);
}
