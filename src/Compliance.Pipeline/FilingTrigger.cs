namespace Compliance.Pipeline;

/// <summary>
/// The blob trigger's binding, shared by the Functions app and the local host so the two cannot drift
/// apart (a test reads the built app's functions.metadata and compares).
/// </summary>
public static class FilingTrigger
{
    /// <summary>Container <c>filings</c>; the first folder is the submitting enterprise's USCC.</summary>
    public const string Path = "filings/{uscc}/{name}";

    /// <summary>The app setting holding the storage connection (see <c>StorageConnection.Name</c>).</summary>
    public const string Connection = "FilingsStorage";

    public const string FunctionName = "CheckFiling";
}
