using System.CommandLine;
using System.Globalization;
using Compliance.Core.Policies;
using Compliance.Core.Texts;

namespace Compliance.Cli;

/// <summary>
/// The <c>compliance</c> command: the self-check an accountant installs (check, policies, template), on the
/// checker alone. Output goes to the writers given, so tests run it in-process exactly as a user would from a
/// shell. The commands that run or maintain the cloud stack are <c>compliance-stack</c> (src/Compliance.Stack).
/// </summary>
public static class CliApp
{
    public static Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        var catalogOption = CatalogOption();
        var languageOption = new Option<string?>("--lang")
        {
            Description = "zh (中文) or en: the language of the table, the workbook and the page. The default follows the system's language (LANG on Linux and macOS, the display language on Windows).",
            Recursive = true,
        };
        languageOption.AcceptOnlyFromAmong("zh", "en", "zh-CN");
        var root = new RootCommand(
            """
            ComplianceFunctions self-check: checks payroll and fee filings against the enterprise cost-reduction
            limits of 国发〔2016〕48号 (housing fund <= 12%, unemployment insurance 1-1.5% with the employee's share
            <= 0.5%, employer pension <= 20%, surcharge exemptions, abolished fees) before you upload them.
            """)
        {
            catalogOption,
            languageOption,
            CheckCommand.Create(catalogOption, languageOption, output, error),
            PoliciesCommand.Create(catalogOption, output, error),
            TemplateCommand.Create(catalogOption, output, error),
        };

        return InvokeAsync(root, "compliance", args, output, error, static _ => null, cancellationToken);
    }

    /// <summary>The <c>--catalog</c> option every command that checks or lists rules takes.</summary>
    public static Option<FileInfo?> CatalogOption() => new("--catalog")
    {
        Description = "Use this policy catalog (JSON) instead of the one built in. See seeds/policy-catalog.json for the format.",
        Recursive = true,
    };

    /// <summary>
    /// Parses and runs <paramref name="root"/>, turning a usage error, a bad catalog, Ctrl+C or a defect into a
    /// one-line message and the contract's exit code; <paramref name="explain"/> names the failures a host
    /// command adds (a message and exit code, or null for "not mine").
    /// </summary>
    public static async Task<int> InvokeAsync(RootCommand root, string name, string[] args, TextWriter output, TextWriter error, Func<Exception, (int Exit, string Message)?> explain, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(error);
        ArgumentNullException.ThrowIfNull(explain);
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var problem in parse.Errors)
            {
                await error.WriteLineAsync(problem.Message);
            }

            await error.WriteLineAsync($"Run '{name} --help' for usage.");
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
        catch (OperationCanceledException)
        {
            await error.WriteLineAsync("Cancelled.");
            return ExitCodes.Cancelled;
        }
        catch (Exception ex) when (explain(ex) is { } known)
        {
            await error.WriteLineAsync(known.Message);
            return known.Exit;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A bug, not the user's input: say so plainly, without a stack trace in their face.
            await error.WriteLineAsync($"{name} failed unexpectedly ({ex.GetType().Name}: {ex.Message}). Please report this with the command you ran.");
            return ExitCodes.Internal;
        }
    }

    /// <summary>The culture a command speaks: the one <c>--lang</c> names, else the user's (<see cref="CultureInfo.CurrentUICulture"/>).</summary>
    public static CultureInfo Language(string? lang) => lang switch
    {
        "zh" or "zh-CN" => Languages.Chinese,
        "en" => Languages.English,
        _ => CultureInfo.CurrentUICulture,
    };

    public static PolicyCatalog LoadCatalog(FileInfo? path) =>
        path is null ? PolicyCatalog.LoadEmbedded() : PolicyCatalog.LoadFile(path.FullName);
}
