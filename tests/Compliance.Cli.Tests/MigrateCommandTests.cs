using Compliance.Stack;
using Microsoft.Extensions.Configuration;

namespace Compliance.Cli.Tests;

/// <summary>Which account the maintenance commands (migrate-findings, migrate-keys, recount) work on.</summary>
[TestClass]
public sealed class MigrateCommandTests
{
    [TestMethod]
    [DataRow("UseDevelopmentStorage=true", null, null, false, "--storage names the account")]
    [DataRow(null, "DefaultEndpointsProtocol=https;AccountName=a;AccountKey=eA==", null, false, "the environment's connection string")]
    [DataRow(null, null, "https://a.table.core.windows.net", false, "the environment's service URIs, signed in as the operator (keys are off in Azure)")]
    [DataRow(null, null, null, true, "nothing named: the local stack's Azurite")]
    public void TheAccount_IsTheOneNamed_TheLocalStackOnlyWhenNoneIs(string? storage, string? connection, string? tableUri, bool local, string why)
    {
        var environment = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["FilingsStorage"] = connection,
            ["FilingsStorage:tableServiceUri"] = tableUri,
            ["FilingsStorage:blobServiceUri"] = tableUri?.Replace(".table.", ".blob.", StringComparison.Ordinal),
            ["PATH"] = "/usr/bin",
        }.Where(e => e.Value is not null)).Build();

        Assert.AreEqual(local, MigrateCommand.NeedsLocalStack(storage, environment), why);
    }
}
