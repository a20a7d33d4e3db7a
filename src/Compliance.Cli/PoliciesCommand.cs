using System.CommandLine;
using System.Text.Encodings.Web;
using System.Text.Json;
using Compliance.Core.Checking;
using Compliance.Core.Filings;
using Compliance.Core.Policies;
using Spectre.Console;

namespace Compliance.Cli;

/// <summary><c>compliance policies</c>: the catalog in force, with windows and the clauses the limits come from.</summary>
internal static class PoliciesCommand
{
    public static Command Create(Option<FileInfo?> catalogOption, TextWriter output, TextWriter error)
    {
        var format = new Option<string>("--format", "-f")
        {
            Description = "table (the default) or json.",
            DefaultValueFactory = _ => "table",
        };
        format.AcceptOnlyFromAmong("table", "json");

        var command = new Command("policies", "List the rules of the policy catalog, each version's window and limit, and its citation.") { format };
        command.SetAction(parse =>
        {
            var catalog = CliApp.LoadCatalog(parse.GetValue(catalogOption));
            if (parse.GetValue(format) == "json")
            {
                output.WriteLine(ToJson(catalog));
            }
            else
            {
                Render(Terminal.For(output), catalog);
            }

            return ExitCodes.Clean;
        });
        return command;
    }

    private static void Render(IAnsiConsole console, PolicyCatalog catalog)
    {
        console.MarkupLine("[bold]Policy catalog {0}[/] ({1}), {2} rules", Markup.Escape(catalog.Version), Markup.Escape(catalog.Source ?? string.Empty), catalog.Rules.Count);
        var table = new Table().Border(TableBorder.Rounded).AddColumns("Rule", "Kind", "Applies to", "Window (period)", "Limit", "Clause");
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
        var document = new
        {
            catalog_version = catalog.Version,
            rules = catalog.Rules.Select(r => new
            {
                id = r.Id,
                kind = r.Kind,
                filing_kind = r.FilingKind.ToContractName(),
                severity = ReportJson.SeverityName(r.Severity),
                title = new { zh = r.Title.Zh, en = r.Title.En },
                versions = r.Versions.Select(v => new
                {
                    from = v.Window.From?.ToString(),
                    to = v.Window.To?.ToString(),
                    limit = v.Summary,
                    parameters = v.Parameters,
                    citation = new { document = v.Citation.Document, clause = v.Citation.Clause, quote = v.Citation.Quote, note = v.Citation.Note, text = v.Citation.ToString() },
                }),
            }),
        };
        return JsonSerializer.Serialize(document, new JsonSerializerOptions { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }
}
