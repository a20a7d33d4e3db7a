using Compliance.Api;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;

namespace ComplianceFunctions;

/// <summary>The API's response headers on the HTTP functions, as the local host's middleware sets them.</summary>
public sealed class ApiHeadersMiddleware : IFunctionsWorkerMiddleware
{
    public Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        if (context.GetHttpContext() is { } http)
        {
            ApiResponseHeaders.Apply(http);
        }

        return next(context);
    }
}
