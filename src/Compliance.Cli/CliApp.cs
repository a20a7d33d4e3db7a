using System.CommandLine;
using System.CommandLine.Help;
using System.Globalization;
using Compliance.Cli.Texts;
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
        ArgumentNullException.ThrowIfNull(args);

        // The help is written before anything is parsed, so the language it speaks is looked up in the arguments.
        var language = Languages.Of(Language(LanguageArgument(args)));
        var catalogOption = CatalogOption(language);
        var languageOption = new Option<string?>("--lang")
        {
            Description = CliText.Lang.Text(language),
            Recursive = true,
        };
        languageOption.AcceptOnlyFromAmong(LanguageNames);
        var root = new RootCommand(CliText.Root.Text(language))
        {
            catalogOption,
            languageOption,
            CheckCommand.Create(catalogOption, language, output, error),
            PoliciesCommand.Create(catalogOption, language, output, error),
            TemplateCommand.Create(catalogOption, language, output, error),
        };

        // The parser's zh-Hans resources leave its own two options in English.
        foreach (var option in root.Options)
        {
            option.Description = option switch
            {
                HelpOption => CliText.HelpOption.Text(language),
                VersionOption => CliText.VersionOption.Text(language),
                _ => option.Description,
            };
        }

        return InvokeAsync(root, "compliance", args, output, error, static _ => null, cancellationToken, language);
    }

    /// <summary>What <c>--lang</c> accepts.</summary>
    private static readonly string[] LanguageNames = ["zh", "en", "zh-CN"];

    /// <summary>The value of <c>--lang</c> among <paramref name="args"/> (<c>--lang zh</c>, <c>--lang=zh</c>, <c>--lang:zh</c>) when it is one the option accepts.</summary>
    internal static string? LanguageArgument(IReadOnlyList<string> args)
    {
        for (var i = 0; i < args.Count; i++)
        {
            var value = args[i] == "--lang" && i + 1 < args.Count ? args[i + 1]
                : args[i].StartsWith("--lang=", StringComparison.Ordinal) || args[i].StartsWith("--lang:", StringComparison.Ordinal) ? args[i][7..]
                : null;
            if (value is not null && LanguageNames.Contains(value, StringComparer.Ordinal))
            {
                return value;
            }
        }

        return null;
    }

    /// <summary>The <c>--catalog</c> option every command that checks or lists rules takes, described in <paramref name="language"/> (English by default).</summary>
    public static Option<FileInfo?> CatalogOption(CultureInfo? language = null) => new("--catalog")
    {
        Description = CliText.Catalog.Text(language ?? Languages.English),
        Recursive = true,
    };

    /// <summary>
    /// Parses and runs <paramref name="root"/>, turning a usage error, a bad catalog, Ctrl+C or a defect into a
    /// one-line message and the contract's exit code; <paramref name="explain"/> names the failures a host
    /// command adds (a message and exit code, or null for "not mine"). With <paramref name="language"/>, the
    /// parser's own words and the usage hint are in it; without, in English and the UI culture left as it is.
    /// </summary>
    public static async Task<int> InvokeAsync(RootCommand root, string name, string[] args, TextWriter output, TextWriter error, Func<Exception, (int Exit, string Message)?> explain, CancellationToken cancellationToken, CultureInfo? language = null)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(error);
        ArgumentNullException.ThrowIfNull(explain);

        if (language is null)
        {
            return await InvokeAsync(root, name, args, output, error, explain, Languages.English, cancellationToken);
        }

        // System.CommandLine words its help ("Usage:", "Options:") and parse errors in the UI culture, from its
        // own zh-Hans and other satellites: held to the command's language, they agree with its descriptions.
        var culture = CultureInfo.CurrentUICulture;
        CultureInfo.CurrentUICulture = language;
        try
        {
            return await InvokeAsync(root, name, args, output, error, explain, language, cancellationToken);
        }
        finally
        {
            CultureInfo.CurrentUICulture = culture;
        }
    }

    private static async Task<int> InvokeAsync(RootCommand root, string name, string[] args, TextWriter output, TextWriter error, Func<Exception, (int Exit, string Message)?> explain, CultureInfo language, CancellationToken cancellationToken)
    {
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var problem in parse.Errors)
            {
                await error.WriteLineAsync(problem.Message);
            }

            await error.WriteLineAsync(CliText.UsageHint.Text(language, name));
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
            await error.WriteLineAsync(CliText.CatalogUnusable.Text(language, ex.Message));
            return ExitCodes.Usage;
        }
        catch (OperationCanceledException)
        {
            await error.WriteLineAsync(CliText.Cancelled.Text(language));
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
            await error.WriteLineAsync(CliText.Unexpected.Text(language, name, ex.GetType().Name, ex.Message));
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
