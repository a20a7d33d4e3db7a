using System.Globalization;
using Compliance.Api;
using Compliance.Core.Policies;
using Compliance.Pipeline.Review;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace ComplianceFunctions;

/// <summary>
/// The review API as HTTP functions (ASP.NET Core integration), calling the same handlers the local host
/// maps. Anonymous at the Functions level: identity comes from App Service authentication in front of the
/// app (<c>X-MS-CLIENT-PRINCIPAL</c>, trusted when <c>Api__TrustAppServiceAuthentication</c> is true).
/// </summary>
public sealed class ReviewApi(ReviewService reviews, FilingQueries filings, PolicyCatalog catalog)
{
    /// <summary>The review page at the app's root (host.json sets an empty route prefix, so routes spell out api/).</summary>
    [Function("ReviewPage")]
    public IResult Page([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "")] HttpRequest request) => ReviewEndpoints.ReviewPage();

    [Function("ListViolations")]
    public Task<IResult> ListAsync([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/violations")] HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var query = request.Query;
        int? pageSize = null;
        if (query["pageSize"].FirstOrDefault() is { } size)
        {
            if (!int.TryParse(size, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
            {
                return Task.FromResult(Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid request", detail: "pageSize must be a whole number."));
            }

            pageSize = parsed;
        }

        return ReviewEndpoints.ListAsync(request.HttpContext, reviews, query["period"], query["uscc"], query["rule"], query["status"], query["region"], query["continuationToken"], pageSize);
    }

    [Function("GetViolation")]
    public Task<IResult> GetAsync([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/violations/{id}")] HttpRequest request, string id)
    {
        ArgumentNullException.ThrowIfNull(request);
        return ReviewEndpoints.GetAsync(request.HttpContext, reviews, id);
    }

    [Function("ReviewViolation")]
    public async Task<IResult> ReviewAsync([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/violations/{id}/review")] HttpRequest request, string id)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (TooLarge(request) is { } refused)
        {
            return refused;
        }

        return await ReadBodyAsync<ReviewBody>(request) is { } body
            ? await ReviewEndpoints.ReviewAsync(request.HttpContext, reviews, id, body)
            : BadBody("{\"status\": ..., \"note\": ...}");
    }

    [Function("ListRules")]
    public Task<IResult> RulesAsync([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/rules")] HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return ReviewEndpoints.RulesAsync(request.HttpContext, catalog);
    }

    [Function("ListFilings")]
    public Task<IResult> FilingsAsync([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/filings")] HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return ReviewEndpoints.FilingsAsync(request.HttpContext, filings, request.Query["uscc"]);
    }

    [Function("GetFiling")]
    public Task<IResult> FilingAsync([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/filings/{id}")] HttpRequest request, string id)
    {
        ArgumentNullException.ThrowIfNull(request);
        return ReviewEndpoints.FilingAsync(request.HttpContext, filings, id);
    }

    [Function("GrantUpload")]
    public async Task<IResult> UploadAsync([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/uploads")] HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (TooLarge(request) is { } refused)
        {
            return refused;
        }

        return await ReadBodyAsync<UploadBody>(request) is { } body
            ? await ReviewEndpoints.UploadAsync(request.HttpContext, filings, body)
            : BadBody("{\"fileName\": \"payroll-2016-06.csv\"}");
    }

    /// <summary>
    /// The same body limit as the local host's endpoints: a declared length over it is a 413 at once, and a
    /// body without one is cut off at the limit while it is read.
    /// </summary>
    private static IResult? TooLarge(HttpRequest request)
    {
        if (request.ContentLength > ReviewEndpoints.MaxBodyBytes)
        {
            return Results.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Request too large", detail: $"Request bodies are at most {ReviewEndpoints.MaxBodyBytes} bytes.");
        }

        if (request.HttpContext.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = ReviewEndpoints.MaxBodyBytes;
        }

        return null;
    }

    /// <summary>The JSON body, or null when there is none or it is not JSON of that shape (a 400, not a 500).</summary>
    private static async Task<T?> ReadBodyAsync<T>(HttpRequest request)
        where T : class
    {
        try
        {
            return await request.ReadFromJsonAsync<T>(request.HttpContext.RequestAborted);
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    private static IResult BadBody(string example) =>
        Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid request", detail: $"Send a JSON body: {example}.");
}
