using System.Text;
using Compliance.Api;
using Compliance.Pipeline.Review;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Compliance.Pipeline.Tests;

[TestClass]
public sealed class CallerAuthenticationTests
{
    private static readonly string Principal = AppServicePrincipal("""[{"typ":"name","val":"Wang"},{"typ":"roles","val":"regulator"},{"typ":"compliance_grant","val":"regulator|510000|wang@sc.gov.cn"}]""");

    [TestMethod]
    public void AppServicePrincipal_IsIgnoredUnlessTheAppRunsBehindIt()
    {
        var request = Request(principal: Principal);

        Assert.IsNull(Authentication(trust: false).Identify(request), "anyone can send the header to an app not behind App Service authentication");
        Assert.AreEqual(Caller.Regulator("wang@sc.gov.cn", "510000"), Authentication(trust: true).Identify(request));
    }

    [TestMethod]
    [DataRow("""[{"typ":"roles","val":"enterprise"},{"typ":"compliance_grant","val":"regulator|510000|wang@sc.gov.cn"}]""", null, "a grant for a role the user was not assigned")]
    [DataRow("""[{"typ":"compliance_grant","val":"regulator|510000|wang@sc.gov.cn"}]""", null, "a grant with no app role at all")]
    [DataRow("""[{"typ":"http://schemas.microsoft.com/ws/2008/06/identity/claims/role","val":"regulator"},{"typ":"compliance_grant","val":"regulator|510000|wang@sc.gov.cn"}]""", "regulator", "the role under the principal's role_typ")]
    [DataRow("""[{"typ":"roles","val":"enterprise"},{"typ":"compliance_grant","val":"enterprise|91510600G612DD2721|deyang"}]""", "enterprise", "an enterprise user with its role")]
    public void AppServiceGrant_CountsOnlyWithTheAppRoleItNames(string claims, string? role, string why)
    {
        var caller = Authentication(trust: true).Identify(Request(principal: AppServicePrincipal(claims)));

        Assert.AreEqual(role, caller?.Role.ToString().ToLowerInvariant(), why);
    }

    [TestMethod]
    [DataRow("Bearer t-reg", "regulator")]
    [DataRow("bearer t-ent", "enterprise")]
    [DataRow("Bearer T-REG", null)]
    [DataRow("Bearer t-reg ", "regulator")]
    [DataRow("Bearer t-re", null)]
    [DataRow("Bearer unknown", null)]
    [DataRow("Basic dXNlcjpwYXNz", null)]
    [DataRow(null, null)]
    public void BearerTokens_MatchExactlyTheConfiguredHashes(string? header, string? role)
    {
        var caller = Authentication(trust: false).Identify(Request(authorization: header));

        Assert.AreEqual(role, caller?.Role.ToString().ToLowerInvariant());
    }

    [TestMethod]
    [DataRow("regulator|51000|x")]
    [DataRow("enterprise|SHORT|x")]
    [DataRow("enterprise|91510600G612DD2722|x")]
    [DataRow("admin|510000|x")]
    [DataRow("regulator|510000|")]
    public void MalformedGrants_GiveNoCaller(string grant) => Assert.IsNull(CallerAuthentication.Parse(grant));

    [TestMethod]
    public void Settings_WithATokenAsAKeyOrABadGrantOrHash_FailValidationNamingTheEntry()
    {
        var configuration = Configuration(new()
        {
            ["Api:Tokens:sc_secret"] = "regulator|510000|wang@sc.gov.cn",
            ["Api:Tokens:0:Sha256"] = ApiToken.HashOf("a"),
            ["Api:Tokens:0:Grant"] = "superuser|*|root",
            ["Api:Tokens:1:Sha256"] = "not-hex",
            ["Api:Tokens:1:Grant"] = "regulator|510000|wang@sc.gov.cn",
        });
        var options = configuration.GetSection(ApiOptions.Section).Get<ApiOptions>()!;

        var result = new ApiOptionsValidator(configuration).Validate(null, options);

        Assert.IsTrue(result.Failed);
        var message = result.FailureMessage;
        StringAssert.Contains(message, "Api:Tokens:sc… is not a numbered entry", "a token written as a key is pointed at, so the operator knows which line to move");
        Assert.DoesNotContain("sc_secret", message, "but not spelled out: the key is the token");
        StringAssert.Contains(message, "Api:Tokens:0:Grant 'superuser|*|root'");
        StringAssert.Contains(message, "Api:Tokens:1:Sha256 must be the 64 hex digits");
    }

    [TestMethod]
    public void Settings_AsCompliance_TokenPrintsThem_AreValid()
    {
        var configuration = Configuration(Tokens());
        var options = configuration.GetSection(ApiOptions.Section).Get<ApiOptions>()!;

        Assert.IsTrue(new ApiOptionsValidator(configuration).Validate(null, options).Succeeded);
    }

    private static Dictionary<string, string?> Tokens() => ApiSettings.WithTokens(new(), ("t-reg", "regulator|510000|wang@sc.gov.cn"), ("t-ent", "enterprise|91510600G612DD2721|deyang"));

    private static IConfigurationRoot Configuration(Dictionary<string, string?> values) => new ConfigurationBuilder().AddInMemoryCollection(values).Build();

    private static CallerAuthentication Authentication(bool trust)
    {
        var values = Tokens();
        values["Api:TrustAppServiceAuthentication"] = trust ? "true" : "false";
        return new(Options.Create(Configuration(values).GetSection(ApiOptions.Section).Get<ApiOptions>()!));
    }

    private static string AppServicePrincipal(string claims) => Convert.ToBase64String(Encoding.UTF8.GetBytes(
        $$"""{"auth_typ":"aad","name_typ":"name","role_typ":"http://schemas.microsoft.com/ws/2008/06/identity/claims/role","claims":{{claims}}}"""));

    private static HttpRequest Request(string? authorization = null, string? principal = null)
    {
        var context = new DefaultHttpContext();
        if (authorization is not null)
        {
            context.Request.Headers.Authorization = authorization;
        }

        if (principal is not null)
        {
            context.Request.Headers["X-MS-CLIENT-PRINCIPAL"] = principal;
        }

        return context.Request;
    }
}
