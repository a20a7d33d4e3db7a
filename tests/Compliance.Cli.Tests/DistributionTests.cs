using System.Diagnostics;
using System.Text;

namespace Compliance.Cli.Tests;

/// <summary>
/// The program an accountant downloads: the linux-x64 single file, published into a folder outside the
/// checkout and run from there, gives the same JSON reports as <c>dotnet run</c> on the samples and the
/// bad-input corpus, speaks Chinese where the system does, and stays under 40 MB; the Windows and macOS files
/// publish (they cannot run here); the .NET tool package installs and checks. Everything slow (publishing
/// three runtimes, packing, installing) happens once, before the tests read what it produced.
/// </summary>
[TestClass]
public sealed class DistributionTests
{
    private const long MaxBytes = 40L * 1024 * 1024;

    private static readonly string Project = Path.Combine(Cli.RepositoryRoot, "src", "Compliance.Cli");

    private static string outside = null!;

    private static Dictionary<string, Publish> published = null!;

    private static Run tool = null!;

    public TestContext TestContext { get; set; } = null!;

    private static string[] Samples => [.. Directory.GetFiles(Cli.Samples).Order(StringComparer.Ordinal)];

    private static string[] BadInputs => [.. Directory.GetFiles(Path.Combine(Cli.RepositoryRoot, "tests", "bad-inputs")).Where(f => Path.GetFileName(f) != "expected.json").Order(StringComparer.Ordinal)];

    private static string Linux => Path.Combine(outside, "linux-x64", "compliance");

    [ClassInitialize]
    public static void PublishEverything(TestContext context)
    {
        outside = Directory.CreateTempSubdirectory("compliance-dist-").FullName;

        // Its own build folders: the benchmark's smoke test publishes too, in another process at the same time.
        var artifacts = Path.Combine(outside, "artifacts");
        published = [];
        foreach (var rid in new[] { "linux-x64", "win-x64", "osx-arm64" })
        {
            var folder = Path.Combine(outside, rid);
            var run = Process("dotnet", Cli.RepositoryRoot, null, "publish", Project, $"-p:PublishProfile={rid}", "-o", folder, "--artifacts-path", artifacts, "-nodeReuse:false", "--disable-build-servers");
            published[rid] = new Publish(run, Path.Combine(folder, rid.StartsWith("win", StringComparison.Ordinal) ? "compliance.exe" : "compliance"));
            context.WriteLine($"{rid}: exit {run.Exit}, {(File.Exists(published[rid].File) ? new FileInfo(published[rid].File).Length : 0):N0} bytes");
        }

        var packages = Path.Combine(outside, "packages");
        var pack = Process("dotnet", Cli.RepositoryRoot, null, "pack", Project, "-c", "Release", "-o", packages, "--artifacts-path", artifacts, "-nodeReuse:false", "--disable-build-servers");
        var install = pack.Exit != 0 ? pack : Process("dotnet", outside, null, "tool", "install", "--tool-path", Path.Combine(outside, "tools"), "--add-source", packages, "ComplianceFunctions.SelfCheck");
        tool = install.Exit != 0 ? install : Process(Path.Combine(outside, "tools", "compliance"), outside, null, ["check", "--format", "json", .. Samples]);
    }

    [ClassCleanup]
    public static void RemoveEverything() => Directory.Delete(outside, recursive: true);

    [TestMethod]
    [DataRow("linux-x64")]
    [DataRow("win-x64")]
    [DataRow("osx-arm64")]
    public void SingleFile_Publishes_TrimmedWithoutWarnings_AndUnder40MB(string rid)
    {
        var publish = published[rid];

        Assert.AreEqual(0, publish.Run.Exit, publish.Run.Output);
        Assert.DoesNotContain("warning", publish.Run.Output, "no trim (IL2xxx) or other warnings");
        Assert.IsTrue(File.Exists(publish.File), publish.File);
        Assert.HasCount(1, Directory.GetFiles(Path.GetDirectoryName(publish.File)!), "one file, nothing beside it");
        Assert.IsLessThan(MaxBytes, new FileInfo(publish.File).Length);
    }

