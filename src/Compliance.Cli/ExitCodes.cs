namespace Compliance.Cli;

/// <summary>The exit codes of the contract (§4), so scripts and CI can act on the outcome.</summary>
public static class ExitCodes
{
    public const int Clean = 0;
    public const int ViolationsFound = 1;
    public const int FileRejected = 2;

    /// <summary>EX_USAGE from sysexits.h.</summary>
    public const int Usage = 64;

    /// <summary>EX_UNAVAILABLE: a service the command needs (Node.js, Azurite, a port) is not available.</summary>
    public const int Unavailable = 69;

    /// <summary>EX_SOFTWARE: a defect in this program, never the input's fault.</summary>
    public const int Internal = 70;

    /// <summary>EX_CANTCREAT: the report file cannot be written (a missing folder, no permission, the file open in Excel).</summary>
    public const int CannotCreate = 73;

    /// <summary>EX_CONFIG: the settings (environment, settings files) are not valid; the message names the entry.</summary>
    public const int Config = 78;

    /// <summary>Interrupted with Ctrl+C, as shells report SIGINT.</summary>
    public const int Cancelled = 130;
}
