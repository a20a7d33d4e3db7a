using System.Diagnostics;
using System.Globalization;

namespace Compliance.Benchmarks;

/// <summary>
/// Runs a command as a child process and reports its peak resident set (Linux <c>VmHWM</c>, the kernel's
/// own high-water mark, polled until the process exits). Null where /proc is not available.
/// </summary>
public static class PeakMemory
{
    public static async Task<(int ExitCode, long? PeakBytes)> RunAsync(string fileName, IEnumerable<string> arguments, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {fileName}.");

        // The report goes nowhere, but it is written in full, as a user's redirect would get it.
        var drain = process.StandardOutput.BaseStream.CopyToAsync(Stream.Null, cancellationToken);
        var errors = process.StandardError.ReadToEndAsync(cancellationToken);
        long? peak = null;
        var status = $"/proc/{process.Id}/status";
        while (!process.HasExited)
        {
            if (ReadHighWaterMark(status) is { } now)
            {
                peak = Math.Max(peak ?? 0, now);
            }

            await Task.Delay(5, cancellationToken);
        }

        await process.WaitForExitAsync(cancellationToken);
        await drain;
        var stderr = await errors;
        if (process.ExitCode is not (0 or 1))
        {
            throw new InvalidOperationException($"{fileName} exited with {process.ExitCode}: {stderr}");
        }

        return (process.ExitCode, peak);
    }

    private static long? ReadHighWaterMark(string statusPath)
    {
        try
        {
            foreach (var line in File.ReadLines(statusPath))
            {
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                {
                    var kb = line["VmHWM:".Length..].Trim().Split(' ')[0];
                    return long.Parse(kb, CultureInfo.InvariantCulture) * 1024;
                }
            }
        }
        catch (IOException)
        {
            // The process ended between the check and the read.
        }
        catch (UnauthorizedAccessException)
        {
        }

        return null;
    }
}
