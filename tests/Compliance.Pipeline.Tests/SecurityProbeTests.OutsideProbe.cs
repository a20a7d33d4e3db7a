using System.Net;
using System.Text.Json;
using Compliance.Core.Digests;
using Compliance.Core.Filings;
using Compliance.LocalStack;
using Compliance.Pipeline.Digests;
using Compliance.Pipeline.Review;
using Compliance.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using static Compliance.Pipeline.Tests.ApiSettings;

namespace Compliance.Pipeline.Tests;

/// <summary>
/// The holes an outside probe of the local stack found (issue 14), each replayed as the attacker sent it and
/// now answered safely: an upload URL used to copy another tenant's blob or to declare a 4 TiB page blob,
/// If-Match that skips or breaks the concurrency check, a date that overflowed, another province's rows through
/// the filing route, tokens matched regardless of case, bare error responses, and a re-upload that erased a
/// regulator's decisions.
/// </summary>
public sealed partial class SecurityProbeTests
{
    /// <summary>A Chengdu-registered enterprise with staff in Chengdu and in Guiyang: read by both provinces.</summary>
    private const string Tianfu = "91510100MA6CUB2L8Y";
    private const string GuiyangEmployee = "GY-PRIVATE-7781";

    /// <summary>1. A write-only upload URL accepts x-ms-copy-source; the copy of another tenant's filing or verdict is refused unread.</summary>
    [TestMethod]
    [DataRow("filings")]
    [DataRow("results")]
    public async Task P1_UploadUrl_CopyOfAnotherTenantsBlob_IsRefusedUnreadAndLeaksNothing(string sourceContainer)
    {
        await UploadAndProcessAsync(Chengdu, "copy-source.csv", Header + $"{Chengdu},2017-06,510100,{ChengduEmployee},8000,14,19\r\n");
        var source = sourceContainer == "filings"
            ? filings!.GetBlobClient($"{Chengdu}/copy-source.csv").Uri
            : host!.Services.GetRequiredService<ResultStore>().Container.GetBlobClient(ResultStore.BlobNameFor($"{Chengdu}/copy-source.csv")).Uri;
        var name = $"copied-{sourceContainer}.csv";
        var url = await UploadUrlAsync("ent-dy", name);

        using var plain = new HttpClient();
        using var copy = new HttpRequestMessage(HttpMethod.Put, url) { Content = new ByteArrayContent([]) };
        copy.Headers.Add("x-ms-copy-source", source.ToString());
        copy.Headers.Add("x-ms-version", "2021-12-02");
        using var copied = await plain.SendAsync(copy);
        Assert.IsTrue(copied.IsSuccessStatusCode, $"the storage emulator accepts the copy ({(int)copied.StatusCode}), so the pipeline is what must refuse it");

        Assert.AreEqual(ProcessOutcome.Rejected, await Processor.ProcessAsync(Deyang, name, CancellationToken.None));

        var verdict = (await Store.FilingsOfEnterpriseAsync(Deyang, CancellationToken.None)).Single(f => f.FileName == name);
        StringAssert.Contains(verdict.Error, "created by copying another blob");
        Assert.AreEqual(string.Empty, verdict.Sha256, "not a byte was read (nothing was hashed)");
        Assert.AreEqual((0, string.Empty), (verdict.Rows, verdict.Periods));
        using var read = await SendAsync(HttpMethod.Get, $"/api/filings/{Uri.EscapeDataString(FilingQueries.IdOf(verdict))}", "ent-dy");
        var body = await read.Content.ReadAsStringAsync();
        Assert.AreEqual(HttpStatusCode.OK, read.StatusCode, body);
        foreach (var secret in new[] { Chengdu, ChengduEmployee, "2017-06", "payroll" })
        {
            Assert.DoesNotContain(secret, body, $"the copier's verdict tells nothing of the source ({secret})");
        }
    }

    /// <summary>2. A page blob declaring 4 TiB with no body is refused from its properties, before a byte is downloaded.</summary>
    [TestMethod]
    public async Task P2_UploadUrl_PageBlobDeclaringTerabytes_IsRefusedBeforeReading()
    {
        var url = await UploadUrlAsync("ent-dy", "huge.csv");
        using var plain = new HttpClient();
        using var put = new HttpRequestMessage(HttpMethod.Put, url) { Content = new ByteArrayContent([]) };
        put.Headers.Add("x-ms-blob-type", "PageBlob");
        put.Headers.Add("x-ms-blob-content-length", "4398046511104");
        using var created = await plain.SendAsync(put);
        Assert.AreEqual(HttpStatusCode.Created, created.StatusCode, "the write URL creates the page blob; the pipeline must not download it");

        // Before the fix this streamed 4 TiB to a temp file; the bound turns that into a failure, not a full disk.
        using var bound = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        Assert.AreEqual(ProcessOutcome.Rejected, await Processor.ProcessAsync(Deyang, "huge.csv", bound.Token));

        var verdict = (await Store.FilingsOfEnterpriseAsync(Deyang, CancellationToken.None)).Single(f => f.FileName == "huge.csv");
        StringAssert.Contains(verdict.Error, "page blob; only block blobs are read");
        Assert.AreEqual(4398046511104L, verdict.ContentLength);
        Assert.AreEqual(string.Empty, verdict.Sha256, "not a byte was read");
    }

