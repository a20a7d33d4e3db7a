using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using AngleSharp.Html.Parser;
using Azure.Storage.Blobs;
using Compliance.Core.Filings;
using Compliance.LocalStack;
using Compliance.Pipeline.Digests;
using Compliance.Storage;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using static Compliance.Pipeline.Tests.ApiSettings;

namespace Compliance.Pipeline.Tests;

/// <summary>
/// Probes an attacker would try, against the local host on Azurite: another tenant's data through every
/// endpoint, OData injection in every filter, hostile blob names, script in filings rendered by the review
/// page and the digests, formulas in the CSV export, secrets and employee identifiers in the logs.
/// </summary>
[TestClass]
[TestCategory("Security")]
public sealed partial class SecurityProbeTests
{
    /// <summary>Chengdu's private employee: nothing of it may reach Deyang, Guizhou's regulator, a log line or a digest in clear.</summary>
    private const string ChengduEmployee = "CDU-PRIVATE-9917";
    private const string DeyangEmployee = "DY-PRIVATE-4410";
    private const string Script = "<img src=x onerror=window.__xss=1><script>window.__xss=2</script>";
    private const string SmtpPassword = "smtp-Pa55-never-logged";
    private const string Header = Compliance.Testing.TestRows.PayrollHeader;

    private static readonly CapturingLoggerProvider Logs = new(everything: true);
    private static IHost? host;
    private static HttpClient? http;
    private static BlobContainerClient? filings;
    private static string chengduViolation = string.Empty;
    private static string chengduFiling = string.Empty;

    private static FilingProcessor Processor => host!.Services.GetRequiredService<FilingProcessor>();

    [ClassInitialize]
    public static async Task StartAsync(TestContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var settings = Isolated("sec", suffix);
        settings["Smtp:Password"] = SmtpPassword;
        settings["Digest:Recipients:0:Email"] = "finance@chengdu.example.cn";
        settings["Digest:Recipients:0:Uscc"] = Chengdu;
        settings["Digest:Recipients:0:Name"] = "=HYPERLINK(\"http://evil.example/\",\"Chengdu\")";
        host = LocalHost.CreateBuilder(AzuriteFixture.ConnectionString, settings, s => s.AddLogging(b => b.AddProvider(Logs).SetMinimumLevel(LogLevel.Trace)), apiUrl: "http://127.0.0.1:0").Build();
        await host.StartAsync(context.CancellationToken);
        http = new HttpClient { BaseAddress = LocalHost.ApiAddress(host) };
        filings = new BlobServiceClient(AzuriteFixture.ConnectionString).GetBlobContainerClient(settings["ComplianceStorage:FilingsContainer"]);
        await filings.CreateIfNotExistsAsync(cancellationToken: context.CancellationToken);

        // Both tenants file for March 2017 with violations; Chengdu's filing name and an employee carry script.
        await UploadAndProcessAsync(Deyang, "march.csv", Header + $"{Deyang},2017-03,510600,{DeyangEmployee},8000,13,19\r\n");
        chengduFiling = $"{Script}.csv";
        await UploadAndProcessAsync(Chengdu, chengduFiling, Header + $"{Chengdu},2017-03,510100,{ChengduEmployee},8000,14,19\r\n{Chengdu},2017-03,510100,{Script},8000,15,19\r\n");
        // A rejection whose reason quotes an employee: the words stay in the result document, not in the log.
        await UploadAndProcessAsync(Chengdu, "duplicate.csv", Header + $"{Chengdu},2017-04,510100,{ChengduEmployee},8000,12,19\r\n{Chengdu},2017-04,510100,{ChengduEmployee},8000,12,19\r\n");

        using var own = await SendAsync(HttpMethod.Get, "/api/violations?period=2017-03", "ent-cd");
        chengduViolation = JsonDocument.Parse(await own.Content.ReadAsStringAsync()).RootElement.GetProperty("items")[0].GetProperty("id").GetString()!;
    }

    [ClassCleanup]
    public static Task StopAsync() => LocalApi.StopAsync(host, http);

