using Compliance.Storage;

namespace Compliance.Pipeline.Rechecks;

/// <summary>
/// The re-check's two queue triggers, shared by the Functions app and the local host so the two cannot drift apart
/// (a test reads the built app's functions.metadata and compares).
/// </summary>
public static class RecheckTriggers
{
    /// <summary>Lists a page of a month's filings onto <see cref="RecheckQueues.Filings"/>.</summary>
    public const string PlanFunctionName = "PlanRecheck";

    /// <summary>Re-checks one filing.</summary>
    public const string FilingFunctionName = "RecheckFiling";

    public const string PlanQueue = RecheckQueues.Plans;

    public const string FilingQueue = RecheckQueues.Filings;

    /// <summary>The same storage account as the filings (the <c>FilingsStorage</c> setting).</summary>
    public const string Connection = FilingTrigger.Connection;
}
