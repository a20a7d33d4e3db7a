namespace Compliance.Pipeline;

/// <summary>What processing one trigger did.</summary>
public enum ProcessOutcome
{
    /// <summary>Checked; violations (if any) stored.</summary>
    Checked,

    /// <summary>Not a readable filing; the reason is stored, earlier findings are kept.</summary>
    Rejected,

    /// <summary>This blob version was already fully processed (an at-least-once redelivery); nothing written.</summary>
    AlreadyProcessed,

    /// <summary>The blob was deleted or replaced before it could be read; the newer version has its own trigger.</summary>
    Gone,

    /// <summary>Another run is checking this version (its claim holds); nothing done here.</summary>
    Claimed,
}
