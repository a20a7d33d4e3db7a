using System.Text;
using System.Text.Json;
using Compliance.Pipeline.Review;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;

namespace Compliance.Api;

/// <summary>
/// Who is calling. In Azure, App Service authentication puts the signed-in principal in
/// <c>X-MS-CLIENT-PRINCIPAL</c>; that header is trusted only when <c>Api:TrustAppServiceAuthentication</c>
/// says the app runs behind it (anyone can send the header otherwise). Locally, bearer tokens listed under
/// <c>Api:Tokens</c> map to callers: <c>"regulator|510000|wang@sc.gov.cn"</c> or <c>"enterprise|{USCC}|name"</c>.
/// </summary>
public sealed class CallerAuthentication(IConfiguration configuration)
{
    public Caller? Identify(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (configuration.GetValue<bool>("Api:TrustAppServiceAuthentication") && request.Headers["X-MS-CLIENT-PRINCIPAL"].FirstOrDefault() is { Length: > 0 } principal)
        {
            return FromAppService(principal);
        }

        var header = request.Headers.Authorization.FirstOrDefault();
        if (header is null || !header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var token = header["Bearer ".Length..].Trim();
        return token.Length > 0 && configuration[$"Api:Tokens:{token}"] is { } grant ? Parse(grant) : null;
    }

    /// <summary><c>role|scope|name</c>, as configured for a token or carried as a claim.</summary>
    public static Caller? Parse(string grant)
    {
        var parts = grant.Split('|', 3, StringSplitOptions.TrimEntries);
        return parts switch
        {
            ["regulator", { Length: 6 } region, { Length: > 0 } name] when region.All(char.IsAsciiDigit) => Caller.Regulator(name, region),
            ["enterprise", { Length: 18 } uscc, { Length: > 0 } name] => Caller.Enterprise(name, uscc),
            _ => null,
        };
    }

    /// <summary>The App Service principal (base64 JSON); the grant is the <c>compliance_grant</c> claim set by the identity provider.</summary>
    private static Caller? FromAppService(string encoded)
    {
        try
        {
            using var document = JsonDocument.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(encoded)));
            foreach (var claim in document.RootElement.GetProperty("claims").EnumerateArray())
            {
                if (claim.GetProperty("typ").GetString() == "compliance_grant" && claim.GetProperty("val").GetString() is { } grant)
                {
                    return Parse(grant);
                }
            }
        }
        catch (Exception ex) when (ex is FormatException or JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return null;
        }

        return null;
    }
}
