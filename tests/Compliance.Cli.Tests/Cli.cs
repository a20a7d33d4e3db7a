using System.Globalization;

namespace Compliance.Cli.Tests;

/// <summary>Runs the <c>compliance</c> and <c>compliance-stack</c> commands in-process, capturing what a terminal would show.</summary>
internal static class Cli
{
    public static string RepositoryRoot => Compliance.Testing.Repository.Root;

    public static string Samples => Path.Combine(RepositoryRoot, "seeds", "samples");

    public static Task<(int Exit, string Out, string Err)> RunAsync(params string[] args) => RunAsync(CliApp.RunAsync, CultureInfo.InvariantCulture, args);

    /// <summary>Runs <c>compliance</c> as on a system whose language is <paramref name="system"/> (Windows' display language, LANG).</summary>
    public static Task<(int Exit, string Out, string Err)> RunOnSystemAsync(string system, params string[] args) => RunAsync(CliApp.RunAsync, CultureInfo.GetCultureInfo(system), args);

    public static Task<(int Exit, string Out, string Err)> RunStackAsync(params string[] args) => RunAsync(Stack.StackApp.RunAsync, CultureInfo.InvariantCulture, args);

    /// <summary>
    /// Runs as on a system whose language is <paramref name="system"/> — English for <see cref="RunAsync(string[])"/>,
    /// whatever the machine's (LANG=zh_CN, Chinese Windows) — so that what a test expects does not depend on where
    /// it runs. A test of the Chinese says <c>--lang zh</c>, or names the system's language.
    /// </summary>
    private static async Task<(int Exit, string Out, string Err)> RunAsync(Func<string[], TextWriter, TextWriter, CancellationToken, Task<int>> app, CultureInfo system, string[] args)
    {
        var culture = CultureInfo.CurrentUICulture;
        CultureInfo.CurrentUICulture = system;
        try
        {
            using var output = new StringWriter();
            using var error = new StringWriter();
            var exit = await app(args, output, error, CancellationToken.None);
            return (exit, output.ToString(), error.ToString());
        }
        finally
        {
            CultureInfo.CurrentUICulture = culture;
        }
    }
}
