using System.Diagnostics;
using System.Text;
using Compliance.LocalStack;

namespace Compliance.Pipeline.Tests.Faults;

/// <summary>
/// <c>compliance-stack serve</c> as a separate process on an Azurite that is already running, so a test can kill
/// the host by its PID — mid-upload, mid-digest — and start another, as a crash and a restart would.
/// </summary>
internal sealed class ServeProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly StringBuilder output;

    private ServeProcess(Process process, StringBuilder output)
    {
        this.process = process;
        this.output = output;
    }

    public int Pid => process.Id;

    /// <summary>Everything the host printed so far.</summary>
    public string Output
    {
        get
        {
            lock (output)
            {
                return output.ToString();
            }
        }
    }

    /// <summary>Lines of the output that contain <paramref name="text"/>.</summary>
    public int Count(string text) => Output.Split('\n').Count(l => l.Contains(text, StringComparison.Ordinal));

    public static async Task<ServeProcess> StartAsync(Azurite azurite, IDictionary<string, string> environment, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Samples.Root,
        };
        foreach (var arg in new[] { CliPath(), "serve", "--blob-port", $"{azurite.BlobPort}", "--queue-port", $"{azurite.QueuePort}", "--table-port", $"{azurite.TablePort}", "--api-port", "0" })
        {
            start.ArgumentList.Add(arg);
        }

        // The host's settings come from the environment, as in Azure: nothing of the test's own configuration leaks in.
        start.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var output = new StringBuilder();
        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
        void Append(string? line)
        {
            if (line is not null)
            {
                lock (output)
                {
                    output.AppendLine(line);
                }
            }
        }

        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var serve = new ServeProcess(process, output);
        var clock = Stopwatch.StartNew();
        while (!serve.Output.Contains("Local stack running.", StringComparison.Ordinal))
        {
            if (process.HasExited || clock.Elapsed > TimeSpan.FromMinutes(1))
            {
                await serve.DisposeAsync();
                throw new InvalidOperationException($"compliance-stack serve did not start:{Environment.NewLine}{serve.Output}");
            }

            await Task.Delay(100, cancellationToken);
        }

        return serve;
    }

    /// <summary>SIGKILL, as the OOM killer or a pulled plug would: no shutdown code runs.</summary>
    public async Task KillAsync()
    {
        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            await KillAsync();
        }

        process.Dispose();
    }

    /// <summary>The built CLI of the same configuration as these tests (the project reference builds it first).</summary>
    private static string CliPath()
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name; // bin/{Configuration}/net10.0/
        var path = Path.Combine(Samples.Root, "src", "Compliance.Stack", "bin", configuration, "net10.0", "compliance-stack.dll");
        return File.Exists(path) ? path : throw new FileNotFoundException("Build src/Compliance.Stack first (dotnet build).", path);
    }
}
