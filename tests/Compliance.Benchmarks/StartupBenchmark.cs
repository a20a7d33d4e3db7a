using System.Diagnostics;
using System.Globalization;
using Compliance.Testing;

namespace Compliance.Benchmarks;

/// <summary>
/// How long an accountant waits for <c>compliance check</c> on a one-row file: the linux-x64 single file as the
/// publish profile makes it (published here into a temporary folder), from process start to exit, several runs,
/// the median printed as <c>startup-ms</c>; beside it the same check run framework-dependent
/// (<c>dotnet compliance.dll</c>, no ReadyToRun) as the baseline of the same run. The publish builds in its own
/// folders (<c>--artifacts-path</c>), so it never shares intermediate files with a build running beside it.
/// </summary>
public static class StartupBenchmark
{
    public static async Task RunAsync(int runs, TextWriter output, CancellationToken cancellationToken)
    {
        var folder = Directory.CreateTempSubdirectory("compliance-startup-").FullName;
        try
        {
            var publish = await RunAsync("dotnet", folder, ["publish", Path.Combine(Repository.Root, "src", "Compliance.Cli"), "-p:PublishProfile=linux-x64", "-o", Path.Combine(folder, "linux-x64"), "--artifacts-path", Path.Combine(folder, "artifacts"), "-nodeReuse:false"], cancellationToken);
            if (publish.Exit != 0)
            {
                throw new InvalidOperationException($"dotnet publish failed ({publish.Exit}).");
            }

            var single = Path.Combine(folder, "linux-x64", "compliance");
            var file = Path.Combine(folder, "one-row.csv");
            await File.WriteAllTextAsync(file, "uscc,period,region,employee_id,wage_base,housing_fund_employer_rate\n91510100A4C12H3B1Y,2016-06,510100,E1,8000,12\n", cancellationToken);

            // One run each first, so the file cache holds both programs as it does for someone who checks twice.
            await RunAsync(single, folder, ["check", file], cancellationToken);
            var published = await MedianAsync(single, [], runs, cancellationToken);
            var frameworkDependent = await MedianAsync("dotnet", [Path.Combine(AppContext.BaseDirectory, "compliance.dll")], runs, cancellationToken);

            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"published-mb linux-x64: {new FileInfo(single).Length / 1024.0 / 1024.0:0.0}"));
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"startup-ms: {published:0}"));
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"startup-ms framework-dependent: {frameworkDependent:0}"));
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"ratio startup/framework-dependent: {published / frameworkDependent:0.00}"));

            async Task<double> MedianAsync(string program, string[] prefix, int count, CancellationToken token)
            {
                var times = new List<double>();
                for (var i = 0; i < count; i++)
                {
                    var run = await RunAsync(program, folder, [.. prefix, "check", file], token);
                    if (run.Exit != 0)
                    {
                        throw new InvalidOperationException($"{program} check of a clean one-row file exited with {run.Exit}.");
                    }

                    times.Add(run.Elapsed.TotalMilliseconds);
                }

                times.Sort();
                return times[times.Count / 2];
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task<(int Exit, TimeSpan Elapsed)> RunAsync(string program, string directory, string[] args, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(program) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {program}.");
        var drain = Task.WhenAll(process.StandardOutput.BaseStream.CopyToAsync(Stream.Null, cancellationToken), process.StandardError.BaseStream.CopyToAsync(Stream.Null, cancellationToken));
        await process.WaitForExitAsync(cancellationToken);
        var elapsed = clock.Elapsed;
        await drain;
        return (process.ExitCode, elapsed);
    }
}
