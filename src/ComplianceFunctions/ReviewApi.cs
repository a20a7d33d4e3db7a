using Compliance.Api;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace ComplianceFunctions;

/// <summary>
/// The review API as HTTP functions (ASP.NET Core integration): two catch-alls that hand the request to the
/// API's own pipeline, which routes, authenticates, authorizes, limits and answers exactly as the local host
/// does — there is no second list of routes here. Anonymous at the Functions level: identity comes from App
/// Service authentication in front of the app (<c>X-MS-CLIENT-PRINCIPAL</c>, trusted when
/// <c>Api__TrustAppServiceAuthentication</c> is true). The response is written to the HttpContext.
/// </summary>
public sealed class ReviewApi(ApiPipeline api)
{
    /// <summary>The pages at the app's root — the review page at <c>/</c>, the portal at <c>/portal</c> (host.json sets an empty route prefix).</summary>
    [Function("ReviewPage")]
    public Task PageAsync([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "{page?}")] HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return api.InvokeAsync(request.HttpContext);
    }

    /// <summary>Everything under <c>/api/</c>.</summary>
    [Function("Api")]
    public Task ApiAsync([HttpTrigger(AuthorizationLevel.Anonymous, "get", "post", Route = "api/{*path}")] HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return api.InvokeAsync(request.HttpContext);
    }
}
