namespace Compliance.Pipeline;

/// <summary>Choices for the checking pipeline, bound from the <c>Compliance</c> section.</summary>
public sealed class PipelineOptions
{
    public const string Section = "Compliance";

    /// <summary>A policy catalog file to use instead of the one embedded in Compliance.Core.</summary>
    public string? CatalogPath { get; set; }

    /// <summary>How long after upload a filing may go without a verdict before the reconciler processes it.</summary>
    public TimeSpan ReconcileGrace { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// How long a claim on a version being checked holds without renewal (the run renews it every third of this).
    /// A host that dies mid-check keeps others off the version this long at most; the reconciler then takes it.
    /// </summary>
    public TimeSpan ClaimLifetime { get; set; } = TimeSpan.FromMinutes(2);
}
