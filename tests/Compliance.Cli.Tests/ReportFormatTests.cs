using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Compliance.Core.Filings;

namespace Compliance.Cli.Tests;

/// <summary>
/// What an accountant reads and keeps: the table in their language (by --lang or the system's culture) and
/// aligned with Chinese in it, the workbook and the printable page, and whole folders checked at once.
/// </summary>
[TestClass]
public sealed partial class ReportFormatTests
{
    private static string Gbk => Path.Combine(Cli.Samples, "payroll-2016-06-jingyang-gbk.csv");

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task LangZh_PrintsTheTableMessagesAndRuleTitlesInChinese()
    {
        var (exit, output, _) = await Cli.RunAsync("check", "--lang", "zh", Gbk);

        Assert.AreEqual(ExitCodes.ViolationsFound, exit);
        foreach (var text in new[] { "已检查", "类型：社保公积金缴费明细", "规则", "依据", "住房公积金缴存比例不得超过12%", "住房公积金单位缴存比例", "有违规，请改正后再上传" })
        {
            StringAssert.Contains(output, text);
        }

        Assert.DoesNotContain("violations found", output);
        Assert.DoesNotContain("Clause", output);
    }

    [TestMethod]
    public async Task LangEn_PrintsEnglish_EvenWhereTheSystemIsChinese()
    {
        var (_, output, _) = await Cli.RunOnSystemAsync("zh-CN", "check", "--lang", "en", Gbk);

        StringAssert.Contains(output, "kind: payroll");
        StringAssert.Contains(output, "Housing fund rate, employer and employee");
        StringAssert.Contains(output, "violations found");
        Assert.IsFalse(output.Contains("已检查", StringComparison.Ordinal) || output.Contains("规则", StringComparison.Ordinal), output);
    }

    [TestMethod]
    [DataRow("zh-CN", "未发现违规。")]
    [DataRow("zh-TW", "未发现违规。")]
    [DataRow("en-US", "No violations.")]
    [DataRow("fr-FR", "No violations.")]
    public async Task WithoutLang_TheSystemsLanguageDecides(string culture, string expected)
    {
        var (_, output, _) = await Cli.RunOnSystemAsync(culture, "check", Path.Combine(Cli.Samples, "payroll-2016-06-acme.csv"));

        StringAssert.Contains(output, expected);
    }

    [TestMethod]
    public async Task Warnings_ReadInChinese_AndTheJsonKeepsTheirEnglish()
    {
        using var temp = new TempFolder();
        var file = temp.Write("warnings.csv", "uscc,period,region,employee_id,wage_base,housing_fund_employer_rate,housing_fund_employer_amount,备注\n91510100A4C12H3B1Y,2016-06,510100,E1,8000.123,12,500,x\n");

        var (_, table, _) = await Cli.RunAsync("check", "--lang", "zh", file);
        var (_, json, _) = await Cli.RunAsync("check", "--lang", "zh", "--format", "json", file);

        StringAssert.Contains(table, "列“备注”（第 8 列）不属于社保公积金缴费明细申报，已忽略。");
        StringAssert.Contains(table, "第 2 行，wage_base (缴费基数)：8000.123 的小数超过 2 位");
        StringAssert.Contains(table, "第 2 行：housing_fund_employer_rate 申报为 12%");
        var messages = JsonDocument.Parse(json).RootElement.GetProperty("files")[0].GetProperty("warnings").EnumerateArray().Select(w => w.GetProperty("message").GetString()).ToList();
        CollectionAssert.Contains(messages, "Column '备注' (column 8) is not part of a payroll filing and was ignored.");
    }

    [TestMethod]
    public async Task RejectedFile_ReadsInChinese_ItsRowAndColumnNamed()
    {
        using var temp = new TempFolder();
        var broken = temp.Write("broken.csv", "uscc,period,region,employee_id,wage_base,housing_fund_employer_rate\n91510100A4C12H3B1Y,2016-06,510100,E1,8000,abc\n");

        var (exit, output, _) = await Cli.RunAsync("check", "--lang", "zh", broken);

        Assert.AreEqual(ExitCodes.FileRejected, exit);
        StringAssert.Contains(output, "已退回");
        StringAssert.Contains(output, "第 2 行，housing_fund_employer_rate (住房公积金单位缴存比例) 列：“abc”不是比例");
    }

