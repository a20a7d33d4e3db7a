using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Compliance.Api;

/// <summary>
/// A page shipped inside the assembly (plain HTML with one inline script and one inline style, no build step) and
/// its Content-Security-Policy: only that script and style run (by hash), it talks to its own origin (and, for a
/// page that uploads, the storage origin named), and nothing may frame it. The page renders data as text; this is
/// the second line, so an injection that slipped through could neither run nor call out.
/// </summary>
internal sealed class StaticPage(string html, string scriptHash, string styleHash)
{
    public static StaticPage Load(string resourceName)
    {
        using var stream = typeof(StaticPage).Assembly.GetManifestResourceStream(resourceName)
            ?? throw new InvalidOperationException($"The page {resourceName} is not embedded.");
        using var reader = new StreamReader(stream);
        var html = reader.ReadToEnd();
        return new StaticPage(html, Hash(html, "script"), Hash(html, "style"));
    }

    /// <summary>The page with its policy; <paramref name="sameOriginScripts"/> lets it load the scripts this host serves (the chart library).</summary>
    public ContentHttpResult Serve(HttpContext context, string? connectTo, bool sameOriginScripts = false)
    {
        context.Response.Headers.ContentSecurityPolicy =
            $"default-src 'none'; script-src {(sameOriginScripts ? "'self' " : string.Empty)}{scriptHash}; style-src {styleHash}; connect-src 'self'{(connectTo is null ? string.Empty : " " + connectTo)}; img-src 'self'; form-action 'none'; base-uri 'none'; frame-ancestors 'none'";
        return TypedResults.Content(html, "text/html; charset=utf-8");
    }

    private static string Hash(string html, string tag)
    {
        var start = html.IndexOf($"<{tag}>", StringComparison.Ordinal) + tag.Length + 2;
        var body = html[start..html.IndexOf($"</{tag}>", start, StringComparison.Ordinal)];
        return $"'sha256-{Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(body)))}'";
    }
}
