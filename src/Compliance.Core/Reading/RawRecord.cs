using Compliance.Core.Filings;

namespace Compliance.Core.Reading;

/// <summary>
/// One record as read from the file: text per schema column (null where the file has no such column or
/// the cell is empty), before any typing. Reused between rows by the readers to keep memory flat.
/// </summary>
public sealed class RawRecord
{
    public RawRecord(FilingSchema schema)
    {
        Schema = schema;
        Cells = new string?[schema.Columns.Count];
    }

    public FilingSchema Schema { get; }

    /// <summary>The row number the user sees: CSV line, sheet row, or 1-based index in JSON <c>rows</c>.</summary>
    public int Row { get; set; }

    public string?[] Cells { get; }

    public void Clear() => Array.Clear(Cells);
}

/// <summary>A non-fatal remark about the file or a row: an ignored column, a declared rate that does not match the amount.</summary>
public sealed record FilingWarning(string Code, int? Row, string Message, string? Column = null);

/// <summary>A row whose data cannot be read as the contract says: names the row and column and what to fix.</summary>
public sealed record RowError(int Row, string? Column, string Message);
