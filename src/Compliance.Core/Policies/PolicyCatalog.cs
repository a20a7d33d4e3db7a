using System.Collections.Frozen;
using System.Text.Json;
using System.Text.Json.Serialization;
using Compliance.Core.Filings;
using Compliance.Core.Rules;

namespace Compliance.Core.Policies;

/// <summary>
/// The limits in force, as data: rules with windows, parameters and citations, derived from the gazette in
/// <c>seeds/</c>. Ships embedded; a file can replace it. Validated on load, so a bad catalog fails at start
/// rather than producing wrong findings.
/// </summary>
public sealed class PolicyCatalog
{
    private const string EmbeddedName = "Compliance.Core.policy-catalog.json";

    private PolicyCatalog(string version, string digest, string? source, IReadOnlyList<PolicyRule> rules)
    {
        Version = version;
        Digest = digest;
        Source = source;
        Rules = rules;
        byId = rules.ToFrozenDictionary(r => r.Id, StringComparer.Ordinal);
    }

    private readonly FrozenDictionary<string, PolicyRule> byId;

    /// <summary>Recorded with every result so a finding can be traced to the catalog that produced it.</summary>
    public string Version { get; }

    /// <summary>
    /// SHA-256 of the catalog's bytes (16 hex digits): tells two catalogs apart when an edit kept the version, so
    /// a re-check knows whether a filing was checked under exactly this catalog.
    /// </summary>
    public string Digest { get; }

    /// <summary>Where the catalog was loaded from (embedded, or a path).</summary>
    public string? Source { get; }

    public IReadOnlyList<PolicyRule> Rules { get; }

    public IEnumerable<PolicyRule> RulesFor(FilingKind kind) => Rules.Where(r => r.FilingKind == kind);

    /// <summary>The rule with this id (as findings and reports name it), or null for one this catalog does not have.</summary>
    public PolicyRule? Find(string? id) => id is not null && byId.TryGetValue(id, out var rule) ? rule : null;

    /// <summary>The catalog compiled into this assembly.</summary>
    public static PolicyCatalog LoadEmbedded()
    {
        using var stream = typeof(PolicyCatalog).Assembly.GetManifestResourceStream(EmbeddedName)
            ?? throw new PolicyCatalogException($"The embedded catalog '{EmbeddedName}' is missing from the build.");
        return Load(stream, "embedded");
    }

