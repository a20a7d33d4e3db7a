using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Compliance.Core.Checking;
using Compliance.Core.Texts;
using Compliance.Testing;

namespace Compliance.Core.Tests.Reading;

/// <summary>
/// Rejection messages exist in English and Chinese from one source (Messages.resx and its zh-CN twin), travel
/// as a code and arguments, and render in the reader's language wherever they are read back.
/// </summary>
[TestClass]
public sealed partial class MessageTextTests
{
    private static BadInputCorpus Corpus { get; } = new(Checks.RepositoryRoot);

    [TestMethod]
    public void EveryCode_HasEnglishAndChineseTexts_WithTheSamePlaceholders()
    {
        var codes = Enum.GetValues<MessageCode>().ToDictionary(id => id, id => Regex.Replace(id.ToString(), "(?<!^)([A-Z])", "_$1").ToUpperInvariant());

        var problems = TextResources.Problems(typeof(UserMessage).Assembly, "Compliance.Core.Texts.Messages", codes.Values);

        Assert.IsEmpty(problems, string.Join("\n", problems));
        var english = TextResources.Read(typeof(UserMessage).Assembly, "Compliance.Core.Texts.Messages", CultureInfo.InvariantCulture);
        foreach (var (id, code) in codes)
        {
            // Of() with as many arguments as the text has placeholders succeeds, and with another number throws (below).
            var arity = TextResources.Placeholders(english[code]).Count;
            Assert.AreEqual(code, UserMessage.Of(id, [.. Enumerable.Repeat<object>("x", arity)]).Code);
        }
    }

    [TestMethod]
    public void EveryReportLabel_HasEnglishAndChineseTexts_WithTheSamePlaceholders()
    {
        var problems = TextResources.Problems(typeof(ReportLabels).Assembly, "Compliance.Core.Texts.Labels", [.. Enum.GetValues<ReportLabel>().Select(ReportLabels.Key)]);

        Assert.IsEmpty(problems, string.Join("\n", problems));
        Assert.AreEqual("Rule", ReportLabel.ColRule.Text(CultureInfo.GetCultureInfo("fr-FR")), "a language the product does not speak gets English");
        Assert.AreEqual("规则", ReportLabel.ColRule.Text(CultureInfo.GetCultureInfo("zh-TW")), "every Chinese culture reads the zh-CN text");
    }

    [TestMethod]
    public void Of_WithTheWrongNumberOfArguments_Throws()
    {
        Assert.ThrowsExactly<ArgumentException>(() => UserMessage.Of(MessageCode.NotARate));
        Assert.ThrowsExactly<ArgumentException>(() => UserMessage.Of(MessageCode.FileEmpty, "extra"));
        Assert.ThrowsExactly<ArgumentException>(() => UserMessage.Of(MessageCode.NotARate, 12));
    }

    [TestMethod]
    public void RowError_ReadsInTheCallersLanguage_AndTheReportKeepsItsEnglish()
    {
        using var report = Checks.Csv(FilingBuilder.Payroll().Row(("housing_fund_employer_rate", "abc")));

        report.AssertRejected("Row 2, column housing_fund_employer_rate (住房公积金单位缴存比例): 'abc' is not a rate; write the percent, for example 12, 12% or 0.5.");
        Assert.AreEqual("AT_CELL", report.ErrorText!.Code);
        Assert.AreEqual(
            "第 2 行，housing_fund_employer_rate (住房公积金单位缴存比例) 列：“abc”不是比例；请填写百分数，例如 12、12% 或 0.5。",
            report.ErrorText.ToString(CultureInfo.GetCultureInfo("zh-Hans")));
        Assert.AreEqual(report.Error, report.ErrorText.ToString(CultureInfo.GetCultureInfo("fr-FR")), "a language the product does not speak gets English");
    }

    [TestMethod]
    public void ReportJson_CarriesTheCodesBesideTheEnglishMessages()
    {
        using var report = Checks.Csv(FilingBuilder.Payroll().Row(("wage_base", "x")).Row(("wage_base", "-1")));

        using var json = JsonDocument.Parse(ReportJson.ToJson([report]));
        var file = json.RootElement.GetProperty("files")[0];
        Assert.AreEqual("MORE_PROBLEMS", file.GetProperty("error_code").GetString());
        Assert.AreEqual(report.Error, UserMessage.TryRead("MORE_PROBLEMS", file.GetProperty("error_args"))!.ToString());
        var second = file.GetProperty("errors")[1];
        Assert.AreEqual("Row 3, column wage_base (缴费基数): the wage base must be greater than 0.", second.GetProperty("message").GetString(), "the contract's message stays English");
        Assert.AreEqual("第 3 行，wage_base (缴费基数) 列：缴费基数必须大于 0。", UserMessage.TryRead(second.GetProperty("code").GetString(), second.GetProperty("args"))!.ToString(Languages.Chinese));
    }

    [TestMethod]
    public void TryRead_OfAnUnknownCodeOrMisfitArguments_IsNull()
    {
        Assert.IsNull(UserMessage.TryRead("NO_SUCH_CODE", "[]"));
        Assert.IsNull(UserMessage.TryRead("NOT_A_RATE", "[]"));
        Assert.IsNull(UserMessage.TryRead("NOT_A_RATE", "[1]"));
        Assert.IsNull(UserMessage.TryRead("NOT_A_RATE", "not json"));
        Assert.IsNull(UserMessage.TryRead("AT_CELL", """["2", "x", {"code": "NO_SUCH_CODE", "args": []}]"""));
    }

    /// <summary>Every rejection in the bad-input corpus — most of the codes, with real arguments — says the same in Chinese after a trip through storage.</summary>
    [TestMethod]
    public void EveryCorpusRejection_ReadsInChinese_AfterATripThroughStorage()
    {
        var codes = new HashSet<string>();
        foreach (var entry in Corpus.Entries.Where(e => e.Outcome == "rejected"))
        {
            using var stream = File.OpenRead(Path.Combine(Corpus.Folder, entry.File));
            using var report = new FilingChecker(Checks.Catalog).Check(stream, entry.File);
            var text = report.ErrorText!;
            var stored = UserMessage.TryRead(text.Code, text.ArgsJson());

            Assert.IsNotNull(stored, entry.File);
            Assert.AreEqual(report.Error, stored.ToString(), entry.File);
            var zh = stored.ToString(Languages.Chinese);
            Assert.AreEqual(text.ToString(Languages.Chinese), zh, entry.File);
            Assert.AreNotEqual(report.Error, zh, entry.File);
            Assert.DoesNotContain("Row ", zh, $"{entry.File}: {zh}");
            codes.Add(text.Code);
        }

        Assert.IsGreaterThanOrEqualTo(15, codes.Count, "the corpus reaches many different messages");
    }
}
