using Compliance.Core.Filings;
using Compliance.Core.Texts;

namespace Compliance.Core.Reading;

/// <summary>
/// One record as read from the file: text per schema column, before any typing. The cells live in one
/// reused character buffer, so reading a row allocates nothing; the parser types numbers straight from the
/// spans and only text columns ever become strings. Reused between rows by the readers: consume it first.
/// </summary>
public sealed class RawRecord
{
    private readonly int[] starts;
    private readonly int[] lengths;
    private char[] buffer;
    private int used;

    /// <param name="capacity">Characters the record holds before it grows: small for the many copies a batch keeps.</param>
    public RawRecord(FilingSchema schema, int capacity = 512)
    {
        ArgumentNullException.ThrowIfNull(schema);
        Schema = schema;
        buffer = new char[capacity];
        starts = new int[schema.Columns.Count];
        lengths = new int[schema.Columns.Count];
    }

    public FilingSchema Schema { get; }

    /// <summary>The row number the user sees: CSV line, sheet row, or 1-based index in JSON <c>rows</c>.</summary>
    public int Row { get; set; }

    /// <summary>The cell's text as read; empty where the file has no such column or the cell is empty.</summary>
    public ReadOnlySpan<char> Cell(int ordinal) => buffer.AsSpan(starts[ordinal], lengths[ordinal]);

    /// <summary>The cell as a string, or null when it is empty; for messages and the rare non-numeric paths.</summary>
    public string? CellText(int ordinal) => lengths[ordinal] == 0 ? null : new string(Cell(ordinal));

    public void Set(int ordinal, ReadOnlySpan<char> text)
    {
        text.CopyTo(Reserve(text.Length));
        Commit(ordinal, text.Length);
    }

    public void Set(int ordinal, string? text) => Set(ordinal, text.AsSpan());

    /// <summary>Space for a cell of at most <paramref name="maxLength"/> characters; <see cref="Commit"/> says how many were written.</summary>
    internal Span<char> Reserve(int maxLength)
    {
        if (buffer.Length - used < maxLength)
        {
            Array.Resize(ref buffer, Math.Max(buffer.Length * 2, used + maxLength));
        }

        return buffer.AsSpan(used, maxLength);
    }

    /// <summary>Copies a whole line once; its fields are then <see cref="SetSlice"/>s of it rather than one copy each.</summary>
    internal int AppendLine(ReadOnlySpan<char> line)
    {
        line.CopyTo(Reserve(line.Length));
        return CommitLine(line.Length);
    }

    /// <summary>Keeps the <paramref name="length"/> characters written where <see cref="Reserve"/> pointed as a line, and says where it starts.</summary>
    internal int CommitLine(int length)
    {
        var start = used;
        used += length;
        return start;
    }

    internal void SetSlice(int ordinal, int start, int length)
    {
        starts[ordinal] = start;
        lengths[ordinal] = length;
    }

    internal void Commit(int ordinal, int length)
    {
        starts[ordinal] = used;
        lengths[ordinal] = length;
        used += length;
    }

    public void Clear()
    {
        lengths.AsSpan().Clear();
        used = 0;
    }

    /// <summary>Makes this record a copy of <paramref name="other"/> (of the same schema), so the reader can move on while it is typed elsewhere.</summary>
    internal void CopyFrom(RawRecord other)
    {
        if (buffer.Length < other.used)
        {
            buffer = new char[Math.Max(buffer.Length * 2, other.used)];
        }

        other.buffer.AsSpan(0, other.used).CopyTo(buffer);
        other.starts.AsSpan().CopyTo(starts);
        other.lengths.AsSpan().CopyTo(lengths);
        used = other.used;
        Row = other.Row;
    }
}

/// <summary>A non-fatal remark about the file or a row: an ignored column, a declared rate that does not match the amount.</summary>
public sealed record FilingWarning(string Code, int? Row, UserMessage Text, string? Column = null)
{
    /// <summary>The English text, as the report's contract carries it; <see cref="Text"/> reads in either language.</summary>
    public string Message => Text.ToString();
}

/// <summary>A row whose data cannot be read as the contract says: names the row and column and what to fix.</summary>
/// <param name="Text">The whole sentence ("Row 7, column …: …") in either language; <see cref="Message"/> is its English.</param>
public sealed record RowError(int Row, string? Column, UserMessage Text)
{
    public string Message => Text.ToString();
}
