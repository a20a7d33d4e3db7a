using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Compliance.LocalStack;

/// <summary>The local stack cannot start: Node.js missing, a port taken, Azurite failing. The message says what to do.</summary>
public sealed class LocalStackException : Exception
{
    public LocalStackException(string message)
        : base(message)
    {
    }

    public LocalStackException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>How to run Azurite.</summary>
public sealed record AzuriteOptions
{
    /// <summary>Ports; 0 picks a free one (tests). The defaults are Azurite's, which Storage Explorer and the Azure CLI expect.</summary>
    public int BlobPort { get; init; } = 10000;

    public int QueuePort { get; init; } = 10001;

    public int TablePort { get; init; } = 10002;

    /// <summary>Keep data in memory only (tests, demos); otherwise under <see cref="Location"/>.</summary>
    public bool InMemory { get; init; } = true;

    public string? Location { get; init; }

    /// <summary>When an Azurite already listens on the ports, use it instead of failing.</summary>
    public bool ReuseRunning { get; init; } = true;

    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(60);
}

/// <summary>
/// Azurite from the repository's pinned npm dependency, started on loopback and stopped with this object.
/// Installs it (<c>npm ci</c>) when the checkout has not yet, so a fresh clone needs only Node.js.
/// </summary>
public sealed class Azurite : IAsyncDisposable
{
    /// <summary>Azurite's fixed development account (public, documented, not a secret).</summary>
    public const string AccountName = "devstoreaccount1";

    public const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private readonly Process? process;
    private readonly string? workspace;

    private Azurite(int blobPort, int queuePort, int tablePort, Process? process, string? workspace)
    {
        BlobPort = blobPort;
        QueuePort = queuePort;
        TablePort = tablePort;
        this.process = process;
        this.workspace = workspace;
    }

    public int BlobPort { get; }

    public int QueuePort { get; }

    public int TablePort { get; }

    /// <summary>The node process running Azurite; null when an already running one is reused.</summary>
    public int? ProcessId => process?.Id;

    /// <summary>False when an Azurite that was already running is being reused (and is left running).</summary>
    public bool Owned => process is not null;

    public string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName={AccountName};AccountKey={AccountKey};"
        + $"BlobEndpoint=http://127.0.0.1:{BlobPort}/{AccountName};QueueEndpoint=http://127.0.0.1:{QueuePort}/{AccountName};TableEndpoint=http://127.0.0.1:{TablePort}/{AccountName};";

    public static async Task<Azurite> StartAsync(AzuriteOptions options, ILogger logger, CancellationToken cancellationToken)
    {
        if (options.ReuseRunning && options.BlobPort != 0 && IsListening(options.BlobPort))
        {
            if (await IsAzuriteAsync(options.BlobPort, cancellationToken).ConfigureAwait(false) && IsListening(options.QueuePort) && IsListening(options.TablePort))
            {
                logger.LogInformation("Using the Azurite already listening on 127.0.0.1:{BlobPort}/{QueuePort}/{TablePort}", options.BlobPort, options.QueuePort, options.TablePort);
                return new Azurite(options.BlobPort, options.QueuePort, options.TablePort, null, null);
            }

            throw new LocalStackException($"Port {options.BlobPort} is in use by something that is not Azurite (or Azurite without its queue and table services). Stop it, or choose other ports.");
        }

        var root = RepositoryLayout.FindRoot();
        var script = await EnsureInstalledAsync(root, logger, cancellationToken).ConfigureAwait(false);
        int blob = Pick(options.BlobPort), queue = Pick(options.QueuePort), table = Pick(options.TablePort);
        var workspace = options.Location is { } location ? Directory.CreateDirectory(location).FullName : Directory.CreateTempSubdirectory("azurite-").FullName;
        var start = new ProcessStartInfo("node")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workspace,
        };
        foreach (var arg in new[]
        {
            script, "--blobHost", "127.0.0.1", "--blobPort", $"{blob}", "--queueHost", "127.0.0.1", "--queuePort", $"{queue}",
            "--tableHost", "127.0.0.1", "--tablePort", $"{table}", "--skipApiVersionCheck", "--loose", "--silent",
        })
        {
            start.ArgumentList.Add(arg);
        }