    /// <summary>2. A block blob over the size limit is refused on its length alone (a checker with a 1 KiB limit stands in for 2 GiB).</summary>
    [TestMethod]
    public async Task P2_BlockBlobOverTheLimit_IsRefusedOnItsLength()
    {
        await using var harness = new PipelineHarness(configure: s => s.AddSingleton(p => new Core.Checking.FilingChecker(p.GetRequiredService<Core.Policies.PolicyCatalog>(), Core.Reading.ReaderLimits.Default with { MaxFileBytes = 1024 })));
        var etag = await harness.UploadAsync(PipelineHarness.Uscc, "big.csv", Header + string.Concat(Enumerable.Repeat($"{PipelineHarness.Uscc},2017-03,510100,E1,8000,12,19\r\n", 40)));

        Assert.AreEqual(ProcessOutcome.Rejected, await harness.Processor.ProcessAsync(PipelineHarness.Uscc, "big.csv", CancellationToken.None));

        var verdict = await harness.FilingVersionAsync(PipelineHarness.Uscc, "big.csv", etag);
        StringAssert.Contains(verdict!.Error, "filings up to 0 MiB are accepted");
        Assert.AreEqual(string.Empty, verdict.Sha256, "refused from its properties, not after a download");
    }

    /// <summary>3 and 4. If-Match must be one ETag the API issued: '*' no longer skips the check, and malformed ones are 400, never 500.</summary>
    [TestMethod]
    public async Task P3_P4_IfMatch_StarAndMalformedValuesAre400_AnIssuedETagWorksWithOrWithoutW()
    {
        var id = await DeyangViolationAsync("2017-03");
        foreach (var ifMatch in new[] { "*", "\"x\", *", "\"*\"", "W/", "\"x\"", "W/\"datetime'2017'\", W/\"datetime'2018'\"", "W/\"datetime'2017-01-01T00:00:00Z'\"garbage", "datetime'2017'" })
        {
            using var response = await SendAsync(HttpMethod.Post, $"/api/violations/{id}/review", "reg-sc", new { status = "dismissed", note = "probe" }, ifMatch);
            var body = await response.Content.ReadAsStringAsync();
            Assert.AreEqual(HttpStatusCode.BadRequest, response.StatusCode, $"If-Match {ifMatch}: {body}");
            Assert.AreEqual("application/problem+json", response.Content.Headers.ContentType?.MediaType, ifMatch);
            StringAssert.Contains(body, "If-Match must be the one ETag");
        }

        using var missing = await SendAsync(HttpMethod.Post, $"/api/violations/{id}/review", "reg-sc", new { status = "dismissed", note = "probe" });
        Assert.AreEqual((HttpStatusCode)428, missing.StatusCode);

        using var get = await SendAsync(HttpMethod.Get, $"/api/violations/{id}", "reg-sc");
        var issued = get.Headers.ETag!.ToString();
        StringAssert.StartsWith(issued, "W/\"datetime'");
        using var strong = await SendAsync(HttpMethod.Post, $"/api/violations/{id}/review", "reg-sc", new { status = "confirmed", note = "probe with the strong form" }, issued[2..]);
        Assert.AreEqual(HttpStatusCode.OK, strong.StatusCode, await strong.Content.ReadAsStringAsync());
        using var stale = await SendAsync(HttpMethod.Post, $"/api/violations/{id}/review", "reg-sc", new { status = "open", note = "stale" }, issued);
        Assert.AreEqual(HttpStatusCode.PreconditionFailed, stale.StatusCode, "the issued ETag is checked, not skipped");
    }

