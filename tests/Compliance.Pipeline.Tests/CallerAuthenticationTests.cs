using System.Text;
using Compliance.Api;
using Compliance.Pipeline.Review;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;

namespace Compliance.Pipeline.Tests;

[TestClass]
public sealed class CallerAuthenticationTests
{
    private static readonly string Principal = Convert.ToBase64String(Encoding.UTF8.GetBytes(
        """{"auth_typ":"aad","claims":[{"typ":"name","val":"Wang"},{"typ":"compliance_grant","val":"regulator|510000|wang@sc.gov.cn"}]}"""));

    [TestMethod]
    public void AppServicePrincipal_IsIgnoredUnlessTheAppRunsBehindIt()
    {
        var request = Request(principal: Principal);

        Assert.IsNull(Authentication(trust: false).Identify(request), "anyone can send the header to an app not behind App Service authentication");
        Assert.AreEqual(Caller.Regulator("wang@sc.gov.cn", "510000"), Authentication(trust: true).Identify(request));
    }

    [TestMethod]
    [DataRow("Bearer t-reg", "regulator")]
    [DataRow("bearer t-ent", "enterprise")]
    [DataRow("Bearer unknown", null)]
    [DataRow("Basic dXNlcjpwYXNz", null)]
    [DataRow("Bearer t-bad", null)]
    [DataRow(null, null)]
    public void BearerTokens_MapToTheConfiguredCallers(string? header, string? role)
    {
        var caller = Authentication(trust: false).Identify(Request(authorization: header));

        Assert.AreEqual(role, caller?.Role.ToString().ToLowerInvariant());
    }

    [TestMethod]
    [DataRow("regulator|51000|x")]
    [DataRow("enterprise|SHORT|x")]
    [DataRow("admin|510000|x")]
    [DataRow("regulator|510000|")]
    public void MalformedGrants_GiveNoCaller(string grant) => Assert.IsNull(CallerAuthentication.Parse(grant));

    private static CallerAuthentication Authentication(bool trust) => new(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["Api:TrustAppServiceAuthentication"] = trust ? "true" : "false",
        ["Api:Tokens:t-reg"] = "regulator|510000|wang@sc.gov.cn",
        ["Api:Tokens:t-ent"] = "enterprise|91510600G612DD2721|deyang",
        ["Api:Tokens:t-bad"] = "superuser|*|root",
    }).Build());

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
