using Microsoft.Playwright;

namespace Compliance.Cli.Tests;

/// <summary>
/// The printable report opened as the accountant opens it — a local file in a browser (Debian's chromium): its
/// one style sheet allowed by its CSP and applied, no console errors, nothing wider than a 375 px phone but the
/// tables' own scrolling, and the screenshots in the README.
/// </summary>
[TestClass]
public sealed class ReportPageBrowserTests
{
    private const string Chromium = "/usr/bin/chromium";

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    [DataRow(1000, "self-check-report.png")]
    [DataRow(375, "self-check-report-phone.png")]
    public async Task ReportPage_StyledUnderItsCsp_NoConsoleErrors_FitsTheWidth(int width, string screenshot)
    {
        using var temp = new TempFolder();
        var page = Path.Combine(temp.Path, "自查报告.html");
        var files = new[] { "payroll-2016-06-jingyang-gbk.csv", "fee-items-2016-09-chengdu.csv", "payroll-2016-06-acme.csv" }.Select(f => Path.Combine(Cli.Samples, f));
        var (exit, _, _) = await Cli.RunAsync(["check", "--lang", "zh", "--format", "html", "-o", page, .. files, Path.Combine(Cli.RepositoryRoot, "tests", "bad-inputs", "negative-rate.csv")]);
        Assert.AreEqual(ExitCodes.FileRejected, exit);

        Assert.IsTrue(File.Exists(Chromium), $"the browser tests need Debian's chromium at {Chromium} (apt-get install chromium); .ci/run installs it");
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = Chromium, Headless = true, Args = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"] });
        var tab = await browser.NewPageAsync(new() { ViewportSize = new() { Width = width, Height = 900 } });
        var problems = new List<string>();
        tab.Console += (_, message) =>
        {
            if (message.Type is "error" or "warning")
            {
                problems.Add(message.Text);
            }
        };
        tab.PageError += (_, error) => problems.Add(error);

        await tab.GotoAsync(new Uri(page).AbsoluteUri);

        Assert.AreEqual("zh-CN", await tab.EvaluateAsync<string>("document.documentElement.lang"));
        Assert.AreEqual("collapse", await tab.EvaluateAsync<string>("getComputedStyle(document.querySelector('table')).borderCollapse"), "the style sheet is applied: the CSP allows its hash");
        Assert.IsLessThanOrEqualTo(width, await tab.EvaluateAsync<int>("document.documentElement.scrollWidth"), "only the tables scroll sideways, inside their own box");
        await Assertions.Expect(tab.Locator("h2", new() { HasText = "negative-rate.csv" })).ToContainTextAsync("已退回");
        await Assertions.Expect(tab.Locator("td", new() { HasText = "住房公积金缴存比例不得超过12%" })).ToBeVisibleAsync();
        await tab.ScreenshotAsync(new() { Path = Path.Combine(Cli.RepositoryRoot, "docs", "images", screenshot), FullPage = true });
        Assert.IsEmpty(problems, string.Join(Environment.NewLine, problems));
    }
}
