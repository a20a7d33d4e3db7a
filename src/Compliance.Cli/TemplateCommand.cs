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
        var kind = new Argument<string>("kind") { Description = CliText.TemplateKind.Text(language, FilingKindNames.Listed) };
        var format = new Option<string>("--format", "-f") { Description = CliText.TemplateFormat.Text(language), DefaultValueFactory = _ => "xlsx" };
        format.AcceptOnlyFromAmong("xlsx", "csv");
        var encoding = new Option<string?>("--encoding") { Description = CliText.TemplateEncoding.Text(language) };
        var file = new Option<FileInfo?>("--output", "-o") { Description = CliText.TemplateOutput.Text(language) };
        var command = new Command("template", CliText.Template.Text(language))
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
                error.WriteLine(CliText.NotAKind.Text(language, parse.GetValue(kind)!, FilingKindNames.Listed));
                return ExitCodes.Usage;
            }

            if (!FilingTemplates.TryParseFormat(parse.GetValue(format), parse.GetValue(encoding), out var templateFormat))
            {
                error.WriteLine(CliText.TemplateFormatAndEncoding.Text(language, parse.GetValue(format)!, parse.GetValue(encoding) ?? string.Empty));
                return ExitCodes.Usage;
            }

            var path = parse.GetValue(file)?.FullName ?? Path.GetFullPath(FilingTemplates.FileName(filingKind, templateFormat));
            using (var stream = new FileStream(path, FileMode.Create, FileAccess.ReadWrite)) // the package writer reads back what it wrote
            {
                FilingTemplates.Write(filingKind, templateFormat, CliApp.LoadCatalog(parse.GetValue(catalogOption)), stream);
            }

            output.WriteLine(CliText.TemplateWritten.Text(language, filingKind.ToContractName(), path));
            return ExitCodes.Clean;
        });
        return command;
    }
}
