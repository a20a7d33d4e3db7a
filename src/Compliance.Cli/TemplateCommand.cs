using System.CommandLine;
using Compliance.Core.Filings;
using Compliance.Core.Templates;

namespace Compliance.Cli;

/// <summary><c>compliance template</c>: the template (模板) of a filing kind, generated from the contract.</summary>
internal static class TemplateCommand
{
    public static Command Create(Option<FileInfo?> catalogOption, TextWriter output, TextWriter error)
    {
        var kind = new Argument<string>("kind") { Description = $"The filing kind: {FilingKindNames.Listed}." };
        var format = new Option<string>("--format", "-f") { Description = "xlsx (the default: headers, validation and a 填写说明 sheet) or csv.", DefaultValueFactory = _ => "xlsx" };
        format.AcceptOnlyFromAmong("xlsx", "csv");
        var encoding = new Option<string?>("--encoding") { Description = "For csv: utf-8 (the default, with the BOM Excel needs) or gb18030 (what Excel on Chinese Windows saves)." };
        var file = new Option<FileInfo?>("--output", "-o") { Description = "Where to write it; the default is the kind's template name in the current folder." };
        var command = new Command(
            "template",
            """
            Write the template (模板) of a filing kind: the Chinese column headers the checker reads, and in xlsx a
            frozen header row, number and list validation, and a 填写说明 sheet with each column and the limits in force.
            Example: compliance template payroll --format xlsx -o payroll.xlsx
            """)
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
