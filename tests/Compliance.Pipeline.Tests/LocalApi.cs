using Microsoft.Extensions.Hosting;
using Microsoft.Playwright;

namespace Compliance.Pipeline.Tests;

/// <summary>What the classes that test the local host over HTTP and in a browser share: stopping the host, the browser, its console.</summary>
internal static class LocalApi
{
    public const string Chromium = "/usr/bin/chromium";

    public static async Task StopAsync(IHost? host, HttpClient? http)
    {
        http?.Dispose();
        if (host is not null)
        {
            await host.StopAsync();
            host.Dispose();
        }
    }

    /// <summary>Debian's chromium, headless, with nothing of its own talking to the network.</summary>
    public static Task<IBrowser> LaunchAsync(IPlaywright playwright)
    {
        ArgumentNullException.ThrowIfNull(playwright);
        Assert.IsTrue(File.Exists(Chromium), $"the browser tests need Debian's chromium at {Chromium} (apt-get install chromium); .ci/run installs it");
        return playwright.Chromium.LaunchAsync(new() { ExecutablePath = Chromium, Headless = true, Args = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"] });
    }

    /// <summary>Collects the page's console errors and warnings (a CSP violation is one) and uncaught exceptions.</summary>
    public static List<string> WatchConsole(IPage page, List<string>? into = null, string prefix = "")
    {
        ArgumentNullException.ThrowIfNull(page);
        var problems = into ?? [];
        page.Console += (_, message) =>
        {
            if (message.Type is "error" or "warning")
            {
                problems.Add(prefix + message.Text);
            }
        };
        page.PageError += (_, error) => problems.Add(prefix + error);
        return problems;
    }
}