    /// <summary>
    /// Every route the host serves has a probe here (a new endpoint without one fails this test), and no
    /// probe as Deyang or as Guizhou's regulator gets anything of Chengdu's back.
    /// </summary>
    [TestMethod]
    public async Task EveryEndpoint_GivesNoTenantAnotherTenantsData()
    {
        // Chengdu's real filing version id, as its own enterprise reads it: the probes ask for exactly that.
        using var own = await SendAsync(HttpMethod.Get, "/api/filings", "ent-cd");
        var chengduVersion = JsonDocument.Parse(await own.Content.ReadAsStringAsync()).RootElement.GetProperty("items")[0].GetProperty("id").GetString()!;
        var probes = new Dictionary<string, Func<string, Task<HttpResponseMessage>[]>>
        {
            ["GET /"] = token => [SendAsync(HttpMethod.Get, "/", token)],
            ["GET /portal"] = token => [SendAsync(HttpMethod.Get, "/portal", token)],
            ["GET /echarts.min.js"] = token => [SendAsync(HttpMethod.Get, "/echarts.min.js", token)],
            ["GET /favicon.ico"] = token => [SendAsync(HttpMethod.Get, "/favicon.ico", token)],
            ["GET /api/me"] = token => [SendAsync(HttpMethod.Get, "/api/me", token)],
            ["GET /api/templates"] = token => [SendAsync(HttpMethod.Get, "/api/templates", token)],
            ["GET /api/labels"] = token => [SendAsync(HttpMethod.Get, "/api/labels", token)],
            ["GET /api/openapi.json"] = token => [SendAsync(HttpMethod.Get, "/api/openapi.json", token)],
            ["GET /api/violations"] = token => [SendAsync(HttpMethod.Get, $"/api/violations?period=2017-03&uscc={Chengdu}", token), SendAsync(HttpMethod.Get, "/api/violations?period=2017-03&region=510100", token)],
            ["GET /api/violations/{id}"] = token => [SendAsync(HttpMethod.Get, $"/api/violations/{Uri.EscapeDataString(chengduViolation)}", token)],
            ["GET /api/violations/{id}/rows"] = token => [SendAsync(HttpMethod.Get, $"/api/violations/{Uri.EscapeDataString(chengduViolation)}/rows", token), SendAsync(HttpMethod.Get, $"/api/violations/{Uri.EscapeDataString(chengduViolation)}/rows?pageSize=1000", token)],
            ["POST /api/violations/{id}/review"] = token => [SendAsync(HttpMethod.Post, $"/api/violations/{Uri.EscapeDataString(chengduViolation)}/review", token, new { status = "dismissed", note = "not mine to dismiss" }, WellFormedETag)],
            ["GET /api/overview"] = token => [SendAsync(HttpMethod.Get, "/api/overview?month=2017-03&region=510100", token), SendAsync(HttpMethod.Get, "/api/overview?month=2017-03", token)],
            ["GET /api/violations/export"] = token => [SendAsync(HttpMethod.Get, $"/api/violations/export?period=2017-03&uscc={Chengdu}&format=csv", token), SendAsync(HttpMethod.Get, "/api/violations/export?period=2017-03&region=510100", token)],
            ["POST /api/violations/reviews"] = token => [SendAsync(HttpMethod.Post, "/api/violations/reviews", token, new { status = "dismissed", note = "not mine to dismiss", items = new[] { new { id = chengduViolation, version = "0123456789abcdef01234567" } } })],
            ["POST /api/violations/{id}/responses"] = token => [SendAsync(HttpMethod.Post, $"/api/violations/{Uri.EscapeDataString(chengduViolation)}/responses", token, new { text = "not mine to explain" })],
            ["GET /api/rules"] = token => [SendAsync(HttpMethod.Get, "/api/rules", token)],
            ["GET /api/templates/{kind}"] = token => [SendAsync(HttpMethod.Get, "/api/templates/payroll?format=csv", token), SendAsync(HttpMethod.Get, "/api/templates/payroll?format=xlsx", token)],
            ["GET /api/filings"] = token => [SendAsync(HttpMethod.Get, $"/api/filings?uscc={Chengdu}", token), SendAsync(HttpMethod.Get, "/api/filings?period=2017-03", token)],
            ["GET /api/filings/{id}/violations"] = token => [SendAsync(HttpMethod.Get, $"/api/filings/{chengduVersion}/violations", token), SendAsync(HttpMethod.Get, $"/api/filings/{chengduVersion}/violations?format=csv", token)],
            ["GET /api/filings/{id}"] = token => [SendAsync(HttpMethod.Get, $"/api/filings/{StorageKeys.FilingId($"{Chengdu}/{chengduFiling}")}", token), SendAsync(HttpMethod.Get, $"/api/filings/{chengduVersion}", token)],
            ["POST /api/rechecks"] = token => [SendAsync(HttpMethod.Post, "/api/rechecks", token, new { period = "2017-03" })],
            ["GET /api/rechecks/{id}"] = token => [SendAsync(HttpMethod.Get, "/api/rechecks/20261205T000000Z-000000", token)],
            ["POST /api/uploads"] = token => [SendAsync(HttpMethod.Post, "/api/uploads", token, new { fileName = $"../{Chengdu}/x.csv" }), SendAsync(HttpMethod.Post, "/api/uploads", token, new { fileName = "x.csv" })],
        };
        var routes = host!.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"]).Select(m => $"{m} {e.RoutePattern.RawText}"))
            .ToHashSet();
        CollectionAssert.AreEquivalent(routes.Order(StringComparer.Ordinal).ToList(), probes.Keys.Order(StringComparer.Ordinal).ToList(), "every endpoint has a tenant probe");

        foreach (var token in new[] { "ent-dy", "reg-gz" })
        {
            foreach (var (route, probe) in probes)
            {
                foreach (var response in await Task.WhenAll(probe(token)))
                {
                    using (response)
                    {
                        var body = await response.Content.ReadAsStringAsync();
                        Assert.IsTrue(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.NoContent or HttpStatusCode.Forbidden or HttpStatusCode.NotFound or HttpStatusCode.BadRequest, $"{token} {route}: {(int)response.StatusCode} {body}");
                        // A 404 may echo the id the caller sent (a violation id starts with its USCC); nothing else.
                        Assert.DoesNotContain(Chengdu, body.Replace(chengduViolation, "(the id sent)", StringComparison.Ordinal).Replace(chengduVersion, "(the id sent)", StringComparison.Ordinal), $"{token} {route} saw Chengdu's code");
                        Assert.DoesNotContain(ChengduEmployee, body, $"{token} {route} saw Chengdu's employee");
                    }
                }
            }
        }

        using var still = await SendAsync(HttpMethod.Get, $"/api/violations/{Uri.EscapeDataString(chengduViolation)}", "ent-cd");
        Assert.AreEqual("open", JsonDocument.Parse(await still.Content.ReadAsStringAsync()).RootElement.GetProperty("violation").GetProperty("status").GetString(), "nobody else's review reached Chengdu's finding");
    }

