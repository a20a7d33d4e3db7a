using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;

namespace Compliance.Testing;

/// <summary>Fills a downloaded XLSX template as an accountant typing into it would: text cells from row 2, under the template's header.</summary>
public static class XlsxTemplate
{
    /// <param name="template">The template's bytes.</param>
    /// <param name="sheet">The data sheet (the template names it after the kind).</param>
    /// <param name="fields">The template's columns, left to right, by contract name.</param>
    /// <param name="rows">Values by contract name; a missing or empty one leaves the cell empty.</param>
    public static byte[] Fill(byte[] template, string sheet, IReadOnlyList<string> fields, IEnumerable<IReadOnlyDictionary<string, string?>> rows)
    {
        ArgumentNullException.ThrowIfNull(template);
        ArgumentNullException.ThrowIfNull(fields);
        ArgumentNullException.ThrowIfNull(rows);
        using var copy = new MemoryStream();
        copy.Write(template);
        using (var document = SpreadsheetDocument.Open(copy, isEditable: true))
        {
            var workbook = document.WorkbookPart!;
            var part = (WorksheetPart)workbook.GetPartById(workbook.Workbook.Sheets!.Elements<Sheet>().Single(s => s.Name == sheet).Id!);
            var data = part.Worksheet.GetFirstChild<SheetData>()!;
            uint index = 2;
            foreach (var row in rows)
            {
                var cells = fields.Select((f, i) => (Value: row.GetValueOrDefault(f), Column: i)).Where(c => !string.IsNullOrEmpty(c.Value))
                    .Select(c => new Cell { CellReference = $"{Column(c.Column)}{index}", DataType = CellValues.InlineString, InlineString = new InlineString(new Text(c.Value!)) });
                data.Append(new Row(cells) { RowIndex = index++ });
            }
        }

        return copy.ToArray();
    }

    private static string Column(int index)
    {
        var letters = string.Empty;
        for (var n = index + 1; n > 0; n = (n - 1) / 26)
        {
            letters = (char)('A' + ((n - 1) % 26)) + letters;
        }

        return letters;
    }
}
