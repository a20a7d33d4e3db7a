using System.Net.Http.Headers;
using System.Net.Http.Json;

namespace Compliance.Pipeline.Tests;

/// <summary>
/// Settings for a local host of the API tests: storage of its own (prefixed names, so classes cannot see each
/// other's data in the shared Azurite) and four bearer tokens — two provincial regulators, two enterprises.
/// </summary>
internal static class ApiSettings
{
    public const string Deyang = "91510600G612DD2721";
    public const string Chengdu = "91510100A4C12H3B1Y";

    /// <summary>An ETag of the form the API issues that no violation has: gets a request past the If-Match check to the scope check.</summary>
    public const string WellFormedETag = "W/\"datetime'2017-01-01T00%3A00%3A00.0000000Z'\"";

    public static Dictionary<string, string?> Isolated(string prefix, string suffix) => WithTokens(new()
    {
        ["ComplianceStorage:FilingsContainer"] = $"{prefix}-filings-{suffix}",
        ["ComplianceStorage:ResultsContainer"] = $"{prefix}-results-{suffix}",
        ["ComplianceStorage:FilingsTable"] = $"{prefix}Filings{suffix}",
        ["ComplianceStorage:ViolationsTable"] = $"{prefix}Violations{suffix}",
        ["ComplianceStorage:ViolationsByPeriodTable"] = $"{prefix}ByPeriod{suffix}",
        ["ComplianceStorage:FilingsByPeriodTable"] = $"{prefix}FilingsByPeriod{suffix}",
        ["ComplianceStorage:ReviewAuditTable"] = $"{prefix}Audit{suffix}",
        ["ComplianceStorage:DigestsTable"] = $"{prefix}Digests{suffix}",
        ["ComplianceStorage:RecipientsTable"] = $"{prefix}Recipients{suffix}",
        ["ComplianceStorage:DigestsContainer"] = $"{prefix}-digests-{suffix}",
        ["ComplianceStorage:ClaimsTable"] = $"{prefix}Claims{suffix}",
        ["ComplianceStorage:CountsTable"] = $"{prefix}Counts{suffix}",
        ["ComplianceStorage:ViolationRowsArchiveTable"] = $"{prefix}RowsArchive{suffix}",
        ["ComplianceStorage:RechecksTable"] = $"{prefix}Rechecks{suffix}",
    });

    /// <summary>The four callers' tokens, held as the API holds them: SHA-256 hashes beside their grants.</summary>
    public static readonly (string Token, string Grant)[] Callers =
    [
        ("reg-sc", "regulator|510000|wang@sc.gov.cn"),
        ("reg-gz", "regulator|520000|zhao@gz.gov.cn"),
        ("ent-dy", $"enterprise|{Deyang}|deyang finance"),
        ("ent-cd", $"enterprise|{Chengdu}|chengdu finance"),
    ];

    public static Dictionary<string, string?> WithTokens(Dictionary<string, string?> settings, params (string Token, string Grant)[] tokens)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var all = tokens.Length > 0 ? tokens : Callers;
        for (var i = 0; i < all.Length; i++)
        {
            settings[$"Api:Tokens:{i}:Sha256"] = Compliance.Api.ApiToken.HashOf(all[i].Token);
            settings[$"Api:Tokens:{i}:Grant"] = all[i].Grant;
        }

        return settings;
    }
}

/// <summary>Requests to the review API as a caller with a bearer token; every response is held to the OpenAPI document.</summary>
internal static class ApiRequests
{
    public static async Task<HttpResponseMessage> SendAsync(this HttpClient http, HttpMethod method, string url, string? token, object? body = null, string? ifMatch = null)
    {
        using var request = new HttpRequestMessage(method, url);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        var response = await http.SendAsync(request);
        await OpenApiContract.AssertConformsAsync(http, request, response);
        return response;
    }
}