    [TestMethod]
    public async Task ChineseTable_StaysAligned_EveryLineOfATableAsWideOnScreen()
    {
        var (_, output, _) = await Cli.RunAsync(["check", "--lang", "zh", "--rows", .. Directory.GetFiles(Cli.Samples)]);

        var tables = 0;
        List<string>? table = null;
        foreach (var line in output.Split('\n').Select(l => l.TrimEnd('\r')))
        {
            if (line.StartsWith('╭'))
            {
                table = [];
            }

            table?.Add(line);
            if (line.StartsWith('╰') && table is not null)
            {
                tables++;
                var widths = table.Select(DisplayWidth).Distinct().ToList();
                Assert.HasCount(1, widths, "lines of one table differ in width on screen:\n" + string.Join('\n', table));
                Assert.IsTrue(table.Any(l => l.Any(IsWide)), "the table has Chinese in it, so the test means something");
                table = null;
            }
        }

        Assert.IsGreaterThanOrEqualTo(5, tables);
    }

    [TestMethod]
    public async Task Xlsx_ReadBack_HoldsTheJsonReportsFindings_OneSheetPerFile()
    {
        using var temp = new TempFolder();
        var samples = Directory.GetFiles(Cli.Samples).Order(StringComparer.Ordinal).ToArray();
        var workbook = Path.Combine(temp.Path, "自查报告.xlsx");

        var (exit, output, _) = await Cli.RunAsync(["check", "--lang", "zh", "--format", "xlsx", "-o", workbook, .. samples]);
        var (jsonExit, json, _) = await Cli.RunAsync(["check", "--format", "json", .. samples]);

        Assert.AreEqual(jsonExit, exit);
        StringAssert.Contains(output, workbook);
        var sheets = XlsxRows.ReadSheets(workbook);
        var files = JsonDocument.Parse(json).RootElement.GetProperty("files").EnumerateArray().ToList();
        Assert.HasCount(files.Count + 1, sheets, "a summary, then one sheet per file");
        Assert.AreEqual("汇总 Summary", sheets[0].Name);
        CollectionAssert.AreEqual(ReportWorkbook.SummaryColumns.Select(ReportWorkbook.Both).ToList(), sheets[0].Rows[0]);

        var findingsSeen = 0;
        for (var i = 0; i < files.Count; i++)
        {
            var file = files[i];
            var name = file.GetProperty("file").GetString()!;
            var (sheetName, rows) = sheets[i + 1];
            Assert.AreEqual(Path.GetFileNameWithoutExtension(name), sheetName);
            var summary = sheets[0].Rows[i + 1];
            Assert.AreEqual(name, summary[0]);
            Assert.AreEqual(file.GetProperty("rows").GetInt32().ToString(CultureInfo.InvariantCulture), summary[3]);
            Assert.AreEqual(file.GetProperty("violations").GetArrayLength().ToString(CultureInfo.InvariantCulture), summary[6]);
            if (file.GetProperty("status").GetString() == "rejected")
            {
                continue;
            }

            var header = rows[0];
            CollectionAssert.AreEqual(ReportWorkbook.FindingColumns.Select(ReportWorkbook.Both).ToList(), header, "Chinese headers with their English");
            int Column(string zh) => header.FindIndex(h => h.StartsWith(zh + " ", StringComparison.Ordinal));
            var schema = FilingSchema.For(FilingKindNames.TryParse(file.GetProperty("kind").GetString(), out var kind) ? kind : throw new AssertFailedException(name));
            var expected = file.GetProperty("findings").EnumerateArray().Select(f => string.Join(" | ",
                f.GetProperty("rule").GetString(),
                string.Join('+', f.GetProperty("field").GetString()!.Split('+').Select(field => schema[field].ChineseName)),
                f.GetProperty("limit").GetString(),
                f.GetProperty("rowCount").GetInt32(),
                string.Join(", ", f.GetProperty("firstRows").EnumerateArray().Select(r => r.GetInt32())),
                f.GetProperty("citation").GetString(),
                Observed(f))).ToList();
            var found = rows.Skip(1).Where(r => r.Count > 1).Select(r => string.Join(" | ",
                r[Column("规则")], r[Column("字段")], r[Column("限值")], r[Column("行数")], r[Column("首批行号")], r[Column("依据")], r[Column("实际值")])).ToList();
            CollectionAssert.AreEqual(expected, found, name);
            findingsSeen += found.Count;
            foreach (var row in rows.Skip(1).Where(r => r.Count > 1 && r[Column("规则")] == "HF-RATE-CAP"))
            {
                StringAssert.Contains(row[Column("条款原文")], "住房公积金", "the clause is quoted");
            }
        }

        Assert.AreEqual(14, findingsSeen, "the samples' 14 findings");
    }

