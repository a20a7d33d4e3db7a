using System.CommandLine;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Compliance.Cli.Texts;
using Compliance.Core.Checking;
using Compliance.Core.Filings;
using Compliance.Core.Policies;
using Spectre.Console;

namespace Compliance.Cli;

/// <summary><c>compliance policies</c>: the catalog in force, with windows and the clauses the limits come from.</summary>
internal static class PoliciesCommand
{
    public static Command Create(Option<FileInfo?> catalogOption, CultureInfo language, TextWriter output, TextWriter error)
    {
        var format = new Option<string>("--format", "-f")
        {
            Description = CliText.PoliciesFormat.Text(language),
            DefaultValueFactory = _ => "table",
        };
        format.AcceptOnlyFromAmong("table", "json");

        var command = new Command("policies", CliText.Policies.Text(language)) { format };
        command.SetAction(parse =>
        {
            var catalog = CliApp.LoadCatalog(parse.GetValue(catalogOption));
            if (parse.GetValue(format) == "json")
            {
                output.WriteLine(ToJson(catalog));
            }
            else
            {
                Render(Terminal.For(output), catalog, language);
            }

            return ExitCodes.Clean;
        });
        return command;
    }

    private static void Render(IAnsiConsole console, PolicyCatalog catalog, CultureInfo language)
    {
        console.MarkupLine("[bold]{0}[/]", Markup.Escape(CliText.PoliciesHeading.Text(language, catalog.Version, catalog.Source ?? string.Empty, catalog.Rules.Count)));
        var table = new Table().Border(TableBorder.Rounded).AddColumns(CliText.PoliciesColumns.Text(language).Split('|'));
        foreach (var rule in catalog.Rules)
        {
            foreach (var version in rule.Versions)
            {
                table.AddRow(
                    new Markup($"[bold]{Markup.Escape(rule.Id)}[/]\n{Markup.Escape(rule.Title.Zh)}\n[grey]{Markup.Escape(rule.Title.En)}[/]"),
                    new Text(rule.Kind),
                    new Text(rule.FilingKind.ToContractName()),
                    new Text(version.Window.ToString()),
                    new Text(version.Summary),
                    new Markup($"{Markup.Escape(version.Citation.ToString())}\n[grey]{Markup.Escape(version.Citation.Quote)}[/]"));
            }
        }

        console.Write(table);
    }

    private static string ToJson(PolicyCatalog catalog)
    {
        var listing = new CatalogListing(
            catalog.Version,
            [.. catalog.Rules.Select(r => new RuleListing(
                r.Id,
                r.Kind,
                r.FilingKind.ToContractName(),
                ReportJson.SeverityName(r.Severity),
                new TitleListing(r.Title.Zh, r.Title.En),
                [.. r.Versions.Select(v => new VersionListing(
                    v.Window.From?.ToString(),
                    v.Window.To?.ToString(),
                    v.Summary,
                    v.Parameters,
                    new CitationListing(v.Citation.Document, v.Citation.Clause, v.Citation.Quote, v.Citation.Note, v.Citation.ToString())))]))]);
        return JsonSerializer.Serialize(listing, PoliciesJson.Relaxed.CatalogListing);
    }
}

internal sealed record CatalogListing(string CatalogVersion, IReadOnlyList<RuleListing> Rules);

internal sealed record RuleListing(string Id, string Kind, string FilingKind, string Severity, TitleListing Title, IReadOnlyList<VersionListing> Versions);

internal sealed record TitleListing(string Zh, string En);

internal sealed record VersionListing(string? From, string? To, string Limit, JsonElement Parameters, CitationListing Citation);

internal sealed record CitationListing(string Document, string Clause, string Quote, string? Note, string Text);

/// <summary>
/// The listing's JSON, generated at compile time (the published command is trimmed), with Chinese written as it
/// is rather than as \u escapes: the listing is read by people and by tools, never embedded in HTML.
/// </summary>
[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(CatalogListing))]
internal sealed partial class PoliciesJson : JsonSerializerContext
{
    public static PoliciesJson Relaxed => field ??= new(new JsonSerializerOptions(Default.Options) { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
}
