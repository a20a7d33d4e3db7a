using Microsoft.AspNetCore.Http;

namespace Compliance.Api;

/// <summary>
/// Headers on every response of both hosts. API answers carry employee IDs and figures: no browser may sniff
/// them into another type, cache them, frame them or send them on as a referrer. Every response gets a
/// Content-Security-Policy that allows nothing at all, except the review page, which sets its own.
/// </summary>
public static class ApiResponseHeaders
{
    /// <summary>
    /// Sets the headers now, and again as the response starts: the exception handler clears headers before it
    /// writes its problem details, and a host that hands requests over may not run start callbacks at all.
    /// </summary>
    public static void Apply(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        Set(context.Response.Headers);
        context.Response.OnStarting(
            static state =>
            {
                Set(((HttpContext)state).Response.Headers);
                return Task.CompletedTask;
            },
            context);
    }

    private static void Set(IHeaderDictionary headers)
    {
        headers.XContentTypeOptions = "nosniff";
        // Answers carry personal data and are never cached; an endpoint serving a library says otherwise itself.
        if (string.IsNullOrEmpty(headers.CacheControl))
        {
            headers.CacheControl = "no-store";
        }

        headers["Referrer-Policy"] = "no-referrer";
        headers["Cross-Origin-Resource-Policy"] = "same-origin";
        if (string.IsNullOrEmpty(headers.ContentSecurityPolicy))
        {
            headers.ContentSecurityPolicy = DenyAll;
        }
    }

    /// <summary>The policy of every API answer; the review page replaces it with its own.</summary>
    public const string DenyAll = "default-src 'none'; frame-ancestors 'none'";
}
