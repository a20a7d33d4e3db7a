using Spectre.Console;

namespace Compliance.Cli;

/// <summary>The console the commands draw on: colour and width when it is a terminal, plain text when piped.</summary>
public static class Terminal
{
    public static IAnsiConsole For(TextWriter output)
    {
        var terminal = output == System.Console.Out && !System.Console.IsOutputRedirected;
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });

        // Piped into a file or a pager there is no terminal width; 80 columns would fold every citation.
        if (!terminal)
        {
            console.Profile.Width = 160;
        }

        return console;
    }
}
