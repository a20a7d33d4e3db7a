namespace Compliance.Cli.Tests;

/// <summary>Runs the <c>compliance</c> and <c>compliance-stack</c> commands in-process, capturing what a terminal would show.</summary>
internal static class Cli
{
    public static string RepositoryRoot => Compliance.Testing.Repository.Root;

    public static string Samples => Path.Combine(RepositoryRoot, "seeds", "samples");

    public static Task<(int Exit, string Out, string Err)> RunAsync(params string[] args) => RunAsync(CliApp.RunAsync, args);

    public static Task<(int Exit, string Out, string Err)> RunStackAsync(params string[] args) => RunAsync(Stack.StackApp.RunAsync, args);

    private static async Task<(int Exit, string Out, string Err)> RunAsync(Func<string[], TextWriter, TextWriter, CancellationToken, Task<int>> app, string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await app(args, output, error, CancellationToken.None);
        return (exit, output.ToString(), error.ToString());
    }
}
