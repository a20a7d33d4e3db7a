using System.CommandLine;
using System.Globalization;
using Compliance.Cli.Texts;
using Compliance.Core.Filings;
using Compliance.Core.Templates;

namespace Compliance.Cli;

/// <summary><c>compliance template</c>: the template (模板) of a filing kind, generated from the contract.</summary>
internal static class TemplateCommand
{
    public static Command Create(Option<FileInfo?> catalogOption, CultureInfo language, TextWriter output, TextWriter error)
    {
        var kind = new Argument<string>("kind") { Description = HelpText.TemplateKind.Text(language, FilingKindNames.Listed) };
        var format = new Option<string>("--format", "-f") { Description = HelpText.TemplateFormat.Text(language), DefaultValueFactory = _ => "xlsx" };
        format.AcceptOnlyFromAmong("xlsx", "csv");
        var encoding = new Option<string?>("--encoding") { Description = HelpText.TemplateEncoding.Text(language) };
        var file = new Option<FileInfo?>("--output", "-o") { Description = HelpText.TemplateOutput.Text(language) };
        var command = new Command("template", HelpText.Template.Text(language))
        {
            kind,
            format,
            encoding,
            file,
        };
        command.SetAction(parse =>
        {
            if (!FilingKindNames.TryParse(parse.GetValue(kind), out var filingKind))
            {
                error.WriteLine($"'{parse.GetValue(kind)}' is not a filing kind; use {FilingKindNames.Listed}.");
                return ExitCodes.Usage;
            }

            if (!FilingTemplates.TryParseFormat(parse.GetValue(format), parse.GetValue(encoding), out var templateFormat))
            {
                error.WriteLine($"--format {parse.GetValue(format)} --encoding {parse.GetValue(encoding)}: use {FilingTemplates.Expected}.");
                return ExitCodes.Usage;
            }

            var path = parse.GetValue(file)?.FullName ?? Path.GetFullPath(FilingTemplates.FileName(filingKind, templateFormat));
            using (var stream = new FileStream(path, FileMode.Create, FileAccess.ReadWrite)) // the package writer reads back what it wrote
            {
                FilingTemplates.Write(filingKind, templateFormat, CliApp.LoadCatalog(parse.GetValue(catalogOption)), stream);
            }

            output.WriteLine($"Wrote the {filingKind.ToContractName()} template to {path}. Fill one row per record from row 2, then: compliance check \"{path}\"");
            return ExitCodes.Clean;
        });
        return command;
    }
}
