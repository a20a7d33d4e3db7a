using System.Text.RegularExpressions;
using Azure;
using Microsoft.Extensions.Primitives;

namespace Compliance.Api;

/// <summary>
/// The <c>If-Match</c> a review must carry: exactly one ETag of the form the API hands out in
/// <c>GET /api/violations/{id}</c> (Table storage's <c>W/"datetime'…'"</c>, or the same value without
/// <c>W/</c>). <c>*</c> would skip the concurrency check that the 428 for a missing header enforces, and
/// anything else would reach the Table service only to be refused there; both are the caller's error (400).
/// </summary>
public static partial class IfMatch
{
    public const string Expected = "If-Match must be the one ETag from GET /api/violations/{id}, as sent (W/\"datetime'…'\"); '*' and lists are not accepted.";

    /// <summary>True with the ETag to send to storage; false when the header is present but not one issued ETag.</summary>
    public static bool TryParse(StringValues header, out ETag etag)
    {
        etag = default;
        if (header.Count != 1 || header[0] is not { } value)
        {
            return false;
        }

        var match = Issued().Match(value.Trim());
        if (!match.Success)
        {
            return false;
        }

        // Table storage issues weak ETags and compares the opaque value; a client that dropped W/ means the same one.
        etag = new ETag($"W/\"{match.Groups["value"].Value}\"");
        return true;
    }

    [GeneratedRegex("""^(?:W/)?"(?<value>datetime'[0-9A-Za-z%.:\-]{1,64}')"$""", RegexOptions.CultureInvariant)]
    private static partial Regex Issued();
}
