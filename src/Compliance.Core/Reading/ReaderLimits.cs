namespace Compliance.Core.Reading;

/// <summary>Bounds that keep one hostile or broken file from taking the process's memory.</summary>
public sealed record ReaderLimits
{
    /// <summary>Largest single record (a CSV line with its quoted continuation, a JSON row object), in bytes.</summary>
    public int MaxRecordBytes { get; init; } = 1 << 20;

    /// <summary>How many bytes are sniffed to choose the text encoding and spot binary content.</summary>
    public int SniffBytes { get; init; } = 64 * 1024;

    public static ReaderLimits Default { get; } = new();
}