    public static PolicyCatalog LoadFile(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            return Load(stream, path);
        }
        catch (IOException ex)
        {
            throw new PolicyCatalogException($"Cannot read the policy catalog '{path}': {ex.Message}");
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new PolicyCatalogException($"Cannot read the policy catalog '{path}': {ex.Message}");
        }
    }

    public static PolicyCatalog Load(Stream stream, string source)
    {
        ArgumentNullException.ThrowIfNull(stream);

        // A catalog is a few kilobytes: read once, hashed and parsed from the same bytes.
        using var bytes = new MemoryStream();
        stream.CopyTo(bytes);
        var digest = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes.GetBuffer().AsSpan(0, (int)bytes.Length)))[..16];
        CatalogDocument? document;
        try
        {
            document = JsonSerializer.Deserialize(bytes.GetBuffer().AsSpan(0, (int)bytes.Length), CatalogJson.Default.CatalogDocument);
        }
        catch (JsonException ex)
        {
            throw new PolicyCatalogException($"The policy catalog ({source}) is not valid JSON: {ex.Message}");
        }

        if (document is null || string.IsNullOrWhiteSpace(document.CatalogVersion))
        {
            throw new PolicyCatalogException($"The policy catalog ({source}) needs a \"catalogVersion\".");
        }

        var rules = new List<PolicyRule>();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var rule in document.Rules ?? [])
        {
            var compiled = Compile(rule, source);
            if (!ids.Add(compiled.Id))
            {
                throw new PolicyCatalogException($"Rule {compiled.Id} appears twice in the catalog ({source}); give each version its own window inside one rule instead.");
            }

            rules.Add(compiled);
        }

        if (rules.Count == 0)
        {
            throw new PolicyCatalogException($"The policy catalog ({source}) has no rules.");
        }

        return new PolicyCatalog(document.CatalogVersion, digest, source, rules);
    }

    private static PolicyRule Compile(RuleDocument rule, string source)
    {
        var id = rule.Id;
        if (string.IsNullOrWhiteSpace(id))
        {
            throw new PolicyCatalogException($"A rule in the catalog ({source}) has no \"id\".");
        }

        string Where() => $"Rule {id} ({source})";
        if (!FilingKindNames.TryParse(rule.FilingKind, out var filingKind))
        {
            throw new PolicyCatalogException($"{Where()}: filingKind '{rule.FilingKind}' is not {FilingKindNames.Listed}.");
        }

        if (!Enum.TryParse<Severity>(rule.Severity, ignoreCase: true, out var severity))
        {
            throw new PolicyCatalogException($"{Where()}: severity '{rule.Severity}' is not low, medium or high.");
        }

        if (rule.Title is null || string.IsNullOrWhiteSpace(rule.Title.Zh) || string.IsNullOrWhiteSpace(rule.Title.En))
        {
            throw new PolicyCatalogException($"{Where()}: needs a title in Chinese and English.");
        }

        if (rule.Remedy is null || string.IsNullOrWhiteSpace(rule.Remedy.Zh) || string.IsNullOrWhiteSpace(rule.Remedy.En))
        {
            throw new PolicyCatalogException($"{Where()}: needs a remedy (what the filer does about a breach) in Chinese and English.");
        }

        if (!RuleKinds.IsKnown(rule.Kind))
        {
            throw new PolicyCatalogException($"{Where()}: unknown kind '{rule.Kind}'. Known kinds: {string.Join(", ", RuleKinds.Names)}.");
        }

        if (rule.Versions is not { Count: > 0 })
        {
            throw new PolicyCatalogException($"{Where()}: has no versions.");
        }

        var schema = FilingSchema.For(filingKind);
        var versions = new List<RuleVersion>();
        foreach (var version in rule.Versions)
        {
            var window = new PeriodWindow(ParsePeriod(version.From, Where), ParsePeriod(version.To, Where));
            if (window is { From: { } f, To: { } t } && f > t)
            {
                throw new PolicyCatalogException($"{Where()}: window {window} ends before it starts.");
            }

            var citation = version.Citation;
            if (citation is null || string.IsNullOrWhiteSpace(citation.Document) || string.IsNullOrWhiteSpace(citation.Clause) || string.IsNullOrWhiteSpace(citation.Quote))
            {
                throw new PolicyCatalogException($"{Where()}, window {window}: missing citation (document, clause and the quoted sentence are all required).");
            }

            if (versions.FirstOrDefault(v => v.Window.Overlaps(window)) is { } clash)
            {
                throw new PolicyCatalogException($"{Where()}: windows {clash.Window} and {window} overlap; a period must have exactly one version in force.");
            }

            var check = RuleKinds.Compile(rule.Kind!, schema, version.Parameters, Where() + $", window {window}");
            versions.Add(new RuleVersion(window, new Citation(citation.Document, citation.Clause, citation.Quote) { Note = citation.Note }, version.Parameters.Clone(), check));
        }

        return new PolicyRule(id, rule.Kind!, filingKind, severity, new LocalizedText(rule.Title.Zh, rule.Title.En), new LocalizedText(rule.Remedy.Zh, rule.Remedy.En), [.. versions.OrderBy(v => v.Window.From?.Ordinal ?? int.MinValue)]);
    }

    private static Period? ParsePeriod(string? text, Func<string> where)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        return Period.TryParse(text, out var p) ? p : throw new PolicyCatalogException($"{where()}: '{text}' is not a period (yyyy-MM).");
    }

    internal sealed class CatalogDocument
    {
        public string? CatalogVersion { get; set; }

        public List<RuleDocument>? Rules { get; set; }
    }

    internal sealed class RuleDocument
    {
        public string? Id { get; set; }

        public string? Kind { get; set; }

        public string? FilingKind { get; set; }

        public string? Severity { get; set; }

        public TitleDocument? Title { get; set; }

        public TitleDocument? Remedy { get; set; }

        public List<VersionDocument>? Versions { get; set; }
    }

    internal sealed class TitleDocument
    {
        public string? Zh { get; set; }

        public string? En { get; set; }
    }

    internal sealed class VersionDocument
    {
        public string? From { get; set; }

        public string? To { get; set; }

        public JsonElement Parameters { get; set; }

        public CitationDocument? Citation { get; set; }
    }

    internal sealed class CitationDocument
    {
        public string? Document { get; set; }

        public string? Clause { get; set; }

        public string? Quote { get; set; }

        public string? Note { get; set; }

        [JsonIgnore]
        public bool IsComplete => !string.IsNullOrWhiteSpace(Document) && !string.IsNullOrWhiteSpace(Clause) && !string.IsNullOrWhiteSpace(Quote);

        /// <summary>The citation a rule part (an item, a cell, a band) carries of its own; incomplete is a catalog error naming <paramref name="what"/>.</summary>
        public Citation ToCitation(string what, string where) =>
            IsComplete ? new Citation(Document!, Clause!, Quote!) : throw new PolicyCatalogException($"{where}: {what} has an incomplete citation (document, clause and quote).");
    }
}
