using Compliance.Api;
using Microsoft.Extensions.Configuration;

namespace Compliance.Cli.Tests;

[TestClass]
public sealed class TokenCommandTests
{
    [TestMethod]
    public async Task Token_PrintsAFreshTokenAndSettingsThatGrantIt()
    {
        var (exit, output, _) = await Cli.RunStackAsync("token", "--grant", "regulator|510000|wang@sc.gov.cn", "--index", "2");
        var (_, again, _) = await Cli.RunStackAsync("token", "--grant", "regulator|510000|wang@sc.gov.cn", "--index", "2");

        Assert.AreEqual(0, exit);
        var lines = output.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        var token = lines[0][(lines[0].LastIndexOf(' ') + 1)..];
        Assert.AreEqual(43, token.Length, "256 bits, base64url");
        Assert.AreNotEqual(token, again.Split(Environment.NewLine)[0][(again.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim().Split(' ')[^1], "a new token each time");
        var settings = lines.Where(l => l.StartsWith("Api__", StringComparison.Ordinal)).Select(l => l.Split('=', 2)).ToDictionary(p => p[0].Replace("__", ":", StringComparison.Ordinal), p => (string?)p[1]);
        CollectionAssert.AreEquivalent(new[] { "Api:Tokens:2:Sha256", "Api:Tokens:2:Grant" }, settings.Keys.ToArray());
        Assert.AreEqual(ApiToken.HashOf(token), settings["Api:Tokens:2:Sha256"]);
        Assert.DoesNotContain(token, string.Join('\n', settings.Values), "the settings never hold the token");

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var options = configuration.GetSection(ApiOptions.Section).Get<ApiOptions>()!;
        Assert.IsTrue(new ApiOptionsValidator(configuration).Validate(null, options).Succeeded, "the printed settings pass the start-up validation");
    }

    [TestMethod]
    [DataRow("regulator|51|x")]
    [DataRow("enterprise|91510600G612DD2722|x")]
    [DataRow("admin|510000|x")]
    public async Task Token_WithAMalformedGrant_IsAUsageError(string grant)
    {
        var (exit, output, error) = await Cli.RunStackAsync("token", "--grant", grant);

        Assert.AreEqual(64, exit);
        Assert.AreEqual(string.Empty, output, "no token is made for a grant that would not work");
        StringAssert.Contains(error, "is not 'regulator|");
    }
}
