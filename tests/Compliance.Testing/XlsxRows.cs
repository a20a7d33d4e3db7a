using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;

namespace Compliance.Testing;

/// <summary>Reads a workbook's first sheet back as text rows, whether its cells hold shared or inline strings.</summary>
public static class XlsxRows
{
    public static List<List<string>> Read(Stream workbook)
    {
        using var document = SpreadsheetDocument.Open(workbook, isEditable: false);
        var part = document.WorkbookPart!;
        var shared = part.SharedStringTablePart?.SharedStringTable.Elements<SharedStringItem>().Select(i => i.InnerText).ToList() ?? [];
        return Rows(part.WorksheetParts.First().Worksheet, shared);
    }

    /// <summary>Every sheet, by tab name in the workbook's order, as text rows.</summary>
    public static List<(string Name, List<List<string>> Rows)> ReadSheets(string path)
    {
        using var document = SpreadsheetDocument.Open(path, isEditable: false);
        var part = document.WorkbookPart!;
        var shared = part.SharedStringTablePart?.SharedStringTable.Elements<SharedStringItem>().Select(i => i.InnerText).ToList() ?? [];
        return [.. part.Workbook.Sheets!.Elements<Sheet>().Select(sheet => (sheet.Name!.Value!, Rows(((WorksheetPart)part.GetPartById(sheet.Id!.Value!)).Worksheet, shared)))];
    }

    private static List<List<string>> Rows(Worksheet sheet, List<string> shared) =>
        [.. sheet.Descendants<Row>().Select(r => r.Elements<Cell>().Select(c => c.DataType?.Value == CellValues.SharedString
            ? shared[int.Parse(c.CellValue!.Text, System.Globalization.CultureInfo.InvariantCulture)]
            : c.InnerText).ToList())];

    public static List<List<string>> Read(string path)
    {
        using var file = File.OpenRead(path);
        return Read(file);
    }
}
