namespace Compliance.Cli.Tests;

[TestClass]
public sealed class TemplateCommandTests
{
    [TestMethod]
    [DataRow("xlsx", null, "payroll.xlsx")]
    [DataRow("csv", null, "payroll.csv")]
    [DataRow("csv", "gb18030", "payroll-gbk.csv")]
    public async Task Template_IsReadByTheCheckAsAPayrollFilingWithItsHeaderOnly(string format, string? encoding, string name)
    {
        using var folder = new TempFolder();
        var file = Path.Combine(folder.Path, name);

        var (exit, output, _) = await Cli.RunAsync(["template", "payroll", "--format", format, .. encoding is null ? Array.Empty<string>() : ["--encoding", encoding], "-o", file]);
        var (checkExit, report, _) = await Cli.RunAsync("check", file);

        Assert.AreEqual(ExitCodes.Clean, exit, output);
        StringAssert.Contains(output, $"Wrote the payroll template to {file}");
        Assert.AreEqual(ExitCodes.FileRejected, checkExit, "nothing filed yet");
        StringAssert.Contains(report, "kind: payroll", "the checker recognises the template's Chinese headers");
        StringAssert.Contains(report, "no data rows");
    }

    [TestMethod]
    public async Task UnknownKindOrEncoding_IsAUsageError()
    {
        var (kindExit, _, kindError) = await Cli.RunAsync("template", "invoices");
        var (encodingExit, _, encodingError) = await Cli.RunAsync("template", "payroll", "--format", "xlsx", "--encoding", "gb18030");

        Assert.AreEqual((ExitCodes.Usage, ExitCodes.Usage), (kindExit, encodingExit));
        StringAssert.Contains(kindError, "'invoices' is not a filing kind");
        StringAssert.Contains(encodingError, "use --format xlsx, or --format csv with --encoding utf-8");
    }
}
