using System.Globalization;
using System.Text.RegularExpressions;
using Compliance.Cli.Texts;

namespace Compliance.Cli.Tests;

/// <summary>
/// The command's own words — its help and its messages — in the accountant's language: Chinese on a Chinese
/// system or with <c>--lang zh</c>.
/// </summary>
[TestClass]
public sealed partial class CliLanguageTests
{
    [TestMethod]
    [DataRow("--lang", "zh")]
    [DataRow("--lang=zh")]
    [DataRow("--lang:zh-CN")]
    public async Task Help_WithLangZh_IsInChinese_TheParsersOwnWordsToo(params string[] lang)
    {
        var (exit, output, _) = await Cli.RunAsync(["check", "--help", .. lang]);

        Assert.AreEqual(0, exit, output);
        StringAssert.Contains(output, "退出码：0 未发现违规，1 发现违规，2 有文件被退回，64 用法错误");
        StringAssert.Contains(output, "要检查的申报文件：.csv（UTF-8 或 GB18030）");
        StringAssert.Contains(output, "用法", "System.CommandLine's own zh-Hans words");
        StringAssert.Contains(output, "显示帮助和用法。", "the help option, which its zh-Hans words leave in English");
        Assert.DoesNotContain("Exit code", output);
        Assert.DoesNotContain("Usage:", output);
    }

    [TestMethod]
    [DataRow("zh-CN", "退出码：0 未发现违规")]
    [DataRow("zh-TW", "退出码：0 未发现违规")]
    [DataRow("de-DE", "Exit code: 0 no violations")]
    public async Task Help_WithoutLang_FollowsTheSystemsLanguage(string system, string expected)
    {
        var (exit, output, error) = await Cli.RunOnSystemAsync(system, "check", "--help");

        Assert.AreEqual(0, exit, error);
        StringAssert.Contains(output, expected);
    }

    [TestMethod]
    public async Task Help_WithLangEn_IsInEnglish()
    {
        var (exit, output, _) = await Cli.RunAsync("template", "--help", "--lang", "en");

        Assert.AreEqual(0, exit, output);
        StringAssert.Contains(output, "Usage:");
        StringAssert.Contains(output, "Write the template (模板) of a filing kind");
        StringAssert.Contains(output, "The filing kind: \"payroll\"");
        StringAssert.Contains(output, "Show help and usage information.");
        Assert.DoesNotContain("用法", output);
        Assert.DoesNotContain("选项", output);
    }

    [TestMethod]
    public async Task UsageError_WithLangZh_IsExplainedInChinese_AndTheCallersCultureIsLeftAsItWas()
    {
        var before = CultureInfo.CurrentUICulture;

        var (exit, _, error) = await Cli.RunAsync("check", "--format", "xml", "a.csv", "--lang", "zh");

        Assert.AreEqual(ExitCodes.Usage, exit);
        StringAssert.Contains(error, "用法请运行 'compliance --help'。");
        Assert.IsTrue(Han().IsMatch(error.Split('\n')[0]), $"the parser's own message is in Chinese too: {error}");
        Assert.AreEqual(before, CultureInfo.CurrentUICulture);
    }

    [TestMethod]
    public async Task Messages_WithLangZh_AreInChinese()
    {
        using var folder = new TempFolder();
        var file = folder.File("工资表.xlsx");

        var (kindExit, _, kindError) = await Cli.RunAsync("template", "invoices", "--lang", "zh");
        var (encodingExit, _, encodingError) = await Cli.RunAsync("template", "payroll", "--encoding", "gb18030", "--lang", "zh");
        var (writtenExit, written, _) = await Cli.RunAsync("template", "payroll", "-o", file, "--lang", "zh");
        var (formatExit, _, formatError) = await Cli.RunAsync("check", "a.csv", "--format", "xlsx", "--lang", "zh");
        var (policiesExit, policies, _) = await Cli.RunAsync("policies", "--lang", "zh");

        Assert.AreEqual(ExitCodes.Usage, kindExit);
        StringAssert.Contains(kindError, "“invoices”不是申报类型；请使用 ");
        Assert.AreEqual(ExitCodes.Usage, encodingExit);
        StringAssert.Contains(encodingError, "--format xlsx --encoding gb18030：请使用 --format xlsx，或 --format csv 加 --encoding utf-8");
        Assert.AreEqual(ExitCodes.Clean, writtenExit);
        StringAssert.Contains(written, $"已将 payroll 模板写入 {file}。从第 2 行起每条记录填一行");
        Assert.AreEqual(ExitCodes.Usage, formatExit);
        StringAssert.Contains(formatError, "--format xlsx 会写入文件：请用 -o 指定文件。");
        Assert.AreEqual(ExitCodes.Clean, policiesExit);
        StringAssert.Contains(policies, "政策目录 ");
        StringAssert.Contains(policies, "适用期间（所属期）");
        Assert.DoesNotContain("Window (period)", policies);
    }

    [TestMethod]
    [DataRow("en", "check", "--lang", "en", "a.csv")]
    [DataRow("zh", "--lang=zh", "policies")]
    [DataRow("zh-CN", "--lang:zh-CN")]
    [DataRow(null, "--lang", "fr")]
    [DataRow(null, "check", "--lang")]
    [DataRow(null, "check", "a.csv")]
    public void LanguageArgument_IsTheLangOptionsValue_WhenItIsOneItAccepts(string? expected, params string[] args) =>
        Assert.AreEqual(expected, CliApp.LanguageArgument(args));

    [TestMethod]
    public void EveryHelpText_HasEnglishAndChineseTexts_WithTheSamePlaceholders()
    {
        var problems = TextResources.Problems(typeof(CliApp).Assembly, "Compliance.Cli.Texts.Cli", [.. Enum.GetValues<CliText>().Select(text => text.ToString())]);

        Assert.IsEmpty(problems, string.Join("\n", problems));
    }

    [GeneratedRegex(@"\p{IsCJKUnifiedIdeographs}")]
    private static partial Regex Han();
}