    /// <summary>OData fragments in every filter of every list: refused (400) or matching nothing of anyone else's.</summary>
    [TestMethod]
    public async Task ODataInjection_InEveryFilter_IsRefusedOrMatchesOnlyTheCallersOwn()
    {
        string[] payloads =
        [
            "2017-03' or PartitionKey ne '", "' or '1' eq '1", "x') or (true", "2017-03%27%20or%20true", "2017-03’ or true",
            "2017-03\u0000", "PartitionKey ge ''", new string('\'', 2000),
        ];
        foreach (var (path, parameters) in new[] { ("/api/violations", new[] { "period", "uscc", "rule", "status", "region", "continuationToken", "pageSize" }), ("/api/filings", ["period", "uscc", "status", "continuationToken"]) })
        {
            foreach (var parameter in parameters)
            {
                foreach (var payload in payloads)
                {
                    var url = $"{path}?period=2017-03&{parameter}={Uri.EscapeDataString(payload)}";
                    using var response = await SendAsync(HttpMethod.Get, url, "ent-dy");
                    var body = await response.Content.ReadAsStringAsync();
                    Assert.IsTrue(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.BadRequest, $"{url}: {(int)response.StatusCode} {body}");
                    Assert.DoesNotContain(Chengdu, body, url);
                }
            }
        }

        foreach (var id in new[] { "x' or '1' eq '1", "..%2F..%2F", $"{Chengdu}_x", "' or RowKey ne '" })
        {
            using var response = await SendAsync(HttpMethod.Get, $"/api/violations/{Uri.EscapeDataString(id)}", "ent-dy");
            Assert.IsTrue(response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.BadRequest, id);
        }
    }

