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
/// </summary>
public sealed class FilingRecord
{
    private readonly decimal?[] numbers;
    private readonly string?[] texts;

    public FilingRecord(FilingSchema schema)
    {
        Schema = schema;
        numbers = new decimal?[schema.Columns.Count];
        texts = new string?[schema.Columns.Count];
    }

    public FilingSchema Schema { get; }

    public int Row { get; internal set; }

    public string Uscc { get; internal set; } = string.Empty;

    public Period Period { get; internal set; }

    public string Region { get; internal set; } = string.Empty;

    public FilingFrequency Frequency { get; internal set; }

    /// <summary>The employee (payroll) or fee item (fee_items) the row is about, for reports.</summary>
    public string? Subject { get; internal set; }

    public decimal? Number(ColumnDefinition column) => numbers[column.Ordinal];

    public string? Text(ColumnDefinition column) => texts[column.Ordinal];

    internal void SetNumber(ColumnDefinition column, decimal? value) => numbers[column.Ordinal] = value;

    internal void SetText(ColumnDefinition column, string? value) => texts[column.Ordinal] = value;

    internal void Clear()
    {
        Array.Clear(numbers);
        Array.Clear(texts);
        Subject = null;
    }
}