    [TestMethod]
    public void PublishedFile_RunFromOutsideTheCheckout_GivesTheSameReportsAsDotnetRun()
    {
        foreach (var files in new[] { Samples, BadInputs })
        {
            var single = Process(Linux, outside, null, ["check", "--format", "json", .. files]);
            var dotnetRun = DotnetRun(["check", "--format", "json", .. files]);

            Assert.AreEqual(dotnetRun.Exit, single.Exit, single.Error);
            Assert.IsGreaterThan(1000, dotnetRun.Output.Length, dotnetRun.Error);
            Assert.AreEqual(dotnetRun.Output, single.Output);
        }
    }

    [TestMethod]
    public void PublishedFile_WritesTheWorkbookAndThePage()
    {
        var workbook = Path.Combine(outside, "report.xlsx");
        var page = Path.Combine(outside, "report.html");

        var xlsx = Process(Linux, outside, null, ["check", "--format", "xlsx", "-o", workbook, .. Samples]);
        var html = Process(Linux, outside, null, ["check", "--format", "html", "-o", page, "--lang", "zh", .. Samples]);

        Assert.AreEqual(ExitCodes.ViolationsFound, xlsx.Exit, xlsx.Error);
        Assert.AreEqual(ExitCodes.ViolationsFound, html.Exit, html.Error);
        Assert.HasCount(Samples.Length + 1, Compliance.Testing.XlsxRows.ReadSheets(workbook));
        StringAssert.Contains(File.ReadAllText(page), "住房公积金缴存比例不得超过12%");
    }

    [TestMethod]
    public void PublishedFile_SpeaksChinese_WhereTheSystemIsChinese_AndEnglishWithLangEn()
    {
        var gbk = Path.Combine(Cli.Samples, "payroll-2016-06-jingyang-gbk.csv");
        var chinese = new Dictionary<string, string?> { ["LANG"] = "zh_CN.UTF-8", ["LC_ALL"] = null, ["LC_MESSAGES"] = null };
        var english = new Dictionary<string, string?> { ["LANG"] = "en_US.UTF-8", ["LC_ALL"] = null, ["LC_MESSAGES"] = null };

        var zh = Process(Linux, outside, chinese, "check", gbk);
        var en = Process(Linux, outside, chinese, "check", "--lang", "en", gbk);
        var system = Process(Linux, outside, english, "check", gbk);

        Assert.AreEqual(ExitCodes.ViolationsFound, zh.Exit, zh.Error);
        StringAssert.Contains(zh.Output, "类型：社保公积金缴费明细");
        StringAssert.Contains(zh.Output, "依据");
        StringAssert.Contains(zh.Output, "有违规，请改正后再上传");
        StringAssert.Contains(en.Output, "kind: payroll");
        StringAssert.Contains(en.Output, "violations found");
        Assert.DoesNotContain("依据", en.Output);
        StringAssert.Contains(system.Output, "violations found");
    }

    [TestMethod]
    public void ToolPackage_InstallsFromAFolder_AndChecksAsDotnetRunDoes()
    {
        var dotnetRun = DotnetRun(["check", "--format", "json", .. Samples]);

        Assert.AreEqual(dotnetRun.Exit, tool.Exit, tool.Output + tool.Error);
        Assert.AreEqual(dotnetRun.Output, tool.Output);
    }

    /// <summary><c>dotnet run</c> of the command as built for these tests (no build: the test run built it).</summary>
    private static Run DotnetRun(string[] args)
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name; // bin/{Configuration}/net10.0/
        return Process("dotnet", outside, null, ["run", "--no-build", "-c", configuration, "--project", Project, "--", .. args]);
    }

    private static Run Process(string file, string directory, IReadOnlyDictionary<string, string?>? environment, params string[] args)
    {
        var start = new ProcessStartInfo(file)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            start.Environment[name] = value;
        }

        using var process = System.Diagnostics.Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return new Run(process.ExitCode, output, error.Result);
    }

    private sealed record Run(int Exit, string Output, string Error);

    private sealed record Publish(Run Run, string File);
}