        // Azurite refuses --location together with in-memory persistence; the working directory catches
        // whatever it still writes (debug logs), and is removed on dispose.
        start.ArgumentList.Add(options.InMemory ? "--inMemoryPersistence" : "--location");
        if (!options.InMemory)
        {
            start.ArgumentList.Add(workspace);
        }

        var output = new StringBuilder();
        var process = Process.Start(start) ?? throw new LocalStackException("Could not start node for Azurite.");
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var azurite = new Azurite(blob, queue, table, process, options.Location is null ? workspace : null);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(options.StartTimeout);
            while (!(IsListening(blob) && IsListening(queue) && IsListening(table)))
            {
                if (process.HasExited)
                {
                    throw new LocalStackException($"Azurite exited with code {process.ExitCode} before it listened: {output}");
                }

                await Task.Delay(100, timeout.Token).ConfigureAwait(false);
            }
        }
        catch
        {
            await azurite.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        logger.LogInformation("Azurite started on 127.0.0.1: blob {BlobPort}, queue {QueuePort}, table {TablePort}", blob, queue, table);
        return azurite;
    }

    /// <summary>The path of azurite's entry script, installing the pinned version with <c>npm ci</c> if needed.</summary>
    public static async Task<string> EnsureInstalledAsync(string root, ILogger logger, CancellationToken cancellationToken)
    {
        var script = Path.Combine(root, "node_modules", "azurite", "dist", "src", "azurite.js");
        if (File.Exists(script))
        {
            return script;
        }

        // Several test processes may start at once on a fresh clone; one installs, the others wait.
        var lockPath = Path.Combine(root, "node_modules.install.lock");
        await using var installLock = await AcquireAsync(lockPath, cancellationToken).ConfigureAwait(false);
        if (File.Exists(script))
        {
            return script;
        }

        logger.LogInformation("Installing Azurite (npm ci) in {Root}", root);
        var npm = new ProcessStartInfo("npm") { WorkingDirectory = root, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { "ci", "--no-audit", "--no-fund", "--loglevel=error" })
        {
            npm.ArgumentList.Add(arg);
        }

        Process installer;
        try
        {
            installer = Process.Start(npm) ?? throw new LocalStackException("npm did not start.");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new LocalStackException("Azurite needs Node.js and npm on the PATH (https://nodejs.org); neither was found.", ex);
        }

        using (installer)
        {
            var stderr = installer.StandardError.ReadToEndAsync(cancellationToken);
            await installer.StandardOutput.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
            await installer.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            if (installer.ExitCode != 0 || !File.Exists(script))
            {
                throw new LocalStackException($"'npm ci' failed (exit {installer.ExitCode}): {await stderr.ConfigureAwait(false)}");
            }
        }

        return script;
    }

    public async ValueTask DisposeAsync()
    {
        if (process is not null)
        {
            if (!process.HasExited)
            {
                // Ask first: on disk, Azurite flushes its databases on SIGTERM; a kill would lose the last writes.
                if (!OperatingSystem.IsWindows() && NativeMethods.Kill(process.Id, NativeMethods.SigTerm) == 0)
                {
                    using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                    try
                    {
                        await process.WaitForExitAsync(grace.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        // Did not stop in time; kill below.
                    }
                }

                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                    await process.WaitForExitAsync().ConfigureAwait(false);
                }
            }

            process.Dispose();
        }

        if (workspace is not null)
        {
            try
            {
                Directory.Delete(workspace, recursive: true);
            }
            catch (IOException)
            {
                // A leftover temp folder is not worth failing shutdown for.
            }
        }
    }

    private static async Task<FileStream> AcquireAsync(string path, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
            }
            catch (IOException)
            {
                await Task.Delay(250, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            if (output.Length < 8192)
            {
                output.AppendLine(line);
            }
        }
    }

    private static int Pick(int port)
    {
        if (port != 0)
        {
            return port;
        }

        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static bool IsListening(int port)
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static async Task<bool> IsAzuriteAsync(int blobPort, CancellationToken cancellationToken)
    {
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{blobPort}/{AccountName}?comp=list"), cancellationToken).ConfigureAwait(false);
            return response.Headers.Server.ToString().Contains("Azurite", StringComparison.OrdinalIgnoreCase);
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }
}

/// <summary>POSIX signals, to stop Azurite gracefully.</summary>
internal static partial class NativeMethods
{
    public const int SigTerm = 15;

    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    public static partial int Kill(int pid, int signal);
}
