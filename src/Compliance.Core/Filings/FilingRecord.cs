using Compliance.Core.Reading;

namespace Compliance.Core.Filings;

/// <summary>How often a fees filer declares; decides which exemption threshold applies.</summary>
public enum FilingFrequency
{
    Monthly,
    Quarterly,
}

/// <summary>
/// One row after typing: the common identifying fields, plus every other column's value by ordinal.
/// Numbers are <see cref="decimal"/>: rates in percent, amounts in yuan. Yes/no columns hold 1 or 0.
/// Reused between rows by the parser, like the <see cref="RawRecord"/> it was read from.
/// </summary>
public sealed class FilingRecord
{
    // Each number with its double, side by side: the rules read both of a cell at once. Not Figure?: the JIT keeps a
    // nullable of a struct holding a decimal on the stack and copies it whole at every read, in every rule.
    private readonly Rules.Figure[] figures;
    private readonly string?[] texts;
    private readonly bool[] inRaw;
    private readonly ColumnDefinition? subject;
    private RawRecord? raw;

    public FilingRecord(FilingSchema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        Schema = schema;
        figures = new Rules.Figure[schema.Columns.Count];
        texts = new string?[schema.Columns.Count];
        inRaw = new bool[schema.Columns.Count];
        subject = schema.Subject;
    }

    public FilingSchema Schema { get; }

    public int Row { get; internal set; }

    public string Uscc { get; internal set; } = string.Empty;

    public Period Period { get; internal set; }

    public string Region { get; internal set; } = string.Empty;

    public FilingFrequency Frequency { get; internal set; }

    /// <summary>What the row is about, for reports: the employee, the fee item, the case, the province (<see cref="FilingSchema.Subject"/>).</summary>
    public string? Subject => subject is null ? null : subject.Type == ColumnType.Region ? Region : Text(subject);

    /// <summary>The subject without making a string of it (empty when the row has none).</summary>
    internal ReadOnlySpan<char> SubjectSpan =>
        subject is null ? default : subject.Type == ColumnType.Region ? Region : inRaw[subject.Ordinal] ? raw!.Cell(subject.Ordinal) : texts[subject.Ordinal];

    public decimal? Number(ColumnDefinition column) => figures[column.Ordinal] is { Given: true } figure ? figure.Exact : null;

    /// <summary>The number with its double, for comparisons that settle the clear cases first; not <see cref="Rules.Figure.Given"/> where the cell is empty or the schema has no such column.</summary>
    internal ref readonly Rules.Figure Figure(ColumnDefinition? column) => ref column is null ? ref Rules.Figure.None : ref figures[column.Ordinal];

    public string? Text(ColumnDefinition column)
    {
        var ordinal = column.Ordinal;
        if (inRaw[ordinal])
        {
            texts[ordinal] = raw!.CellText(ordinal);
            inRaw[ordinal] = false;
        }

        return texts[ordinal];
    }

    internal void SetNumber(ColumnDefinition column, decimal value, double approximate)
    {
        figures[column.Ordinal] = new Rules.Figure(value, approximate);
    }

    internal void SetText(ColumnDefinition column, string? value) => texts[column.Ordinal] = value;

    /// <summary>A text cell that needs no normalising: kept in the raw record and made a string only if asked for.</summary>
    internal void SetTextFromRaw(ColumnDefinition column, RawRecord source)
    {
        inRaw[column.Ordinal] = true;
        raw = source;
    }

    internal void Clear()
    {
        Array.Clear(figures);
        Array.Clear(texts);
        Array.Clear(inRaw);
    }
}
