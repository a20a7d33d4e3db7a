using System.CommandLine;
using Compliance.Cli;
using Compliance.LocalStack;
using Microsoft.Extensions.Options;

namespace Compliance.Stack;

/// <summary>
/// The <c>compliance-stack</c> command: runs the cloud pipeline on this machine and maintains a storage account.
/// Output goes to the writers given, so tests run it in-process as from a shell.
/// </summary>
public static class StackApp
{
    public static Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        var catalogOption = CliApp.CatalogOption();
        var root = new RootCommand(
            """
            ComplianceFunctions for developers and operators: the cloud pipeline on this machine (serve, demo), the
            monthly digest, review API tokens, re-checks and storage migrations. The self-check for enterprises is
            the separate 'compliance' command.
            """)
        {
            catalogOption,
            LocalStackCommands.Serve(output, error),
            LocalStackCommands.Demo(catalogOption, output, error),
            LocalStackCommands.Digest(output, error),
            TokenCommand.Create(output, error),
            MigrateCommand.Create(output, error),
            MigrateCommand.CreateRecount(output, error),
            MigrateCommand.CreateKeys(output),
            RecheckCommand.Create(output, error),
        };

        return CliApp.InvokeAsync(root, "compliance-stack", args, output, error, Explain, cancellationToken);
    }

    private static (int, string)? Explain(Exception ex) => ex switch
    {
        LocalStackException e => (ExitCodes.Unavailable, $"The local stack cannot start: {e.Message}"),
        OptionsValidationException e => (ExitCodes.Config, $"The settings cannot be used: {string.Join(" ", e.Failures)}"),
        _ => null,
    };
}
