using System.Text.Json.Nodes;

namespace Compliance.Infra.Tests;

/// <summary>
/// infra/ as CI sees it: Bicep compiles and lints clean with the CLI from NuGet, and the compiled template
/// keeps the deployment's security promises. The audit is itself tested on deliberately broken copies.
/// </summary>
[TestClass]
public sealed class DeploymentTemplateTests
{
    private static readonly Lazy<JsonNode> Compiled = new(() => JsonNode.Parse(File.ReadAllText(BicepCli.BuildMain()))!);

    [TestMethod]
    public void BicepBuild_CompilesWithoutErrorsOrWarnings()
    {
        var output = Directory.CreateTempSubdirectory("compliance-arm-").FullName;

        var (exit, text) = BicepCli.Run("build", "main.bicep", "--outdir", output);

        Assert.AreEqual(0, exit, text);
        Assert.AreEqual(string.Empty, text, "bicep build printed diagnostics");
        Assert.IsTrue(File.Exists(Path.Combine(output, "main.json")));
    }

    [TestMethod]
    public void BicepLint_ReportsNothingForAnyFile()
    {
        var files = Directory.GetFiles(BicepCli.Infra, "*.bicep", SearchOption.AllDirectories);
        Assert.IsGreaterThan(5, files.Length);

        foreach (var file in files)
        {
            var (exit, text) = BicepCli.Run("lint", file);

            Assert.AreEqual(0, exit, $"{file}: {text}");
            Assert.AreEqual(string.Empty, text, $"{file}: bicep lint printed diagnostics");
        }
    }

    [TestMethod]
    public void ParametersFile_NamesOnlyParametersTheTemplateHas()
    {
        var declared = Compiled.Value["parameters"]!.AsObject().Select(p => p.Key).ToHashSet();
        var given = JsonNode.Parse(File.ReadAllText(Path.Combine(BicepCli.Infra, "main.parameters.json")))!["parameters"]!.AsObject().Select(p => p.Key).ToList();

        CollectionAssert.IsSubsetOf(given, declared.ToList());
        CollectionAssert.DoesNotContain(given, "smtpPassword", "the password is given at deployment time, never stored in a file");
    }

    [TestMethod]
    public void CompiledTemplate_KeepsEverySecurityPromise()
    {
        var problems = TemplateAudit.Problems(Compiled.Value);

        Assert.IsEmpty(problems, string.Join(Environment.NewLine, problems));
    }

    [TestMethod]
    public void CompiledTemplate_GrantsTheAppExactlyItsDataRoles()
    {
        var granted = TemplateAudit.RoleGrants(Compiled.Value).SelectMany(g => g.Roles).ToHashSet();

        Assert.IsTrue(granted.SetEquals(TemplateAudit.AllowedRoles), string.Join(", ", granted));
    }

    [TestMethod]
    public void Audit_CatchesSharedKeyAccessTurnedBackOn()
    {
        var broken = Break(t => Single(t, "Microsoft.Storage/storageAccounts")["properties"]!["allowSharedKeyAccess"] = true);

        CollectionAssert.Contains(TemplateAudit.Problems(broken), $"storage account {Single(broken, "Microsoft.Storage/storageAccounts")["name"]}: shared-key access must be disabled (allowSharedKeyAccess false)");
    }

    [TestMethod]
    public void Audit_CatchesAConnectionStringInAppSettings()
    {
        var broken = Break(t => ((JsonArray)Single(t, "Microsoft.Web/sites")["properties"]!["siteConfig"]!["appSettings"]!)
            .Add(new JsonObject { ["name"] = "AzureWebJobsStorage", ["value"] = "DefaultEndpointsProtocol=https;AccountName=x;AccountKey=abc==" }));

        var problems = TemplateAudit.Problems(broken);

        Assert.IsTrue(problems.Any(p => p.Contains("AzureWebJobsStorage must not be a connection string", StringComparison.Ordinal)), string.Join('\n', problems));
        Assert.IsTrue(problems.Any(p => p.Contains("carries a secret (AccountKey)", StringComparison.Ordinal)), string.Join('\n', problems));
    }

    [TestMethod]
    public void Audit_CatchesAPlainSmtpPassword()
    {
        var broken = Break(t =>
        {
            var settings = (JsonArray)Single(t, "Microsoft.Web/sites")["properties"]!["siteConfig"]!["appSettings"]!;
            settings.Single(s => (string?)s!["name"] == "Smtp__Password")!["value"] = "hunter2";
        });

        CollectionAssert.Contains(TemplateAudit.Problems(broken), $"function app {Single(broken, "Microsoft.Web/sites")["name"]}: app setting Smtp__Password must be a Key Vault reference");
    }

    [TestMethod]
    public void Audit_CatchesEventsFromEveryContainer()
    {
        var broken = Break(t => Single(t, "Microsoft.EventGrid/systemTopics/eventSubscriptions")["properties"]!["filter"]!["subjectBeginsWith"] = "/blobServices/default/containers/");

        Assert.IsTrue(TemplateAudit.Problems(broken).Any(p => p.EndsWith("must be filtered to blobs under filings/", StringComparison.Ordinal)));
    }

    [TestMethod]
    [DataRow("origin")]
    [DataRow("method")]
    public void Audit_CatchesCorsOpenToAnyOriginOrMethod(string opened)
    {
        var broken = Break(t =>
        {
            var rule = Single(t, "Microsoft.Storage/storageAccounts/blobServices")["properties"]!["cors"]!["corsRules"]![0]!;
            if (opened == "origin")
            {
                rule["allowedOrigins"] = new System.Text.Json.Nodes.JsonArray("*");
            }
            else
            {
                rule["allowedMethods"]!.AsArray().Add("GET");
            }
        });

        Assert.IsTrue(TemplateAudit.Problems(broken).Any(p => p.Contains("CORS", StringComparison.Ordinal)), string.Join("; ", TemplateAudit.Problems(broken)));
    }

    [TestMethod]
    public void Audit_CatchesAnOwnerRoleAssignment()
    {
        var broken = Break(t => Single(t, "Microsoft.Authorization/roleAssignments")["properties"]!["roleDefinitionId"] =
            "[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '8e3af657-a8ff-443c-a75c-2fe8c4bcb635')]");

        Assert.IsTrue(TemplateAudit.Problems(broken).Any(p => p.Contains("8e3af657-a8ff-443c-a75c-2fe8c4bcb635, not only the data roles the app needs", StringComparison.Ordinal)));
    }

    [TestMethod]
    public void Audit_CatchesAMissingIdentitySetting()
    {
        var broken = Break(t =>
        {
            var settings = (JsonArray)Single(t, "Microsoft.Web/sites")["properties"]!["siteConfig"]!["appSettings"]!;
            settings.Remove(settings.Single(s => (string?)s!["name"] == "FilingsStorage__tableServiceUri"));
        });

        Assert.IsTrue(TemplateAudit.Problems(broken).Any(p => p.EndsWith("FilingsStorage__tableServiceUri missing (storage by identity)", StringComparison.Ordinal)));
    }

    /// <summary>A deep copy of the compiled template with one thing changed.</summary>
    private static JsonNode Break(Action<JsonNode> change)
    {
        var copy = Compiled.Value.DeepClone();
        change(copy);
        Assert.IsFalse(JsonNode.DeepEquals(copy, Compiled.Value), "the change did not change the template");
        return copy;
    }

    private static JsonNode Single(JsonNode template, string type) =>
        TemplateAudit.Resources(template).First(r => (string?)r["type"] == type);
}
