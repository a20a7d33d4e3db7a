using System.Text.Json.Nodes;

namespace Compliance.Infra.Tests;

/// <summary>
/// The deployment's security promises, checked on the compiled ARM template (modules included): what the
/// template says is what Azure gets. Each problem is one line naming the resource and the promise broken.
/// </summary>
internal static class TemplateAudit
{
    /// <summary>The data roles the app may hold: blob owner, queue and table contributor, secrets user, telemetry publisher.</summary>
    public static readonly IReadOnlySet<string> AllowedRoles = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "b7e6dc6d-f1e8-4753-8033-0f276bb0955b",
        "974c5e8b-45b9-4653-ba55-5f855dd0fb88",
        "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3",
        "4633458b-17de-408a-b874-0445c86b69e6",
        "3913510d-42f4-4e42-8a64-420c390055eb",
    };

    private static readonly string[] SecretMarkers = ["AccountKey=", "SharedAccessSignature=", "listKeys(", "DefaultEndpointsProtocol=", "InstrumentationKey="];

    public static List<string> Problems(JsonNode template)
    {
        var problems = new List<string>();
        var resources = Resources(template).ToList();
        Require(problems, resources, "Microsoft.Storage/storageAccounts", 1);
        Require(problems, resources, "Microsoft.Web/sites", 1);
        Require(problems, resources, "Microsoft.EventGrid/systemTopics/eventSubscriptions", 1);
        Require(problems, resources, "Microsoft.Web/sites/config", 1);

        foreach (var (assignment, roles) in RoleGrants(template))
        {
            if (roles.Count == 0 || roles.Any(role => !AllowedRoles.Contains(role)))
            {
                problems.Add($"role assignment {assignment}: grants {string.Join(", ", roles)}, not only the data roles the app needs");
            }
        }

        foreach (var resource in resources)
        {
            var type = (string?)resource["type"];
            var name = (string?)resource["name"] ?? "?";
            var properties = resource["properties"];
            switch (type)
            {
                case "Microsoft.Storage/storageAccounts":
                    Expect(problems, properties?["allowSharedKeyAccess"], false, $"storage account {name}: shared-key access must be disabled (allowSharedKeyAccess false)");
                    Expect(problems, properties?["allowBlobPublicAccess"], false, $"storage account {name}: public blob access must be off");
                    Expect(problems, properties?["minimumTlsVersion"], "TLS1_2", $"storage account {name}: minimum TLS must be 1.2");
                    Expect(problems, properties?["supportsHttpsTrafficOnly"], true, $"storage account {name}: HTTPS only");
                    break;
                case "Microsoft.Storage/storageAccounts/blobServices":
                    AuditCors(problems, name, properties?["cors"]?["corsRules"], template);
                    break;
                case "Microsoft.Web/sites":
                    AuditSite(problems, name, resource);
                    break;
                case "Microsoft.Web/sites/config" when ((string?)resource["name"])?.EndsWith("authsettingsV2", StringComparison.Ordinal) == true:
                    Expect(problems, properties?["platform"]?["enabled"], true, "authsettingsV2: App Service authentication must be on");
                    Expect(problems, properties?["globalValidation"]?["requireAuthentication"], true, "authsettingsV2: every request must be authenticated");
                    Expect(problems, properties?["identityProviders"]?["azureActiveDirectory"]?["enabled"], true, "authsettingsV2: Entra ID must be the identity provider");
                    break;
                case "Microsoft.EventGrid/systemTopics/eventSubscriptions":
                    var filter = properties?["filter"];
                    Expect(problems, filter?["subjectBeginsWith"], "/blobServices/default/containers/filings/", $"event subscription {name}: must be filtered to blobs under filings/");
                    if (filter?["includedEventTypes"] is not JsonArray events || events.Count != 1 || (string?)events[0] != "Microsoft.Storage.BlobCreated")
                    {
                        problems.Add($"event subscription {name}: must deliver Microsoft.Storage.BlobCreated only");
                    }

                    var endpoint = (string?)properties?["destination"]?["properties"]?["endpointUrl"] ?? string.Empty;
                    if (!endpoint.Contains("/runtime/webhooks/blobs", StringComparison.Ordinal) || !endpoint.Contains("functionName=Host.Functions.CheckFiling", StringComparison.Ordinal))
                    {
                        problems.Add($"event subscription {name}: must deliver to the blob extension's webhook for CheckFiling");
                    }

                    break;
                case "Microsoft.KeyVault/vaults":
                    Expect(problems, properties?["enableRbacAuthorization"], true, $"key vault {name}: RBAC authorisation, not access policies");
                    Expect(problems, properties?["enablePurgeProtection"], true, $"key vault {name}: purge protection on");
                    break;
                case "Microsoft.Insights/components":
                    Expect(problems, properties?["DisableLocalAuth"], true, $"application insights {name}: key-based ingestion must be off");
                    break;
            }
        }

        return problems;
    }

    /// <summary>Browser uploads only: named https origins (never *), PUT and its preflight, nothing that reads or deletes.</summary>
    private static void AuditCors(List<string> problems, string name, JsonNode? rules, JsonNode template)
    {
        foreach (var rule in rules as JsonArray ?? [])
        {
            // Inside the storage module the origins are its parameter; the values are what main.bicep passes.
            var allowed = rule?["allowedOrigins"] is JsonValue expression && expression.ToString() == "[parameters('uploadOrigins')]"
                ? Resources(template).Where(r => (string?)r["type"] == "Microsoft.Resources/deployments").Select(d => d["properties"]?["parameters"]?["uploadOrigins"]?["value"]).OfType<JsonArray>().FirstOrDefault()
                : rule?["allowedOrigins"] as JsonArray;
            var origins = allowed?.Select(o => o?.ToString() ?? string.Empty).ToList() ?? [];
            var methods = (rule?["allowedMethods"] as JsonArray)?.Select(m => m?.ToString() ?? string.Empty).ToList() ?? [];
            if (origins.Count == 0 || origins.Any(o => o.Contains('*', StringComparison.Ordinal) || !o.Contains("https://", StringComparison.Ordinal)))
            {
                problems.Add($"blob service {name}: CORS must name the portal's https origin, never *");
            }

            if (methods.Any(m => m is not ("PUT" or "OPTIONS")))
            {
                problems.Add($"blob service {name}: CORS may allow PUT and OPTIONS only (an upload), not {string.Join(", ", methods)}");
            }
        }
    }

    private static void AuditSite(List<string> problems, string name, JsonNode site)
    {
        if (((string?)site["identity"]?["type"])?.Contains("SystemAssigned", StringComparison.Ordinal) != true)
        {
            problems.Add($"function app {name}: needs a system-assigned managed identity");
        }

        Expect(problems, site["properties"]?["httpsOnly"], true, $"function app {name}: HTTPS only");
        Expect(problems, site["properties"]?["functionAppConfig"]?["deployment"]?["storage"]?["authentication"]?["type"], "SystemAssignedIdentity", $"function app {name}: the deployment package must be read by identity");
        var settings = (site["properties"]?["siteConfig"]?["appSettings"] as JsonArray ?? [])
            .Select(s => ((string?)s?["name"] ?? string.Empty, s?["value"]?.ToJsonString() ?? string.Empty))
            .ToList();
        var names = settings.Select(s => s.Item1).ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var connection in new[] { "AzureWebJobsStorage", "FilingsStorage" })
        {
            if (names.Contains(connection))
            {
                problems.Add($"function app {name}: {connection} must not be a connection string; use {connection}__blobServiceUri and friends");
            }

            foreach (var service in new[] { "blobServiceUri", "queueServiceUri", "tableServiceUri" })
            {
                if (!names.Contains($"{connection}__{service}"))
                {
                    problems.Add($"function app {name}: {connection}__{service} missing (storage by identity)");
                }
            }
        }

        foreach (var (setting, value) in settings)
        {
            if (SecretMarkers.FirstOrDefault(m => value.Contains(m, StringComparison.OrdinalIgnoreCase)) is { } marker)
            {
                problems.Add($"function app {name}: app setting {setting} carries a secret ({marker.TrimEnd('=', '(')})");
            }

            if (setting.Contains("Password", StringComparison.OrdinalIgnoreCase) && !value.Contains("@Microsoft.KeyVault(", StringComparison.Ordinal))
            {
                problems.Add($"function app {name}: app setting {setting} must be a Key Vault reference");
            }
        }
    }

    /// <summary>Every resource, including those inside nested deployments (modules), in either template layout.</summary>
    public static IEnumerable<JsonNode> Resources(JsonNode template) => ResourcesWithTemplate(template).Select(r => r.Resource);

    /// <summary>
    /// The role definition IDs a template grants, with <c>variables('…')</c> resolved in the template that
    /// declares them (a variable holding an object, as a role loop uses, stands for all of its values).
    /// </summary>
    public static List<(string Assignment, IReadOnlyList<string> Roles)> RoleGrants(JsonNode template) =>
    [
        .. ResourcesWithTemplate(template)
            .Where(r => (string?)r.Resource["type"] == "Microsoft.Authorization/roleAssignments")
            .Select(r => ((string?)r.Resource["name"] ?? "?", (IReadOnlyList<string>)RoleIds((string?)r.Resource["properties"]?["roleDefinitionId"] ?? string.Empty, r.Template))),
    ];

    private static List<string> RoleIds(string expression, JsonNode template)
    {
        var values = new List<string> { expression };
        foreach (System.Text.RegularExpressions.Match match in System.Text.RegularExpressions.Regex.Matches(expression, @"variables\('([^']+)'\)"))
        {
            switch (template["variables"]?[match.Groups[1].Value])
            {
                case JsonObject map:
                    values.AddRange(map.Select(p => p.Value?.ToString() ?? string.Empty));
                    break;
                case JsonValue value:
                    values.Add(value.ToString());
                    break;
            }
        }

        return
        [
            .. values.SelectMany(v => System.Text.RegularExpressions.Regex.Matches(v, "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"))
                .Select(m => m.Value.ToLowerInvariant())
                .Distinct(),
        ];
    }

    private static IEnumerable<(JsonNode Resource, JsonNode Template)> ResourcesWithTemplate(JsonNode template)
    {
        var list = template["resources"] switch
        {
            JsonArray array => array.Where(r => r is not null).Select(r => r!),
            JsonObject symbolic => symbolic.Select(p => p.Value).Where(r => r is not null).Select(r => r!),
            _ => [],
        };
        foreach (var resource in list)
        {
            yield return (resource, template);
            if ((string?)resource["type"] == "Microsoft.Resources/deployments" && resource["properties"]?["template"] is { } nested)
            {
                foreach (var inner in ResourcesWithTemplate(nested))
                {
                    yield return inner;
                }
            }
        }
    }

    private static void Require(List<string> problems, List<JsonNode> resources, string type, int atLeast)
    {
        if (resources.Count(r => (string?)r["type"] == type) < atLeast)
        {
            problems.Add($"the template has no {type}");
        }
    }

    private static void Expect<T>(List<string> problems, JsonNode? actual, T expected, string problem)
    {
        if (actual is not JsonValue value || !value.TryGetValue<T>(out var found) || !EqualityComparer<T>.Default.Equals(found, expected))
        {
            problems.Add(problem);
        }
    }
}
