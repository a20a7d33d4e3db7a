using System.Diagnostics;
using System.Reflection;

namespace Compliance.Infra.Tests;

/// <summary>The Bicep CLI restored from NuGet (Azure.Bicep.CommandLine.linux-x64), run as a process.</summary>
internal static class BicepCli
{
    public static string Executable { get; } = Locate();

    public static string RepositoryRoot => Compliance.Testing.Repository.Root;

    public static string Infra => Path.Combine(RepositoryRoot, "infra");

    public static (int ExitCode, string Output) Run(params string[] arguments)
    {
        var start = new ProcessStartInfo(Executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Infra,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // No telemetry and no update checks from a test run.
        start.Environment["BICEP_TELEMETRY_ENABLED"] = "false";
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {Executable}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, (stdout.Result + stderr).Trim());
    }

    /// <summary>Compiles <c>infra/main.bicep</c> to ARM JSON in a fresh folder and returns the file's path.</summary>
    public static string BuildMain()
    {
        var output = Directory.CreateTempSubdirectory("compliance-arm-").FullName;
        var (exit, text) = Run("build", Path.Combine(Infra, "main.bicep"), "--outdir", output);
        Assert.AreEqual(0, exit, text);
        return Path.Combine(output, "main.json");
    }

    private static string Locate()
    {
        var package = typeof(BicepCli).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "BicepPackage").Value;
        var path = Path.Combine(package ?? string.Empty, "tools", OperatingSystem.IsWindows() ? "bicep.exe" : "bicep");
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"The Bicep CLI is not where the Azure.Bicep.CommandLine.linux-x64 package puts it; run dotnet restore. Looked for {path}.");
        }

        // NuGet extracts without the execute bit for group and others; the CLI only needs it for the owner.
        if (!OperatingSystem.IsWindows() && !File.GetUnixFileMode(path).HasFlag(UnixFileMode.UserExecute))
        {
            File.SetUnixFileMode(path, File.GetUnixFileMode(path) | UnixFileMode.UserExecute);
        }

        return path;
    }
}
