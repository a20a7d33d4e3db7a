using System.Security.Claims;
using System.Text.Encodings.Web;
using Compliance.Pipeline.Review;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Compliance.Api;

/// <summary>The named authorization policies the endpoints declare.</summary>
public static class CompliancePolicies
{
    /// <summary>Any authenticated caller: a regulator or an enterprise.</summary>
    public const string AnyCaller = nameof(AnyCaller);

    /// <summary>A regulator of some region.</summary>
    public const string Regulator = nameof(Regulator);

    /// <summary>An enterprise, bound to its USCC.</summary>
    public const string Enterprise = nameof(Enterprise);

    /// <summary>The regulator of the whole country (region <c>000000</c>): national operations such as re-checks.</summary>
    public const string NationalRegulator = nameof(NationalRegulator);

    internal const string RegionClaim = "compliance:region";
    internal const string UsccClaim = "compliance:uscc";

    /// <summary>The caller a principal authenticated by <see cref="ComplianceAuthenticationHandler"/> stands for.</summary>
    public static Caller CallerOf(ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        var name = user.Identity?.Name ?? string.Empty;
        return user.IsInRole(CallerAuthentication.RegulatorRole)
            ? Caller.Regulator(name, user.FindFirstValue(RegionClaim)!)
            : user.IsInRole(CallerAuthentication.EnterpriseRole)
            ? Caller.Enterprise(name, user.FindFirstValue(UsccClaim)!)
            : throw new InvalidOperationException("The endpoint was reached without a caller; it must declare a policy.");
    }

    internal static ClaimsPrincipal PrincipalOf(Caller caller, string scheme)
    {
        var claims = new List<Claim> { new(ClaimTypes.Name, caller.Name), new(ClaimTypes.Role, CallerAuthentication.RoleName(caller.Role)) };
        if (caller.Region is { } region)
        {
            claims.Add(new Claim(RegionClaim, region));
        }

        if (caller.Uscc is { } uscc)
        {
            claims.Add(new Claim(UsccClaim, uscc));
        }

        return new ClaimsPrincipal(new ClaimsIdentity(claims, scheme, ClaimTypes.Name, ClaimTypes.Role));
    }
}

/// <summary>
/// The one way in: turns the request's credentials (a bearer token, or the App Service principal where the app
/// runs behind App Service authentication) into a principal, and answers a missing or refused one with a 401
/// carrying the RFC 6750 challenge and problem details, a wrong role with a 403.
/// </summary>
public sealed class ComplianceAuthenticationHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, CallerAuthentication callers, IProblemDetailsService problems)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Compliance";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!CallerAuthentication.SentCredentials(Request) && !Request.Headers.ContainsKey("X-MS-CLIENT-PRINCIPAL"))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        return Task.FromResult(callers.Identify(Request) is { } caller
            ? AuthenticateResult.Success(new AuthenticationTicket(CompliancePolicies.PrincipalOf(caller, SchemeName), SchemeName))
            : AuthenticateResult.Fail("The credentials name no caller."));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = CallerAuthentication.SentCredentials(Request)
            ? "Bearer realm=\"compliance\", error=\"invalid_token\""
            : "Bearer realm=\"compliance\"";
        await WriteProblemAsync("Sign in", "Send a bearer token.").ConfigureAwait(false);
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status403Forbidden;
        await WriteProblemAsync("Forbidden", "Your role may not do this.").ConfigureAwait(false);
    }

    private async Task WriteProblemAsync(string title, string detail) =>
        await problems.WriteAsync(new ProblemDetailsContext { HttpContext = Context, ProblemDetails = { Status = Response.StatusCode, Title = title, Detail = detail } }).ConfigureAwait(false);
}

/// <summary>Registration of the scheme and the policies.</summary>
public static class ComplianceAuthenticationExtensions
{
    public static IServiceCollection AddComplianceAuthentication(this IServiceCollection services)
    {
        services.AddAuthentication(ComplianceAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ComplianceAuthenticationHandler>(ComplianceAuthenticationHandler.SchemeName, null);
        services.AddAuthorizationBuilder()
            .AddPolicy(CompliancePolicies.AnyCaller, p => p.RequireAuthenticatedUser().RequireRole(CallerAuthentication.RegulatorRole, CallerAuthentication.EnterpriseRole))
            .AddPolicy(CompliancePolicies.Regulator, p => p.RequireAuthenticatedUser().RequireRole(CallerAuthentication.RegulatorRole))
            .AddPolicy(CompliancePolicies.Enterprise, p => p.RequireAuthenticatedUser().RequireRole(CallerAuthentication.EnterpriseRole))
            .AddPolicy(CompliancePolicies.NationalRegulator, p => p.RequireAuthenticatedUser().RequireRole(CallerAuthentication.RegulatorRole).RequireClaim(CompliancePolicies.RegionClaim, Core.Filings.RegionCode.National));
        return services;
    }
}
