namespace Compliance.Core.Reading;

/// <summary>The file formats the contract accepts.</summary>
public enum FilingFormat
{
    Csv,
    Xlsx,
    Json,
}