    /// <summary>5. An exemption to 9999-12-31 overflowed into a 500; any date past three years ahead is a 400 that says the bound.</summary>
    [TestMethod]
    public async Task P5_ExemptionFarAhead_Is400()
    {
        var id = await DeyangViolationAsync("2017-03");
        using var get = await SendAsync(HttpMethod.Get, $"/api/violations/{id}", "reg-sc");
        foreach (var until in new[] { "9999-12-31", DateOnly.FromDateTime(DateTime.UtcNow).AddYears(3).AddDays(2).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) })
        {
            using var response = await SendAsync(HttpMethod.Post, $"/api/violations/{id}/review", "reg-sc", new { status = "exempted", note = "forever", exemptUntil = until }, get.Headers.ETag!.ToString());
            var body = await response.Content.ReadAsStringAsync();
            Assert.AreEqual(HttpStatusCode.BadRequest, response.StatusCode, $"{until}: {body}");
            StringAssert.Contains(body, "at most 3 years");
        }

        using var unreadable = await SendAsync(HttpMethod.Post, $"/api/violations/{id}/review", "reg-sc", new { status = "exempted", note = "x", exemptUntil = "99999-01-01" }, get.Headers.ETag!.ToString());
        Assert.AreEqual(HttpStatusCode.BadRequest, unreadable.StatusCode);
        Assert.AreEqual("application/problem+json", unreadable.Content.Headers.ContentType?.MediaType);
    }

    /// <summary>6. A filing with rows in Chengdu and in Guiyang: each province's regulator reads only its own rows through the filing route.</summary>
    [TestMethod]
    public async Task P6_FilingRoute_GivesARegulatorOnlyTheRowsOfItsRegion()
    {
        await UploadAndProcessAsync(Tianfu, "two-provinces.csv", Header
            + $"{Tianfu},2017-07,510100,{ChengduEmployee},8000,14,19\r\n"
            + $"{Tianfu},2017-07,520100,{GuiyangEmployee},8000,15,19\r\n");
        var filing = (await Store.FilingsOfEnterpriseAsync(Tianfu, CancellationToken.None)).Single(f => f.FileName == "two-provinces.csv");
        var url = $"/api/filings/{Uri.EscapeDataString(FilingQueries.IdOf(filing))}";

        using var guizhou = await SendAsync(HttpMethod.Get, url, "reg-gz");
        using var sichuan = await SendAsync(HttpMethod.Get, url, "reg-sc");
        var gz = await guizhou.Content.ReadAsStringAsync();
        var sc = await sichuan.Content.ReadAsStringAsync();

        Assert.AreEqual(HttpStatusCode.OK, guizhou.StatusCode, gz);
        Assert.DoesNotContain(ChengduEmployee, gz, "Guizhou reads no Chengdu row");
        Assert.DoesNotContain("\"region\":\"510100\"", gz, "nor that a row is in Chengdu");
        StringAssert.Contains(gz, GuiyangEmployee);
        Assert.AreEqual(1, JsonDocument.Parse(gz).RootElement.GetProperty("filing").GetProperty("violations").GetInt32());
        Assert.DoesNotContain(GuiyangEmployee, sc, "and Sichuan none of Guiyang's");
        StringAssert.Contains(sc, ChengduEmployee);
        Assert.AreEqual(1, JsonDocument.Parse(sc).RootElement.GetProperty("result").GetProperty("files")[0].GetProperty("violations").GetArrayLength());
    }

    /// <summary>7. Tokens are compared exactly: a token in another letter case is refused, with the RFC 6750 challenge.</summary>
    [TestMethod]
    public async Task P7_TokenInAnotherLetterCase_Is401WithABearerChallenge()
    {
        using var upper = await SendAsync(HttpMethod.Get, "/api/violations?period=2017-03", "REG-SC");
        using var none = await SendAsync(HttpMethod.Get, "/api/violations?period=2017-03", null);

        Assert.AreEqual(HttpStatusCode.Unauthorized, upper.StatusCode);
        Assert.AreEqual("Bearer realm=\"compliance\", error=\"invalid_token\"", upper.Headers.WwwAuthenticate.ToString());
        Assert.AreEqual(HttpStatusCode.Unauthorized, none.StatusCode);
        Assert.AreEqual("Bearer realm=\"compliance\"", none.Headers.WwwAuthenticate.ToString());
    }

    /// <summary>7. A malformed grant, or a token written as a settings key, stops the host at start with a message naming the entry.</summary>
    [TestMethod]
    [DataRow("Api:Tokens:4:Grant", "regulator|51|sichuan", "Api:Tokens:4:Grant 'regulator|51|sichuan'")]
    [DataRow("Api:Tokens:sc_secret", "regulator|510000|wang@sc.gov.cn", "Api:Tokens:sc… is not a numbered entry")]
    public async Task P7_MalformedTokenSettings_FailTheStart(string key, string value, string message)
    {
        var settings = Isolated("bad", Guid.NewGuid().ToString("N")[..8]);
        settings["Api:Tokens:4:Sha256"] = Compliance.Api.ApiToken.HashOf("fifth");
        settings["Api:Tokens:4:Grant"] = "regulator|510000|fifth";
        settings[key] = value;
        using var bad = LocalHost.CreateBuilder(AzuriteFixture.ConnectionString, settings, apiUrl: "http://127.0.0.1:0").Build();

        var ex = await Assert.ThrowsExactlyAsync<OptionsValidationException>(() => bad.StartAsync());

        StringAssert.Contains(ex.Message, message);
    }

    /// <summary>
    /// 8. Every response of every route — 200, 400, 401, 404, 415 — carries nosniff, no-store and a deny-all
    /// policy; error statuses have problem details; a bad body is not logged as an unhandled exception.
    /// </summary>
    [TestMethod]
    public async Task P8_EveryResponse_HasSecurityHeaders_AndErrorsAreProblemDetails()
    {
        var id = await DeyangViolationAsync("2017-03");
        var requests = new (HttpMethod Method, string Url, string? Token, object? Body, HttpStatusCode Expected)[]
        {
            (HttpMethod.Get, "/api/violations?period=2017-03", "reg-sc", null, HttpStatusCode.OK),
            (HttpMethod.Get, $"/api/violations/{id}", "reg-sc", null, HttpStatusCode.OK),
            (HttpMethod.Get, "/api/rules", "reg-sc", null, HttpStatusCode.OK),
            (HttpMethod.Get, $"/api/filings?uscc={Deyang}", "reg-sc", null, HttpStatusCode.OK),
            (HttpMethod.Get, "/api/violations?period=2017-13", "reg-sc", null, HttpStatusCode.BadRequest),
            (HttpMethod.Get, "/api/violations?period=2017-03&pageSize=many", "reg-sc", null, HttpStatusCode.BadRequest),
            (HttpMethod.Get, "/api/violations", null, null, HttpStatusCode.Unauthorized),
            (HttpMethod.Get, "/api/violations/nothing.here", "reg-sc", null, HttpStatusCode.NotFound),
            (HttpMethod.Get, "/api/no-such-route", "reg-sc", null, HttpStatusCode.NotFound),
            (HttpMethod.Post, "/api/uploads", "ent-dy", "{\"fileName\": ", HttpStatusCode.BadRequest),
            (HttpMethod.Post, "/api/uploads", "ent-dy", "[1, 2, 3]", HttpStatusCode.BadRequest),
            (HttpMethod.Post, $"/api/violations/{id}/review", "reg-sc", "{\"status\": 7}", HttpStatusCode.BadRequest),
        };
        foreach (var (method, url, token, body, expected) in requests)
        {
            using var request = new HttpRequestMessage(method, url);
            if (token is not null)
            {
                request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
            }

            if (body is string raw)
            {
                request.Content = new StringContent(raw, System.Text.Encoding.UTF8, "application/json");
                request.Headers.TryAddWithoutValidation("If-Match", WellFormedETag);
            }

            using var response = await http!.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            var what = $"{method} {url} {body}";
            Assert.AreEqual(expected, response.StatusCode, $"{what}: {text}");
            Assert.AreEqual("nosniff", string.Join(",", response.Headers.GetValues("X-Content-Type-Options")), what);
            Assert.AreEqual("no-store", response.Headers.CacheControl?.ToString(), what);
            Assert.AreEqual("default-src 'none'; frame-ancestors 'none'", string.Join(",", response.Headers.GetValues("Content-Security-Policy")), what);
            if (expected != HttpStatusCode.OK)
            {
                Assert.AreEqual("application/problem+json", response.Content.Headers.ContentType?.MediaType, $"{what}: problem details, not an empty body");
                var problem = JsonDocument.Parse(text).RootElement;
                Assert.AreEqual((int)expected, problem.GetProperty("status").GetInt32(), what);
                if (expected == HttpStatusCode.BadRequest)
                {
                    Assert.IsFalse(string.IsNullOrWhiteSpace(problem.GetProperty("detail").GetString()), $"{what}: a 400 says why");
                }
            }
        }

        var unhandled = Logs.Messages.Where(m => m.Contains("unhandled exception", StringComparison.OrdinalIgnoreCase)).ToList();
        Assert.IsEmpty(unhandled, "client errors are not logged as unhandled exceptions: " + string.Join(Environment.NewLine, unhandled));
    }

    /// <summary>
    /// 9. An enterprise re-uploads a corrected filing: the finding a regulator confirmed that the new version no
    /// longer has is resolved by that version — still readable by id, with its history, listed under
    /// status=resolved and counted as resolved in the digest — and the finding that stays keeps its decision.
    /// </summary>
    [TestMethod]
    public async Task P9_ReUpload_ResolvesConfirmedFindingsInsteadOfErasingThem()
    {
        await UploadAndProcessAsync(Deyang, "august.csv", Header
            + $"{Deyang},2018-02,510600,FIXED-1,8000,13,19\r\n"
            + $"{Deyang},2018-02,510600,KEPT-2,8000,12,21\r\n");
        var ids = new Dictionary<string, string>();
        foreach (var item in await ItemsAsync("reg-sc", "/api/violations?period=2018-02"))
        {
            var id = item.GetProperty("id").GetString()!;
            using var get = await SendAsync(HttpMethod.Get, $"/api/violations/{id}", "reg-sc");
            using var confirm = await SendAsync(HttpMethod.Post, $"/api/violations/{id}/review", "reg-sc", new { status = "confirmed", note = "Confirmed on site." }, get.Headers.ETag!.ToString());
            Assert.AreEqual(HttpStatusCode.OK, confirm.StatusCode, await confirm.Content.ReadAsStringAsync());
            ids[item.GetProperty("rule").GetString()!] = id;
        }

        // The corrected upload: the housing fund rate fixed, the pension rate not.
        await UploadAndProcessAsync(Deyang, "august.csv", Header
            + $"{Deyang},2018-02,510600,FIXED-1,8000,12,19\r\n"
            + $"{Deyang},2018-02,510600,KEPT-2,8000,12,21\r\n");

        using var fixedResponse = await SendAsync(HttpMethod.Get, $"/api/violations/{ids["HF-RATE-CAP"]}", "reg-sc");
        Assert.AreEqual(HttpStatusCode.OK, fixedResponse.StatusCode, "the confirmed finding is still there, by the same id");
        var fixedFinding = JsonDocument.Parse(await fixedResponse.Content.ReadAsStringAsync()).RootElement;
        Assert.AreEqual("resolved", fixedFinding.GetProperty("violation").GetProperty("status").GetString());
        var history = fixedFinding.GetProperty("history").EnumerateArray().Select(h => $"{h.GetProperty("who").GetString()}: {h.GetProperty("from").GetString()} → {h.GetProperty("to").GetString()}").ToArray();
        CollectionAssert.AreEqual(new[] { "wang@sc.gov.cn: open → confirmed", "filing version: confirmed → resolved" }, history);

        using var keptResponse = await SendAsync(HttpMethod.Get, $"/api/violations/{ids["PENSION-EMPLOYER-CAP"]}", "reg-sc");
        Assert.AreEqual("confirmed", JsonDocument.Parse(await keptResponse.Content.ReadAsStringAsync()).RootElement.GetProperty("violation").GetProperty("status").GetString(), "the finding that stays keeps its decision");

        CollectionAssert.AreEqual(new[] { ids["HF-RATE-CAP"] }, (await ItemsAsync("reg-sc", "/api/violations?period=2018-02&status=resolved")).Select(i => i.GetProperty("id").GetString()).ToArray());
        var digest = DigestBuilder.ForRegulator(await host!.Services.GetRequiredService<DigestService>().LoadAsync(Period.Parse("2018-02"), CancellationToken.None), "510000");
        Assert.AreEqual((1, 1), (digest.Total, digest.Resolved), "the month has one violation left and one resolved by the correction");
        Assert.AreEqual(1, digest.Trend[^1].Count);
    }

    private static async Task<Uri> UploadUrlAsync(string token, string fileName)
    {
        using var grant = await SendAsync(HttpMethod.Post, "/api/uploads", token, new { fileName });
        Assert.AreEqual(HttpStatusCode.OK, grant.StatusCode, await grant.Content.ReadAsStringAsync());
        return new Uri(JsonDocument.Parse(await grant.Content.ReadAsStringAsync()).RootElement.GetProperty("url").GetString()!);
    }

    private static async Task<string> DeyangViolationAsync(string period) =>
        (await ItemsAsync("reg-sc", $"/api/violations?period={period}&uscc={Deyang}"))[0].GetProperty("id").GetString()!;

    private static async Task<List<JsonElement>> ItemsAsync(string token, string url)
    {
        using var response = await SendAsync(HttpMethod.Get, url, token);
        var body = await response.Content.ReadAsStringAsync();
        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode, body);
        using var document = JsonDocument.Parse(body);
        return [.. document.RootElement.GetProperty("items").EnumerateArray().Select(e => e.Clone())];
    }
}
