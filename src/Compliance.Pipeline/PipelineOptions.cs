namespace Compliance.Pipeline;

/// <summary>Choices for the checking pipeline, bound from the <c>Compliance</c> section.</summary>
public sealed class PipelineOptions
{
    public const string Section = "Compliance";

    /// <summary>A policy catalog file to use instead of the one embedded in Compliance.Core.</summary>
    public string? CatalogPath { get; set; }
}
