using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Compliance.Pipeline.Review;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Compliance.Api;

/// <summary>
/// Who is calling. In Azure, App Service authentication puts the signed-in principal in
/// <c>X-MS-CLIENT-PRINCIPAL</c>; that header is trusted only when <see cref="ApiOptions.TrustAppServiceAuthentication"/>
/// says the app runs behind it (anyone can send the header otherwise). Locally, bearer tokens whose hashes are
/// listed in <see cref="ApiOptions.Tokens"/> map to callers.
/// </summary>
public sealed class CallerAuthentication
{
    /// <summary>The role names of grants, principals' role claims and Entra app roles (infra/entra/app-roles.json).</summary>
    public const string RegulatorRole = "regulator";

    /// <inheritdoc cref="RegulatorRole"/>
    public const string EnterpriseRole = "enterprise";

    /// <summary>What a grant looks like, for the messages that refuse one.</summary>
    public const string GrantForm = "'regulator|{6-digit region}|{name}' or 'enterprise|{USCC}|{name}'";

    private readonly bool trustAppService;
    private readonly (byte[] Hash, Caller Caller)[] tokens;

    public CallerAuthentication(IOptions<ApiOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        trustAppService = options.Value.TrustAppServiceAuthentication;

        // Validated on start (ApiOptionsValidator); an entry that still does not parse grants nothing.
        tokens = [.. options.Value.Tokens
            .Where(t => t.HasWellFormedHash)
            .Select(t => (Hash: Convert.FromHexString(t.Sha256), Caller: Parse(t.Grant)))
            .Where(t => t.Caller is not null)
            .Select(t => (t.Hash, t.Caller!))];
    }

    /// <summary>Whether the request tried to authenticate at all (for the 401's <c>WWW-Authenticate</c> error).</summary>
    public static bool SentCredentials(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.Headers.Authorization.Count > 0;
    }

    public Caller? Identify(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (trustAppService && request.Headers["X-MS-CLIENT-PRINCIPAL"].FirstOrDefault() is { Length: > 0 } principal)
        {
            return FromAppService(principal);
        }

        var header = request.Headers.Authorization.FirstOrDefault();
        if (request.Headers.Authorization.Count != 1 || header is null || !header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var token = header["Bearer ".Length..].Trim();
        return token.Length > 0 ? Match(token) : null;
    }

    /// <summary>
    /// Compares the token's hash with every configured hash in fixed time, exactly (ordinal bytes): no early
    /// exit that a stopwatch could read, and no case folding.
    /// </summary>
    private Caller? Match(string token)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(token), hash);
        Caller? found = null;
        foreach (var (expected, caller) in tokens)
        {
            if (CryptographicOperations.FixedTimeEquals(hash, expected))
            {
                found = caller;
            }
        }

        return found;
    }

    /// <summary>The role name of <paramref name="role"/>, as grants and role claims spell it.</summary>
    public static string RoleName(CallerRole role) => role == CallerRole.Regulator ? RegulatorRole : EnterpriseRole;

    /// <summary><c>role|scope|name</c>, as configured for a token or carried as a claim.</summary>
    public static Caller? Parse(string grant)
    {
        ArgumentNullException.ThrowIfNull(grant);
        var parts = grant.Split('|', 3, StringSplitOptions.TrimEntries);
        return parts switch
        {
            [RegulatorRole, { } region, { Length: > 0 } name] when Core.Filings.RegionCode.IsScope(region) => Caller.Regulator(name, region),
            [EnterpriseRole, { } uscc, { Length: > 0 } name] when Core.Filings.Uscc.TryValidate(uscc, out var normalized, out _) && normalized == uscc => Caller.Enterprise(name, uscc),
            _ => null,
        };
    }

    /// <summary>
    /// The App Service principal (base64 JSON). The grant is the <c>compliance_grant</c> claim set by the
    /// identity provider; it counts only if the user was also assigned the app role it names (the
    /// <c>roles</c> claim, or the principal's <c>role_typ</c>), so a mapping mistake or a stale grant cannot
    /// make an enterprise user a regulator.
    /// </summary>
    private static Caller? FromAppService(string encoded)
    {
        try
        {
            using var document = JsonDocument.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(encoded)));
            var root = document.RootElement;
            var roleType = root.TryGetProperty("role_typ", out var typ) ? typ.GetString() : null;
            string? grant = null;
            var roles = new HashSet<string>(StringComparer.Ordinal);
            foreach (var claim in root.GetProperty("claims").EnumerateArray())
            {
                var type = claim.GetProperty("typ").GetString();
                var value = claim.GetProperty("val").GetString();
                if (type == "compliance_grant")
                {
                    grant = value;
                }
                else if (value is not null && (type == "roles" || (roleType is not null && type == roleType)))
                {
                    roles.Add(value);
                }
            }

            return grant is not null && Parse(grant) is { } caller && roles.Contains(RoleName(caller.Role)) ? caller : null;
        }
        catch (Exception ex) when (ex is FormatException or JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return null;
        }
    }
}