    /// <summary>Every table filter in the source is built by TableClient.CreateQueryFilter, never by string interpolation.</summary>
    [TestMethod]
    public void TableFilters_AreOnlyBuiltByCreateQueryFilter()
    {
        var offenders = Directory.EnumerateFiles(Path.Combine(Samples.Root, "src"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(f => File.ReadLines(f).Select((line, i) => (File: Path.GetFileName(f), Line: i + 1, Text: line)))
            .Where(l => InterpolatedFilter().IsMatch(l.Text))
            .Select(l => $"{l.File}:{l.Line}: {l.Text.Trim()}")
            .ToList();

        Assert.IsEmpty(offenders, string.Join(Environment.NewLine, offenders));
    }

    /// <summary>
    /// Blob names a client can produce: traversal, encoded slashes, look-alike and full-width codes, a 1 KB name.
    /// Each gets a verdict; none writes into another enterprise's partition; results stay in the results container.
    /// </summary>
    [TestMethod]
    public async Task OddBlobNames_AreCheckedInTheirOwnFolderOrRejected_NeverFiledUnderAnother()
    {
        var before = await Store.ViolationsOfEnterpriseAsync(Chengdu, CancellationToken.None);
        var payroll = Header + $"{Chengdu},2017-05,510100,E1,8000,15,19\r\n";
        var names = new[]
        {
            $"{Deyang}%2F..%2F{Chengdu}/a.csv",
            $"{Deyang}/..%2F{Chengdu}/b.csv",
            $"{Deyang}/../../{Chengdu}/c.csv",
            "91510100\u0410\u0034\u0421\u0031\u0032\u041D\u0033\u0412\u0031Y/look-alike.csv", // Cyrillic А С Н В inside Chengdu's code
            "\uFF19\uFF11\uFF15\uFF11\uFF10\uFF11\uFF10\uFF10A4C12H3B1Y/full-width.csv",
            $"{Chengdu.ToLowerInvariant()}/lower.csv",
            $"{Deyang}/{new string('a', 1000)}.csv",
            $"{Deyang}/\u202Evsc.exe",
        };
        var refused = new List<string>();
        foreach (var name in names)
        {
            try
            {
                await filings!.GetBlobClient(name).UploadAsync(BinaryData.FromString(payroll), overwrite: true);
            }
            catch (Azure.RequestFailedException ex) when (ex.Status == 400)
            {
                refused.Add(name); // the storage service itself refuses the name: nothing to process
            }
        }

        Assert.IsLessThanOrEqualTo(2, refused.Count, "most odd names are accepted by storage and must be handled by us: " + string.Join(", ", refused));

        var stored = new List<string>();
        await foreach (var blob in filings!.GetBlobsAsync())
        {
            stored.Add(blob.Name);
        }

        foreach (var name in stored.Where(n => !n.StartsWith($"{Chengdu}/", StringComparison.Ordinal) && !n.StartsWith($"{Deyang}/march", StringComparison.Ordinal)))
        {
            var slash = name.IndexOf('/', StringComparison.Ordinal);
            var outcome = await Processor.ProcessAsync(name[..slash], name[(slash + 1)..], CancellationToken.None);
            Assert.AreNotEqual(ProcessOutcome.Gone, outcome, name);
        }

        // Whatever the names became, nothing was filed under Chengdu except by Chengdu's own folder.
        CollectionAssert.AreEquivalent(before.Select(v => v.RowKey).ToList(), (await Store.ViolationsOfEnterpriseAsync(Chengdu, CancellationToken.None)).Select(v => v.RowKey).ToList());
        var deyang = await Store.FilingsOfEnterpriseAsync(Deyang, CancellationToken.None);
        Assert.IsTrue(deyang.Where(f => f.FileName != "march.csv").All(f => f.Status == "rejected"), "Deyang's folder holds Chengdu's rows: a submitter mismatch, never Chengdu's findings");
        var longName = deyang.Single(f => f.FileName.Length > 1000);
        StringAssert.StartsWith(longName.ResultBlob, host!.Services.GetRequiredService<ResultStore>().Container.Name + "/long-names/");
        var invalid = await Store.FilingsOfEnterpriseAsync(StorageKeys.InvalidSubmitter, CancellationToken.None);
        Assert.IsGreaterThanOrEqualTo(3, invalid.Count, "look-alike, full-width and lower-case folders are rejected as no USCC");
        Assert.IsTrue(invalid.All(f => f.Status == "rejected" && f.Error!.Contains("is not a unified social credit code", StringComparison.Ordinal)), string.Join(Environment.NewLine, invalid.Select(f => f.Error)));
    }

    /// <summary>Script in a filing's name and rows and in a review note is shown as text: nothing runs, no handler attribute appears.</summary>
    [TestMethod]
    public async Task ScriptFromFilingsAndNotes_NeverRunsInTheReviewPage()
    {
        Assert.IsTrue(File.Exists(ReviewApiTests.Chromium), "the browser test needs Debian's chromium");
        using var playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = ReviewApiTests.Chromium, Headless = true, Args = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"] });
        var page = await browser.NewPageAsync();
        var blocked = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase))
            {
                blocked.Add(message.Text);
            }
        };
        var response = await page.GotoAsync(http!.BaseAddress!.ToString());
        var policy = await response!.HeaderValueAsync("content-security-policy");
        var ownScripts = await page.EvaluateAsync<int>("document.scripts.length");
        await page.FillAsync("#token", "ent-cd");
        await page.ClickAsync("#signin-button");
        await page.FillAsync("#period", "2017-03");
        await page.ClickAsync("#search");
        await page.Locator("#list tbody tr").First.WaitForAsync();
        await page.Locator("#list tbody tr").Last.ClickAsync();
        await page.Locator("#detail form").WaitForAsync();

