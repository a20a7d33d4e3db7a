using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using MimeKit;

namespace Compliance.Pipeline.Tests;

/// <summary>
/// A real SMTP server on loopback: Rnwood.Smtp4dev, the repository's dotnet tool (.config/dotnet-tools.json).
/// Mail sent to it is read back, as MIME, through its HTTP API.
/// </summary>
internal sealed class SmtpServer : IAsyncDisposable
{
    private readonly Process process;
    private readonly HttpClient http;

    private SmtpServer(Process process, int smtpPort, int httpPort)
    {
        this.process = process;
        SmtpPort = smtpPort;
        http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}/") };
    }

    public int SmtpPort { get; }

    public static async Task<SmtpServer> StartAsync(CancellationToken cancellationToken)
    {
        await RunAsync("tool restore", cancellationToken);
        int smtp = FreePort(), web = FreePort();
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Samples.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "tool", "run", "smtp4dev", "--", $"--smtpport={smtp}", $"--urls=http://127.0.0.1:{web}", "--db=", "--imapport=0", "--pop3port=0" })
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new SmtpServer(process, smtp, web);
        for (var i = 0; i < 600; i++)
        {
            try
            {
                using var response = await server.http.GetAsync(new Uri("api/messages", UriKind.Relative), cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    return server;
                }
            }
            catch (HttpRequestException)
            {
            }

            if (process.HasExited)
            {
                break;
            }

            await Task.Delay(100, cancellationToken);
        }

        await server.DisposeAsync();
        throw new InvalidOperationException("smtp4dev did not start.");
    }

    /// <summary>Every message received so far, parsed.</summary>
    public async Task<List<MimeMessage>> MessagesAsync()
    {
        using var list = JsonDocument.Parse(await http.GetStringAsync(new Uri("api/messages?pageSize=500", UriKind.Relative)));
        var messages = new List<MimeMessage>();
        foreach (var item in list.RootElement.GetProperty("results").EnumerateArray())
        {
            await using var source = await http.GetStreamAsync(new Uri($"api/messages/{item.GetProperty("id").GetString()}/raw", UriKind.Relative));
            messages.Add(await MimeMessage.LoadAsync(source));
        }

        return messages;
    }

    public async ValueTask DisposeAsync()
    {
        http.Dispose();
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        process.Dispose();
    }

    private static async Task RunAsync(string args, CancellationToken cancellationToken)
    {
        using var tool = Process.Start(new ProcessStartInfo("dotnet", args) { WorkingDirectory = Samples.Root, RedirectStandardOutput = true, RedirectStandardError = true })!;
        await tool.StandardOutput.ReadToEndAsync(cancellationToken);
        await tool.WaitForExitAsync(cancellationToken);
        if (tool.ExitCode != 0)
        {
            throw new InvalidOperationException($"dotnet {args} failed: {await tool.StandardError.ReadToEndAsync(cancellationToken)}");
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
