namespace Compliance.Core.Reading;

/// <summary>Bounds that keep one hostile or broken file from taking the process's memory.</summary>
public sealed record ReaderLimits
{
    /// <summary>Largest single record (a CSV line with its quoted continuation, a JSON row object), in bytes.</summary>
    public int MaxRecordBytes { get; init; } = 1 << 20;

    /// <summary>
    /// Largest filing accepted, in bytes: 2 GiB, about 28 million payroll rows as CSV — twice the 1 GB file
    /// the benchmarks check (docs/benchmarks.md), which streams through one check in about 10 seconds.
    /// </summary>
    public long MaxFileBytes { get; init; } = 2L << 30;

    /// <summary>
    /// Largest total an XLSX may expand to (the sizes its zip directory declares), in bytes: 4 GiB, about
    /// 7 million rows of sheet XML. A workbook that claims more is refused before any part is inflated.
    /// </summary>
    public long MaxXlsxExpandedBytes { get; init; } = 4L << 30;

    /// <summary>
    /// Characters of an XLSX's shared-string table kept in memory (32 MB); the rest is read from a temporary
    /// file. Excel keeps every distinct text there, so a sheet of a million distinct IDs has a million entries.
    /// </summary>
    public long MaxSharedStringChars { get; init; } = 16L << 20;

    /// <summary>How many bytes are sniffed to choose the text encoding and spot binary content.</summary>
    public int SniffBytes { get; init; } = 64 * 1024;

    public static ReaderLimits Default { get; } = new();
}
