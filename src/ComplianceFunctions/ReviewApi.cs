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
    public IResult Page([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "")] HttpRequest request) => ReviewEndpoints.ReviewPage(request.HttpContext);

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
        return await WithBodyAsync<ReviewBody>(request, "{\"status\": ..., \"note\": ...}", body => ReviewEndpoints.ReviewAsync(request.HttpContext, reviews, id, body));
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
        return await WithBodyAsync<UploadBody>(request, "{\"fileName\": \"payroll-2016-06.csv\"}", body => ReviewEndpoints.UploadAsync(request.HttpContext, filings, body));
    }

    /// <summary>
    /// Reads the JSON body under the same limit as the local host's endpoints and hands it on. A declared
    /// length over the limit is a 413 at once; a body without one is cut off at the limit while it is read
    /// (also a 413); a body not sent as JSON is a 415 and one that is not JSON of that shape a 400, never a 500.
    /// </summary>
    private static async Task<IResult> WithBodyAsync<T>(HttpRequest request, string example, Func<T, Task<IResult>> handle)
        where T : class
    {
        if (request.ContentLength > ReviewEndpoints.MaxBodyBytes)
        {
            return TooLarge();
        }

        // As the local host's endpoints answer: a body that is not declared JSON is a 415, not a 500.
        if (!request.HasJsonContentType())
        {
            return Results.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported media type", detail: $"Send a JSON body (Content-Type: application/json): {example}.");
        }

        if (request.HttpContext.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = ReviewEndpoints.MaxBodyBytes;
        }

        T? body;
        try
        {
            body = await request.ReadFromJsonAsync<T>(request.HttpContext.RequestAborted);
        }
        catch (System.Text.Json.JsonException)
        {
            body = null;
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return TooLarge();
        }

        return body is null ? BadBody(example) : await handle(body);
    }

    private static IResult TooLarge() =>
        Results.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Request too large", detail: $"Request bodies are at most {ReviewEndpoints.MaxBodyBytes} bytes.");

    private static IResult BadBody(string example) =>
        Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid request", detail: $"Send a JSON body: {example}.");
}
