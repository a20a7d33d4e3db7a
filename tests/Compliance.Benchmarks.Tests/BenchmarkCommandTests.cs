using System.Globalization;
using System.Text.RegularExpressions;

namespace Compliance.Benchmarks.Tests;

/// <summary>
/// The benchmark command's short runs, end to end: files generated, every case run and checked against the
/// generator's count of violating rows (the command throws on a mismatch), the CLI run as a child process,
/// the local host on a real Azurite. The figures are only required to be there and to be numbers.
/// </summary>
[TestClass]
public sealed partial class BenchmarkCommandTests
{
    [TestMethod]
    public async Task ShortRun_PrintsEveryFigureTheIssueNames()
    {
        var output = new StringWriter(CultureInfo.InvariantCulture);

        var exit = await BenchmarkCommand.RunAsync(["--rows", "20000", "--runs", "1"], output, CancellationToken.None);

        var text = output.ToString();
        Assert.AreEqual(0, exit, text);
        foreach (var name in new[] { "csvhelper-floor", "check", "check-1thread", "sep-baseline", "csvhelper-linq", "rulesengine", "check-gb18030", "miniexcel", "check-xlsx", "miniexcel-shared", "check-xlsx-shared", "stj-stream", "check-json" })
        {
            Assert.IsGreaterThan(0, Figure(text, $"rows/s {name}"), text);
            Assert.IsGreaterThanOrEqualTo(0, Figure(text, $"cpu-s {name}"), text);
        }

        foreach (var ratio in new[] { "check-1thread/csvhelper-floor", "check/csvhelper-floor", "check/csvhelper-linq", "check/rulesengine", "check-gb18030/check", "check-xlsx/miniexcel", "check-xlsx-shared/miniexcel-shared", "check-json/stj-stream" })
        {
            Assert.IsGreaterThan(0, Figure(text, $"ratio {ratio}"), text);
        }

        // Short mode scales the 100 MB and 1 GB files down to 2 MB and 20 MB.
        Assert.IsGreaterThan(0, Figure(text, "peak-rss-mb check-2mb"), text);
        Assert.IsGreaterThan(0, Figure(text, "peak-rss-mb check-20mb"), text);
        Assert.IsGreaterThan(0, Figure(text, "peak-rss-mb check-xlsx-shared-20001"), text);
    }

    [TestMethod]
    [Timeout(600_000, CooperativeCancellation = true)] // a clean publish (build, trim, ReadyToRun) alone takes about 45 s here
    public async Task StartupShortRun_PublishesTheSingleFile_AndTimesIt()
    {
        var output = new StringWriter(CultureInfo.InvariantCulture);

        var exit = await BenchmarkCommand.RunAsync(["--startup", "--runs", "1"], output, CancellationToken.None);

        var text = output.ToString();
        Assert.AreEqual(0, exit, text);
        Assert.IsGreaterThan(0, Figure(text, "startup-ms"), text);
        Assert.IsGreaterThan(0, Figure(text, "startup-ms framework-dependent"), text);
        Assert.IsGreaterThan(0, Figure(text, "published-mb linux-x64"), text);
        Assert.IsGreaterThan(0, Figure(text, "ratio startup/framework-dependent"), text);
    }

    [TestMethod]
    public async Task PipelineShortRun_ChecksEveryUploadAndComparesTheWrites()
    {
        var output = new StringWriter(CultureInfo.InvariantCulture);

        var exit = await BenchmarkCommand.RunAsync(["--pipeline", "--filings", "6", "--rows", "300"], output, CancellationToken.None);

        var text = output.ToString();
        Assert.AreEqual(0, exit, text);
        Assert.IsGreaterThan(0, Figure(text, "filings/s pipeline"), text);
        Assert.IsGreaterThan(0, Figure(text, "latency-ms p50"), text);
        Assert.IsGreaterThanOrEqualTo(Figure(text, "latency-ms p50"), Figure(text, "latency-ms p95"), text);
        Assert.IsGreaterThan(0, Figure(text, "ratio batched/single-writes"), text);
    }

    [TestMethod]
    public async Task OverviewShortRun_ReadsAsManyEntitiesForAHundredTimesTheFindings()
    {
        var output = new StringWriter(CultureInfo.InvariantCulture);

        var exit = await BenchmarkCommand.RunAsync(["--overview", "6000"], output, CancellationToken.None);

        var text = output.ToString();
        Assert.AreEqual(0, exit, text);
        Assert.IsGreaterThan(0, Figure(text, "overview-ms 6000"), text);
        var (small, large) = (Figure(text, "entities-read 600"), Figure(text, "entities-read 6000"));
        Assert.IsGreaterThan(0, small, text);
        Assert.AreEqual(small, large, "ten times the findings in the same cells: the same counters read " + text);
    }

    [TestMethod]
    public async Task ScaleShortRun_ARegionsListReadsOnlyItsOwnKeyRange()
    {
        var output = new StringWriter(CultureInfo.InvariantCulture);

        var exit = await BenchmarkCommand.RunAsync(["--scale", "3000", "--recheck-filings", "40"], output, CancellationToken.None);

        var text = output.ToString();
        Assert.AreEqual(0, exit, text);
        foreach (var scope in new[] { "district", "city", "province" })
        {
            // What the list returns is everything inside the key range its query names: no entity read for nothing.
            Assert.AreEqual(1.0, Figure(text, $"entities-in-key-range/returned {scope}"), text);
        }

        Assert.IsGreaterThan(0, Figure(text, "digest-seconds 3000"), text);
        Assert.IsGreaterThan(0, Figure(text, "digest-peak-rss-mb 3000"), text);
        Assert.IsGreaterThan(0, Figure(text, "recheck filings/s 40"), text);
        StringAssert.Contains(text, "40 queued, 40 checked", "every stored filing re-checked under the lowered catalog");
    }

    [TestMethod]
    public async Task SystemicShortRun_PrintsMemoryEntitiesAndSeconds_ForOneCheck()
    {
        var output = new StringWriter(CultureInfo.InvariantCulture);

        var exit = await BenchmarkCommand.RunAsync(["--pipeline", "--systemic", "--rows", "20000"], output, CancellationToken.None);

        var text = output.ToString();
        Assert.AreEqual(0, exit, text);
        Assert.IsGreaterThan(0, Figure(text, "peak-rss-mb systemic-20000"), text);
        Assert.AreEqual(7, Figure(text, "entities-written systemic-20000"), "the finding in two tables, the verdict and its period entry, and its count (ledger, counter, enterprise row): " + text);
        Assert.IsGreaterThan(0, Figure(text, "seconds upload-to-verdict systemic-20000"), text);
        StringAssert.Contains(text, "1 check(s) of it");
    }

    [TestMethod]
    public async Task BadArguments_AreAUsageError()
    {
        var output = new StringWriter(CultureInfo.InvariantCulture);

        var exit = await BenchmarkCommand.RunAsync(["--rows", "many"], output, CancellationToken.None);

        Assert.AreEqual(64, exit);
        StringAssert.Contains(output.ToString(), "--rows: 'many' is not a positive whole number.");
    }

    /// <summary>The number on the line <c>{label}: {number}</c>; fails when the line is missing or not a number.</summary>
    private static double Figure(string output, string label)
    {
        var match = Regex.Match(output, $"^{Regex.Escape(label)}: ([0-9]+(?:\\.[0-9]+)?)\\r?$", RegexOptions.Multiline);
        Assert.IsTrue(match.Success, $"No line '{label}: <number>' in:\n{output}");
        return double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    }
}
