using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Compliance.Api;

/// <summary>
/// The API's whole pipeline (<see cref="ReviewEndpoints.UseReviewApi"/>) as one request delegate, for a host that
/// hands requests over instead of hosting the endpoints: the Functions app's HTTP functions pass every request
/// under <c>/</c> and <c>/api/</c> here, so a route, a policy or a limit added once is served by both hosts.
/// </summary>
public sealed class ApiPipeline(IServiceProvider services)
{
    private readonly RequestDelegate pipeline = new ApplicationBuilder(services).UseReviewApi().Build();

    public Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);

        // The host chose its own endpoint (the function) for the request; the API routes it again in its own table.
        context.SetEndpoint(null);
        context.Request.RouteValues.Clear();
        return pipeline(context);
    }
}
