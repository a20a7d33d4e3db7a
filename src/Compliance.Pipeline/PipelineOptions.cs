namespace Compliance.Pipeline;

/// <summary>Choices for the checking pipeline, bound from the <c>Compliance</c> section.</summary>
public sealed class PipelineOptions
{
    public const string Section = "Compliance";

    /// <summary>A policy catalog file to use instead of the one embedded in Compliance.Core.</summary>
    public string? CatalogPath { get; set; }

    /// <summary>How long after upload a filing may go without a verdict before the reconciler processes it.</summary>
    public TimeSpan ReconcileGrace { get; set; } = TimeSpan.FromMinutes(10);
}
