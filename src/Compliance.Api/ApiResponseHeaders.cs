using Microsoft.AspNetCore.Http;

namespace Compliance.Api;

/// <summary>
/// Headers on every response of both hosts. API answers carry employee IDs and figures: no browser may sniff
/// them into another type, cache them, frame them or send them on as a referrer. The review page sets its
/// own, stricter script policy; API responses get one that allows nothing at all.
/// </summary>
public static class ApiResponseHeaders
{
    /// <summary>Registers the headers for this response; set as it starts, so error paths that rewrite the response keep them.</summary>
    public static void Apply(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Response.OnStarting(
            static state =>
            {
                var response = ((HttpContext)state).Response;
                var headers = response.Headers;
                headers.XContentTypeOptions = "nosniff";
                headers.CacheControl = "no-store";
                headers["Referrer-Policy"] = "no-referrer";
                headers["Cross-Origin-Resource-Policy"] = "same-origin";
                if (string.IsNullOrEmpty(headers.ContentSecurityPolicy))
                {
                    headers.ContentSecurityPolicy = "default-src 'none'; frame-ancestors 'none'";
                }

                return Task.CompletedTask;
            },
            context);
    }
}
