using System.Text.Json;

namespace Compliance.Cli.Tests;

[TestClass]
public sealed class CheckCommandTests
{
    private const string Header = "uscc,period,region,employee_id,wage_base,housing_fund_employer_rate\n";

    [TestMethod]
    public async Task SampleFilings_ReportExactlyTheViolationsTheyWereWrittenToContain()
    {
        var expected = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(Cli.RepositoryRoot, "seeds", "expected-findings.json"))).RootElement.GetProperty("files");
        var samples = expected.EnumerateObject().Select(p => Path.Combine(Cli.Samples, p.Name)).ToArray();

        var (exit, output, _) = await Cli.RunAsync(["check", "--format", "json", .. samples]);

        Assert.AreEqual(ExitCodes.ViolationsFound, exit);
        var files = JsonDocument.Parse(output).RootElement.GetProperty("files").EnumerateArray().ToList();
        Assert.HasCount(samples.Length, files);
        foreach (var file in files)
        {
            var name = file.GetProperty("file").GetString()!;
            var want = expected.GetProperty(name);
            Assert.AreEqual(want.GetProperty("status").GetString(), file.GetProperty("status").GetString(), name);
            var found = file.GetProperty("violations").EnumerateArray()
                .Select(v => $"{v.GetProperty("rule").GetString()}@{v.GetProperty("row").GetInt32()}:{v.GetProperty("field").GetString()}")
                .ToArray();
            CollectionAssert.AreEqual(want.GetProperty("violations").EnumerateArray().Select(v => v.GetString()).ToArray(), found, name);
        }
    }

    [TestMethod]
    public async Task JsonReport_HasTheContractFields()
    {
        var (_, output, _) = await Cli.RunAsync("check", "--format", "json", Path.Combine(Cli.Samples, "payroll-2016-06-jingyang-gbk.csv"));

        var file = JsonDocument.Parse(output).RootElement.GetProperty("files")[0];
        foreach (var field in new[] { "file", "kind", "status", "error", "rows", "violations", "warnings" })
        {
            Assert.IsTrue(file.TryGetProperty(field, out _), field);
        }

        var violation = file.GetProperty("violations")[0];
        Assert.AreEqual("HF-RATE-CAP", violation.GetProperty("rule").GetString());
        Assert.AreEqual("91510600G612DD2721", violation.GetProperty("uscc").GetString());
        Assert.AreEqual("2016-06", violation.GetProperty("period").GetString());
        Assert.AreEqual(3, violation.GetProperty("row").GetInt32());
        Assert.AreEqual("D002", violation.GetProperty("employee_id").GetString());
        Assert.AreEqual("housing_fund_employer_rate", violation.GetProperty("field").GetString());
        Assert.AreEqual(13m, violation.GetProperty("observed").GetDecimal());
        Assert.AreEqual("<= 12", violation.GetProperty("limit").GetString());
        Assert.AreEqual("国发〔2016〕48号 (二十)", violation.GetProperty("citation").GetString());
    }

    [TestMethod]
    public async Task CleanFile_ExitsZero()
    {
        var (exit, output, _) = await Cli.RunAsync("check", Path.Combine(Cli.Samples, "payroll-2016-06-acme.csv"));

        Assert.AreEqual(ExitCodes.Clean, exit);
        StringAssert.Contains(output, "No violations.");
    }

    [TestMethod]
    public async Task RejectedFile_ExitsTwoAndTheOtherFilesAreStillChecked()
    {
        using var temp = new TempFolder();
        var broken = temp.Write("broken.csv", Header + "91510100A4C12H3B1Y,2016-06,510100,E1,eight thousand,12\n");
        var bad = temp.Write("bad.csv", Header + "91510100A4C12H3B1Y,2016-06,510100,E1,8000,13\n");

        var (exit, output, error) = await Cli.RunAsync("check", "--format", "json", broken, temp.Write("empty.csv", string.Empty), bad);

        Assert.AreEqual(ExitCodes.FileRejected, exit);
        var files = JsonDocument.Parse(output).RootElement.GetProperty("files");
        Assert.AreEqual("rejected", files[0].GetProperty("status").GetString());
        StringAssert.Contains(files[0].GetProperty("error").GetString(), "Row 2, column wage_base");
        Assert.AreEqual("rejected", files[1].GetProperty("status").GetString());
        Assert.AreEqual("checked", files[2].GetProperty("status").GetString());
        Assert.AreEqual(1, files[2].GetProperty("violations").GetArrayLength());
        Assert.AreEqual(string.Empty, error, "no stack trace or noise on stderr");
    }

    [TestMethod]
    public async Task MissingFile_IsRejectedNotACrash()
    {
        var (exit, output, _) = await Cli.RunAsync("check", "no-such-file.csv");

        Assert.AreEqual(ExitCodes.FileRejected, exit);
        StringAssert.Contains(output, "file not found");
    }

    [TestMethod]
    public async Task TableOutput_ShowsRowRuleAndClause()
    {
        var (exit, output, _) = await Cli.RunAsync("check", Path.Combine(Cli.Samples, "fee-items-2016-09-chengdu.csv"));

        Assert.AreEqual(ExitCodes.ViolationsFound, exit);
        StringAssert.Contains(output, "FEE-ABOLISHED");
        StringAssert.Contains(output, "价格调节基金");
        StringAssert.Contains(output, "国发〔2016〕48号 (七)");
        StringAssert.Contains(output, "1 finding(s) over 2 violating row(s)", "two abolished fees charged: one rule, field and clause, amounts 600–1850");
        StringAssert.Contains(output, "600–1850");
    }

    [TestMethod]
    public async Task TableOutput_ShowsASystemicViolationAsOneFindingWithItsRowCount_AndEveryRowWithRows()
    {
        using var folder = new TempFolder();
        var rows = string.Concat(Enumerable.Range(1, 300).Select(i => $"91510100A4C12H3B1Y,2016-08,510100,E{i:D4},8000,13\n"));
        var file = folder.Write("payroll-2016-08.csv", Header + rows);

        var (exit, findings, _) = await Cli.RunAsync("check", file);
        var (_, everyRow, _) = await Cli.RunAsync("check", "--rows", file);

        Assert.AreEqual(ExitCodes.ViolationsFound, exit);
        StringAssert.Contains(findings, "1 finding(s) over 300 violating row(s)");
        StringAssert.Contains(findings, "2, 3, 4, 5, 6, …", "the first rows of the finding");
        Assert.AreEqual(1, findings.Split('\n').Count(l => l.Contains("HF-RATE-CAP", StringComparison.Ordinal)), "one line for the finding");
        Assert.AreEqual(200, everyRow.Split('\n').Count(l => l.Contains("HF-RATE-CAP", StringComparison.Ordinal)), "--rows lists the rows (the first 200 in a table)");
        StringAssert.Contains(everyRow, "… and 100 more; use --format json for all of them.");
    }

    [TestMethod]
    public async Task UsccOption_RejectsRowsOfAnotherEnterprise()
    {
        var (exit, output, _) = await Cli.RunAsync("check", "--uscc", "91510100A4C12H3B1Y", Path.Combine(Cli.Samples, "payroll-2016-06-jingyang-gbk.csv"));

        Assert.AreEqual(ExitCodes.FileRejected, exit);
        StringAssert.Contains(output, "submitter mismatch");
    }

    [TestMethod]
    [DataRow("check")]
    [DataRow("check", "--format", "xml", "a.csv")]
    [DataRow("frobnicate")]
    [DataRow]
    public async Task UsageErrors_ExitSixtyFour(params string[] args)
    {
        var (exit, _, error) = await Cli.RunAsync(args);

        Assert.AreEqual(ExitCodes.Usage, exit);
        StringAssert.Contains(error, "compliance --help");
    }

    [TestMethod]
    public async Task Help_ExplainsTheCommands()
    {
        var (exit, output, _) = await Cli.RunAsync("check", "--help", "--lang", "en");

        Assert.AreEqual(0, exit);
        StringAssert.Contains(output, "--format");
        StringAssert.Contains(output, "Exit code: 0 no violations, 1 violations found, 2 a file was rejected, 64 usage error");
    }

    [TestMethod]
    public async Task BadCatalogPath_IsAUsageError()
    {
        var (exit, _, error) = await Cli.RunAsync("policies", "--catalog", "/nonexistent/catalog.json");

        Assert.AreEqual(ExitCodes.Usage, exit);
        StringAssert.Contains(error, "Cannot read the policy catalog");
    }
}
