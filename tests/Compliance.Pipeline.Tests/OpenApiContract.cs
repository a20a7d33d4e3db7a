using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Json.Schema;

namespace Compliance.Pipeline.Tests;

/// <summary>
/// Holds every API response the tests receive to the OpenAPI document the same host serves: the operation must
/// list the status it answered, the media type it sent, and the body must satisfy that response's schema (the
/// document is OpenAPI 3.1, whose schemas are JSON Schema 2020-12). A response of a route the document does not
/// describe (the page, the document itself, an unknown route) is not checked here.
/// </summary>
internal static class OpenApiContract
{
    private static readonly ConcurrentDictionary<Uri, Lazy<Task<Contract>>> Contracts = new();

    public static async Task AssertConformsAsync(HttpClient http, HttpRequestMessage request, HttpResponseMessage response)
    {
        var baseAddress = http.BaseAddress!;
        var path = (request.RequestUri!.IsAbsoluteUri ? request.RequestUri : new Uri(baseAddress, request.RequestUri)).AbsolutePath;
        if (!path.StartsWith("/api/", StringComparison.Ordinal) || path == Compliance.Api.ReviewEndpoints.OpenApiPath)
        {
            return;
        }

        var contract = await Contracts.GetOrAdd(baseAddress, address => new Lazy<Task<Contract>>(() => Contract.LoadAsync(address))).Value;
        if (contract.Match(path) is not { } template)
        {
            return;
        }

        var what = $"{request.Method} {path} → {(int)response.StatusCode}";
        var operation = contract.Paths[template]?[request.Method.Method.ToLowerInvariant()];
        Assert.IsNotNull(operation, $"{what}: the document has no {request.Method} {template}");
        var declared = operation["responses"]?[((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture)];
        Assert.IsNotNull(declared, $"{what}: the document does not list this status");
        await response.Content.LoadIntoBufferAsync();
        var body = await response.Content.ReadAsStringAsync();
        if (declared["content"] is not JsonObject content)
        {
            return;
        }

        var mediaType = response.Content.Headers.ContentType?.MediaType ?? "(none)";
        Assert.IsTrue(content.ContainsKey(mediaType), $"{what}: sent {mediaType}, the document lists {string.Join(", ", content.Select(c => c.Key))}");
        if (!mediaType.EndsWith("json", StringComparison.Ordinal))
        {
            return; // a file (a template): its media type is the contract
        }

        var schema = contract.SchemaFor(content[mediaType]!["schema"]!);
        using var instance = System.Text.Json.JsonDocument.Parse(body);
        var result = schema.Evaluate(instance.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
        Assert.IsTrue(result.IsValid, $"{what}: the body does not match the document: {string.Join("; ", (result.Details ?? []).Where(d => d.Errors is not null).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation} {e.Value}")))}");
    }

    private sealed class Contract(JsonObject paths, JsonObject schemas)
    {
        private readonly ConcurrentDictionary<string, JsonSchema> compiled = new(StringComparer.Ordinal);

        public JsonObject Paths { get; } = paths;

        public static async Task<Contract> LoadAsync(Uri baseAddress)
        {
            using var http = new HttpClient { BaseAddress = baseAddress };
            var document = JsonNode.Parse(await http.GetStringAsync(Compliance.Api.ReviewEndpoints.OpenApiPath))!.AsObject();
            return new Contract(document["paths"]!.AsObject(), document["components"]?["schemas"]?.AsObject() ?? []);
        }

        /// <summary>The document's path template a concrete path falls under ({id} matches one segment; a literal segment wins over a parameter, as in routing).</summary>
        public string? Match(string path)
        {
            var segments = path.Split('/');
            return Paths.Select(p => p.Key).Where(template =>
            {
                var parts = template.Split('/');
                return parts.Length == segments.Length && parts.Zip(segments).All(p => (p.First.StartsWith('{') && p.Second.Length > 0) || p.First == p.Second);
            }).OrderBy(template => template.Count(c => c == '{')).FirstOrDefault();
        }

        /// <summary>A response schema as a standalone JSON Schema: the components move under $defs, where 2020-12 resolves them.</summary>
        public JsonSchema SchemaFor(JsonNode schema) => compiled.GetOrAdd(schema.ToJsonString(), text =>
        {
            var root = JsonNode.Parse(text)!.AsObject();
            root["$schema"] = "https://json-schema.org/draft/2020-12/schema";
            root["$defs"] = schemas.DeepClone();
            return JsonSchema.FromText(
                root.ToJsonString().Replace("#/components/schemas/", "#/$defs/", StringComparison.Ordinal),
                new BuildOptions { SchemaRegistry = new SchemaRegistry() },
                new Uri($"https://contract.test/{Guid.NewGuid():N}"));
        });
    }
}
