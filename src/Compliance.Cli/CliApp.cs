using System.CommandLine;
using Compliance.Core.Policies;

namespace Compliance.Cli;

/// <summary>
/// The <c>compliance</c> command. Output goes to the writers given, so tests run it in-process exactly as
/// a user would from a shell.
/// </summary>
public static class CliApp
{
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        var catalogOption = new Option<FileInfo?>("--catalog")
        {
            Description = "Use this policy catalog (JSON) instead of the one built in. See seeds/policy-catalog.json for the format.",
            Recursive = true,
        };

        var root = new RootCommand(
            """
            ComplianceFunctions self-check: checks payroll and fee filings against the enterprise cost-reduction
            limits of 国发〔2016〕48号 (housing fund <= 12%, unemployment insurance 1-1.5% with the employee's share
            <= 0.5%, employer pension <= 20%, surcharge exemptions, abolished fees) before you upload them.
            """)
        {
            catalogOption,
            CheckCommand.Create(catalogOption, output, error),
            PoliciesCommand.Create(catalogOption, output, error),
            TemplateCommand.Create(catalogOption, output, error),
            LocalStackCommands.Serve(output, error),
            LocalStackCommands.Demo(catalogOption, output, error),
            LocalStackCommands.Digest(output, error),
            TokenCommand.Create(output, error),
            MigrateCommand.Create(output, error),
            MigrateCommand.CreateRecount(output, error),
            MigrateCommand.CreateKeys(output),
            RecheckCommand.Create(output, error),
        };

        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var problem in parse.Errors)
            {
                await error.WriteLineAsync(problem.Message);
            }

            await error.WriteLineAsync("Run 'compliance --help' for usage.");
            return ExitCodes.Usage;
        }

        try
        {
            // Ctrl+C and SIGTERM cancel the command; the local stack then needs a few seconds to stop its host
            // and let Azurite flush to disk, so the default two-second hard exit would orphan Azurite.
            return await parse.InvokeAsync(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = TimeSpan.FromSeconds(30) }, cancellationToken);
        }
        catch (PolicyCatalogException ex)
        {
            await error.WriteLineAsync($"The policy catalog cannot be used: {ex.Message}");
            return ExitCodes.Usage;
        }
        catch (Compliance.LocalStack.LocalStackException ex)
        {
            await error.WriteLineAsync($"The local stack cannot start: {ex.Message}");
            return ExitCodes.Unavailable;
        }
        catch (Microsoft.Extensions.Options.OptionsValidationException ex)
        {
            await error.WriteLineAsync($"The settings cannot be used: {string.Join(" ", ex.Failures)}");
            return ExitCodes.Config;
        }
        catch (OperationCanceledException)
        {
            await error.WriteLineAsync("Cancelled.");
            return ExitCodes.Cancelled;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A bug, not the user's input: say so plainly, without a stack trace in their face.
            await error.WriteLineAsync($"compliance failed unexpectedly ({ex.GetType().Name}: {ex.Message}). Please report this with the command you ran.");
            return ExitCodes.Internal;
        }
    }

    internal static PolicyCatalog LoadCatalog(FileInfo? path) =>
        path is null ? PolicyCatalog.LoadEmbedded() : PolicyCatalog.LoadFile(path.FullName);
}