    [TestMethod]
    public async Task Html_IsOnePrintablePage_EncodedAndUnderACspThatAllowsOnlyItsOwnStyle()
    {
        using var temp = new TempFolder();
        var hostile = temp.Write("<script>alert(1).csv", "uscc,period,region,employee_id,wage_base,housing_fund_employer_rate\n91510100A4C12H3B1Y,2016-06,510100,<img src=x onerror=alert(1)>,8000,13\n");
        var page = Path.Combine(temp.Path, "report.html");

        var (exit, _, _) = await Cli.RunAsync("check", "--lang", "zh", "--format", "html", "-o", page, Gbk, hostile);

        Assert.AreEqual(ExitCodes.ViolationsFound, exit);
        var html = await File.ReadAllTextAsync(page, TestContext.CancellationToken);
        StringAssert.StartsWith(html, "<!DOCTYPE html>");
        StringAssert.Contains(html, "<html lang=\"zh-CN\">");
        StringAssert.Contains(html, "住房公积金缴存比例不得超过12%");
        StringAssert.Contains(html, "payroll-2016-06-jingyang-gbk.csv");
        Assert.DoesNotContain("<script", html, "a file name is text, not markup");
        Assert.DoesNotContain("<img", html, "a cell is text, not markup");
        StringAssert.Contains(html, "&lt;img src=x onerror=alert(1)&gt;");
        var style = StyleBlock().Match(html).Groups[1].Value;
        var csp = CspMeta().Match(html).Groups[1].Value;
        Assert.AreEqual($"default-src 'none'; style-src 'sha256-{Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(style)))}'", csp, "the CSP names the hash of the page's one style block");
    }

    [TestMethod]
    public async Task JsonWithOutput_WritesTheSameDocumentToTheFile_AndLeavesTheTerminalClear()
    {
        using var temp = new TempFolder();
        var file = Path.Combine(temp.Path, "report.json");

        var (exit, output, _) = await Cli.RunAsync("check", "--format", "json", "-o", file, Gbk);
        var (_, printed, _) = await Cli.RunAsync("check", "--format", "json", Gbk);

        Assert.AreEqual(ExitCodes.ViolationsFound, exit);
        Assert.AreEqual(string.Empty, output);
        Assert.AreEqual(printed, await File.ReadAllTextAsync(file, TestContext.CancellationToken));
    }

    [TestMethod]
    [DataRow("xlsx")]
    [DataRow("json")]
    public async Task OutputNamingAFileBeingChecked_IsRefused_AndTheFilingIsUntouched(string format)
    {
        using var temp = new TempFolder();
        var filing = Path.Combine(temp.Path, "payroll.csv");
        File.Copy(Gbk, filing);
        var before = await File.ReadAllBytesAsync(filing, TestContext.CancellationToken);

        var (exit, _, error) = await Cli.RunAsync("check", "--format", format, "-o", filing, temp.Path);

        Assert.AreEqual(ExitCodes.Usage, exit);
        StringAssert.Contains(error, "is one of the files being checked");
        CollectionAssert.AreEqual(before, await File.ReadAllBytesAsync(filing, TestContext.CancellationToken));
    }