        var heading = await page.Locator("#detail h2").InnerTextAsync();
        var scripts = await page.EvaluateAsync<int>("document.scripts.length");
        var handlers = await page.EvaluateAsync<string[]>("[...document.querySelectorAll('*')].flatMap(e => [...e.attributes].filter(a => a.name.startsWith('on')).map(a => e.tagName + ' ' + a.name))");
        var ran = await page.EvaluateAsync<bool>("window.__xss !== undefined");

        StringAssert.Contains(heading, Script, "the filing name is shown, as text");
        Assert.AreEqual(ownScripts, scripts, "no script element came from data");
        Assert.IsEmpty(handlers, string.Join(", ", handlers));
        Assert.IsFalse(ran, "no injected script ran");
        StringAssert.StartsWith(policy, "default-src 'none'; script-src 'self' 'sha256-", "only the page's own script and the chart library it serves may run; no inline script but the hashed one, no eval");
        StringAssert.Contains(policy, "connect-src 'self'");
        Assert.IsEmpty(blocked, "the page's own script and style pass its policy: " + string.Join(" | ", blocked));
    }

    /// <summary>The HTML digests (archive and mail) parse to no script, no handler attribute and no javascript: URL; CSV cells cannot start a formula; employees are masked.</summary>
    [TestMethod]
    public async Task Digests_CarryNoScriptNoFormulaAndNoEmployeeInClear()
    {
        var digests = host!.Services.GetRequiredService<DigestService>();
        var input = await digests.LoadAsync(Period.Parse("2017-03"), CancellationToken.None);
        var regulator = DigestService.RenderRegulator(Core.Digests.DigestBuilder.ForRegulator(input, "510000"));
        var enterprise = Core.Digests.DigestBuilder.ForEnterprises(input).Single(d => d.Uscc == Chengdu);
        var parser = new HtmlParser();

        foreach (var (name, html) in regulator.Files.Where(f => f.Name.EndsWith(".html", StringComparison.Ordinal)).Select(f => (f.Name, f.Content.ToString())).Append(("enterprise.html", Core.Digests.DigestHtml.Render(enterprise))))
        {
            using var document = parser.ParseDocument(html);
            Assert.IsEmpty(document.Scripts, name);
            var handlers = document.All.SelectMany(e => e.Attributes.Where(a => a.Name.StartsWith("on", StringComparison.OrdinalIgnoreCase)).Select(a => $"{e.TagName} {a.Name}")).ToList();
            Assert.IsEmpty(handlers, $"{name}: {string.Join(", ", handlers)}");
            Assert.IsFalse(document.All.Any(e => e.Attributes.Any(a => a.Value.TrimStart().StartsWith("javascript:", StringComparison.OrdinalIgnoreCase))), name);
            StringAssert.Contains(document.Body!.TextContent, Script, $"{name}: the script is shown as text");
            Assert.DoesNotContain(ChengduEmployee, html, name);
        }

        var csv = regulator.Files.Single(f => f.Name == "digest.csv").Content.ToString();
        var cells = csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Skip(1).SelectMany(l => l.Split(',')).Select(c => c.Trim('"')).ToList();
        Assert.IsTrue(cells.Any(c => c.StartsWith("'=HYPERLINK", StringComparison.Ordinal)), "the formula enterprise name is there, neutralised");
        Assert.IsFalse(cells.Any(c => c.Length > 0 && c[0] is '=' or '+' or '@' or '\t' or '\r'), string.Join(" | ", cells.Where(c => c.Length > 0 && c[0] is '=' or '+' or '@')));
        var json = regulator.Files.Single(f => f.Name == "digest.json").Content.ToString();
        Assert.DoesNotContain(ChengduEmployee, json);
        StringAssert.Contains(json, "C*************17", "masked: first character and last two");
    }

    /// <summary>Everything the host logged at any level, during all of the above: no secret, no token, no employee identifier.</summary>
    [TestMethod]
    public async Task Logs_HoldNoSecretsTokensOrEmployeeIdentifiers()
    {
        // Make sure the log has seen authenticated calls, a rejection about an employee and a review.
        using var current = await SendAsync(HttpMethod.Get, $"/api/violations/{Uri.EscapeDataString(chengduViolation)}", "reg-sc");
        using var review = await SendAsync(HttpMethod.Post, $"/api/violations/{Uri.EscapeDataString(chengduViolation)}/review", "reg-sc", new { status = "confirmed", note = "checked" }, current.Headers.ETag!.ToString());
        Assert.AreEqual(HttpStatusCode.OK, review.StatusCode, await review.Content.ReadAsStringAsync());
        var lines = Logs.Messages;

        Assert.IsGreaterThan(50, lines.Count, "the log was captured at every level");
        Assert.IsTrue(lines.Any(l => l.StartsWith("Rejected filing", StringComparison.Ordinal) && l.Contains("duplicate.csv", StringComparison.Ordinal)), "the rejection was logged");
        foreach (var secret in new[] { Azurite.AccountKey, SmtpPassword, "reg-sc", "ent-dy", "ent-cd", "reg-gz", ChengduEmployee, DeyangEmployee })
        {
            var leaks = lines.Where(l => l.Contains(secret, StringComparison.Ordinal)).ToList();
            Assert.IsEmpty(leaks, $"the log holds '{secret}':{Environment.NewLine}{string.Join(Environment.NewLine, leaks)}");
        }
    }

    private static FilingStore Store => host!.Services.GetRequiredService<FilingStore>();

    private static async Task UploadAndProcessAsync(string uscc, string name, string csv)
    {
        await filings!.GetBlobClient($"{uscc}/{name}").UploadAsync(BinaryData.FromString(csv), overwrite: true);
        await Processor.ProcessAsync(uscc, name, CancellationToken.None);
    }

    private static Task<HttpResponseMessage> SendAsync(HttpMethod method, string url, string? token, object? body = null, string? ifMatch = null) =>
        http!.SendAsync(method, url, token, body, ifMatch);

    [GeneratedRegex(@"(Query(Async)?<[^>]*>|filter:)\s*\(?\s*\$""", RegexOptions.CultureInvariant)]
    private static partial Regex InterpolatedFilter();
}
