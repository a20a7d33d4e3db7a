using System.Globalization;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;

namespace Compliance.Testing;

/// <summary>A cell as Excel stores it: shared-string text, a plain number, a percent-formatted fraction, or a date.</summary>
public sealed record XlsxCell(string? Value, CellValues? Type, uint Style)
{
    public const uint GeneralStyle = 0;
    public const uint PercentStyle = 1;
    public const uint DateStyle = 2;
    public const uint CustomPercentStyle = 3;

    public static XlsxCell Text(string? value) => new(value, CellValues.SharedString, GeneralStyle);

    public static XlsxCell Number(decimal value) => new(value.ToString(CultureInfo.InvariantCulture), null, GeneralStyle);

    /// <summary>What Excel stores for a cell typed as "12%": the fraction 0.12 with a percent format.</summary>
    public static XlsxCell Percent(decimal fraction, bool custom = false) =>
        new(fraction.ToString(CultureInfo.InvariantCulture), null, custom ? CustomPercentStyle : PercentStyle);

    /// <summary>A raw stored value, for floating-point noise such as 0.30000000000000004.</summary>
    public static XlsxCell Raw(string stored, uint style = GeneralStyle) => new(stored, null, style);

    public static XlsxCell Date(DateTime date) => new(date.ToOADate().ToString(CultureInfo.InvariantCulture), null, DateStyle);

    public static XlsxCell Error(string code) => new(code, CellValues.Error, GeneralStyle);

    public static XlsxCell Empty { get; } = new(null, null, GeneralStyle);

    /// <summary>Numbers as numbers, everything else as text: what typing the value into Excel gives.</summary>
    public static XlsxCell Auto(string? value) =>
        value is null ? Empty
        : IsPlainNumber(value, out var d) ? Number(d)
        : Text(value);

    // "0012" is an identifier Excel users keep as text; "0.5" and "0" are numbers.
    private static bool IsPlainNumber(string value, out decimal number) =>
        decimal.TryParse(value, NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out number)
        && (value == "0" || !value.StartsWith('0') || value.StartsWith("0.", StringComparison.Ordinal));
}

/// <summary>Writes real XLSX workbooks with the Open XML SDK, with styles for percent and date cells.</summary>
public sealed class XlsxBuilder(string sheetName = "Sheet1")
{
    private readonly List<XlsxCell[]> rows = [];
    private readonly List<(string Name, List<XlsxCell[]> Rows)> extraSheets = [];

    public XlsxBuilder Row(params XlsxCell[] cells)
    {
        rows.Add(cells);
        return this;
    }

    /// <summary>Adds another sheet before the main one, to test sheet selection.</summary>
    public XlsxBuilder SheetBefore(string name, params XlsxCell[][] sheetRows)
    {
        extraSheets.Add((name, [.. sheetRows]));
        return this;
    }

    public byte[] Build()
    {
        using var memory = new MemoryStream();
        using (var document = SpreadsheetDocument.Create(memory, SpreadsheetDocumentType.Workbook))
        {
            var workbook = document.AddWorkbookPart();
            workbook.Workbook = new Workbook();
            var styles = workbook.AddNewPart<WorkbookStylesPart>();
            styles.Stylesheet = Stylesheet();
            var strings = new List<string>();
            var sheets = workbook.Workbook.AppendChild(new Sheets());
            uint id = 1;
            foreach (var (name, sheetRows) in extraSheets.Append((sheetName, rows)))
            {
                var part = workbook.AddNewPart<WorksheetPart>();
                part.Worksheet = new Worksheet(SheetData(sheetRows, strings));
                sheets.Append(new Sheet { Id = workbook.GetIdOfPart(part), SheetId = id++, Name = name });
            }

            var shared = workbook.AddNewPart<SharedStringTablePart>();
            shared.SharedStringTable = new SharedStringTable(strings.Select(s => new SharedStringItem(new Text(s))));
        }

        return memory.ToArray();
    }

    private static SheetData SheetData(List<XlsxCell[]> sheetRows, List<string> strings)
    {
        var data = new SheetData();
        for (var r = 0; r < sheetRows.Count; r++)
        {
            var row = new Row { RowIndex = (uint)(r + 1) };
            for (var c = 0; c < sheetRows[r].Length; c++)
            {
                var cell = sheetRows[r][c];
                if (cell.Value is null)
                {
                    continue;
                }

                var reference = $"{Compliance.Core.Reading.XlsxFilingSource.ColumnLetters(c)}{r + 1}";
                var xml = new Cell { CellReference = reference, StyleIndex = cell.Style };
                if (cell.Type == CellValues.SharedString)
                {
                    xml.DataType = CellValues.SharedString;
                    xml.CellValue = new CellValue(strings.Count.ToString(CultureInfo.InvariantCulture));
                    strings.Add(cell.Value);
                }
                else
                {
                    if (cell.Type is { } type)
                    {
                        xml.DataType = type;
                    }

                    xml.CellValue = new CellValue(cell.Value);
                }

                row.Append(xml);
            }

            data.Append(row);
        }

        return data;
    }

    private static Stylesheet Stylesheet() => new(
        new NumberingFormats(new NumberingFormat { NumberFormatId = 164, FormatCode = "0.0%" }) { Count = 1 },
        new Fonts(new Font()) { Count = 1 },
        new Fills(new Fill(new PatternFill { PatternType = PatternValues.None }), new Fill(new PatternFill { PatternType = PatternValues.Gray125 })) { Count = 2 },
        new Borders(new Border()) { Count = 1 },
        new CellFormats(
            new CellFormat { NumberFormatId = 0 },
            new CellFormat { NumberFormatId = 10, ApplyNumberFormat = true },
            new CellFormat { NumberFormatId = 14, ApplyNumberFormat = true },
            new CellFormat { NumberFormatId = 164, ApplyNumberFormat = true })
        { Count = 4 });
}