    [TestMethod]
    public async Task OutputIntoAMissingFolder_SaysWhereAndWhy_ExitSeventyThree()
    {
        using var temp = new TempFolder();
        var report = Path.Combine(temp.Path, "no-such-folder", "报告.xlsx");

        var (exit, _, error) = await Cli.RunAsync("check", "--lang", "zh", "--format", "xlsx", "-o", report, Gbk);

        Assert.AreEqual(ExitCodes.CannotCreate, exit);
        StringAssert.Contains(error, $"无法将报告写入 {report}");
        Assert.IsEmpty(Directory.GetFileSystemEntries(temp.Path), "nothing half-written is left behind");
    }

    [TestMethod]
    public async Task AReportWritten_OverAnOldOne_ReplacesItWhole_WithNoPartialFileLeft()
    {
        using var temp = new TempFolder();
        var report = temp.Write("report.html", "the old report");

        var (exit, _, _) = await Cli.RunAsync("check", "--format", "html", "-o", report, Gbk);

        Assert.AreEqual(ExitCodes.ViolationsFound, exit);
        StringAssert.StartsWith(await File.ReadAllTextAsync(report, TestContext.CancellationToken), "<!DOCTYPE html>");
        CollectionAssert.AreEqual(new[] { report }, Directory.GetFiles(temp.Path));
    }

    [TestMethod]
    public async Task XlsxOrHtml_WithoutAFile_IsAUsageError()
    {
        var (exit, _, error) = await Cli.RunAsync("check", "--format", "xlsx", Gbk);

        Assert.AreEqual(ExitCodes.Usage, exit);
        StringAssert.Contains(error, "-o FILE");
    }

    [TestMethod]
    public async Task Folder_ChecksItsFilings_SubfoldersOnlyWithR_NamedByTheirPathInside()
    {
        using var temp = new TempFolder();
        Directory.CreateDirectory(Path.Combine(temp.Path, "2016-07"));
        File.Copy(Gbk, Path.Combine(temp.Path, "payroll.csv"));
        File.Copy(Path.Combine(Cli.Samples, "payroll-2016-06-acme.csv"), Path.Combine(temp.Path, "2016-07", "payroll.csv"));
        File.Copy(Path.Combine(Cli.Samples, "payroll-2016-07-tianfu.xlsx"), Path.Combine(temp.Path, "2016-07", "tianfu.xlsx"));
        temp.Write("notes.txt", "not a filing");
        temp.Write("~$payroll.xlsx", "Excel's lock file while the workbook is open");
        Directory.CreateSymbolicLink(Path.Combine(temp.Path, "2016-07", "back"), temp.Path);

        var (flatExit, flat, _) = await Cli.RunAsync("check", "--format", "json", temp.Path);
        var (deepExit, deep, _) = await Cli.RunAsync("check", "--format", "json", "-r", temp.Path);

        Assert.AreEqual(ExitCodes.ViolationsFound, flatExit);
        CollectionAssert.AreEqual(new[] { "payroll.csv" }, Names(flat));
        Assert.AreEqual(ExitCodes.ViolationsFound, deepExit);
        CollectionAssert.AreEqual(new[] { "2016-07/payroll.csv", "2016-07/tianfu.xlsx", "payroll.csv" }, Names(deep));
    }

    [TestMethod]
    public async Task SeveralFiles_EndWithASummaryTable_ALinePerFileInTheOrderChecked()
    {
        var (_, output, _) = await Cli.RunAsync("check", "--lang", "zh", Cli.Samples);

        var summary = output[output.LastIndexOf("│ 文件", StringComparison.Ordinal)..];
        StringAssert.Contains(summary, "违规行数");
        var names = Directory.GetFiles(Cli.Samples).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        var lines = summary.Split('\n').Where(l => names.Any(n => l.StartsWith("│ " + n + " ", StringComparison.Ordinal))).ToList();
        CollectionAssert.AreEqual(names, lines.Select(l => l.Split('│')[1].Trim()).ToList());
        StringAssert.Contains(lines.Single(l => l.Contains("payroll-2016-06-jingyang-gbk.csv", StringComparison.Ordinal)), "│ 社保公积金缴费明细");
        Assert.AreEqual("3", lines.Single(l => l.Contains("payroll-2016-06-jingyang-gbk.csv", StringComparison.Ordinal)).Split('│')[6].Trim(), "its violating rows");
    }

    [TestMethod]
    public async Task ManyFilesInParallel_GiveTheSameReportsAsOneByOne_InTheOrderNamed()
    {
        var files = Directory.GetFiles(Path.Combine(Cli.RepositoryRoot, "tests", "bad-inputs")).Where(f => !f.EndsWith("expected.json", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToArray();

        var (exit, together, _) = await Cli.RunAsync(["check", "--format", "json", .. files]);
        var alone = new List<JsonElement>();
        foreach (var file in files)
        {
            var (_, one, _) = await Cli.RunAsync("check", "--format", "json", file);
            alone.Add(JsonDocument.Parse(one).RootElement.GetProperty("files")[0]);
        }

        Assert.AreEqual(ExitCodes.FileRejected, exit);
        var all = JsonDocument.Parse(together).RootElement.GetProperty("files").EnumerateArray().ToList();
        Assert.HasCount(files.Length, all);
        for (var i = 0; i < files.Length; i++)
        {
            Assert.AreEqual(alone[i].GetRawText(), all[i].GetRawText(), files[i]);
        }
    }

    [TestMethod]
    public async Task EmptyFolder_SaysSo_AndIsAUsageError()
    {
        using var temp = new TempFolder();
        temp.Write("readme.txt", "no filings here");

        var (exit, _, error) = await Cli.RunAsync("check", "--lang", "en", temp.Path);

        Assert.AreEqual(ExitCodes.Usage, exit);
        StringAssert.Contains(error, $"No filings (.csv, .xlsx, .json) in {temp.Path}; -r also checks its subfolders.");
    }

    private static string[] Names(string json) => [.. JsonDocument.Parse(json).RootElement.GetProperty("files").EnumerateArray().Select(f => f.GetProperty("file").GetString()!)];

    private static string Observed(JsonElement finding)
    {
        var min = finding.GetProperty("observedMin").GetDecimal();
        var max = finding.GetProperty("observedMax").GetDecimal();
        return min == max ? Compliance.Core.Rules.Finding.Number(min) : $"{Compliance.Core.Rules.Finding.Number(min)}–{Compliance.Core.Rules.Finding.Number(max)}";
    }

    /// <summary>Columns a line takes in a terminal: East Asian wide and full-width characters take two.</summary>
    private static int DisplayWidth(string line) => line.Sum(c => IsWide(c) ? 2 : 1);

    private static bool IsWide(char c) =>
        c is (>= '\u1100' and <= '\u115F') or (>= '\u2E80' and <= '\u303E') or (>= '\u3041' and <= '\u33FF') or (>= '\u3400' and <= '\u4DBF')
            or (>= '\u4E00' and <= '\u9FFF') or (>= '\uA000' and <= '\uA4CF') or (>= '\uAC00' and <= '\uD7A3') or (>= '\uF900' and <= '\uFAFF')
            or (>= '\uFE30' and <= '\uFE4F') or (>= '\uFF00' and <= '\uFF60') or (>= '\uFFE0' and <= '\uFFE6');

    [GeneratedRegex("<style>(.*?)</style>", RegexOptions.Singleline)]
    private static partial Regex StyleBlock();

    [GeneratedRegex("http-equiv=\"Content-Security-Policy\" content=\"([^\"]*)\"")]
    private static partial Regex CspMeta();
}
