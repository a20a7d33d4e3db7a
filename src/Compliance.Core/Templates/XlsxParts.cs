using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;

namespace Compliance.Core.Templates;

/// <summary>The pieces every workbook this product writes shares: two cell styles, cell references, the shared string table.</summary>
internal static class XlsxParts
{
    /// <summary>Style 0 plain, 1 bold (the header).</summary>
    public static void AddStyles(WorkbookPart workbook)
    {
        var styles = workbook.AddNewPart<WorkbookStylesPart>();
        styles.Stylesheet = new Stylesheet(
            new Fonts(new Font(), new Font(new Bold())) { Count = 2 },
            new Fills(new Fill(new PatternFill { PatternType = PatternValues.None }), new Fill(new PatternFill { PatternType = PatternValues.Gray125 })) { Count = 2 },
            new Borders(new Border()) { Count = 1 },
            new CellFormats(new CellFormat(), new CellFormat { FontId = 1, ApplyFont = true }) { Count = 2 });
    }

    public static string Reference(int column, long row)
    {
        var letters = string.Empty;
        for (var n = column + 1; n > 0; n = (n - 1) / 26)
        {
            letters = (char)('A' + ((n - 1) % 26)) + letters;
        }

        return $"{letters}{row}";
    }

    /// <summary>The shared string table: each text once, cells by index, as Excel writes them.</summary>
    public sealed class SharedStrings(WorkbookPart workbook)
    {
        private readonly Dictionary<string, int> indices = new(StringComparer.Ordinal);
        private readonly SharedStringTable table = new();

        public Cell Cell(string reference, string text, uint style)
        {
            if (!indices.TryGetValue(text, out var index))
            {
                index = indices.Count;
                indices[text] = index;
                table.Append(new SharedStringItem(new Text(text)));
            }

            return new Cell { CellReference = reference, DataType = CellValues.SharedString, CellValue = new CellValue(index), StyleIndex = style };
        }

        public void Save()
        {
            var part = workbook.AddNewPart<SharedStringTablePart>();
            table.Count = (uint)indices.Count;
            table.UniqueCount = (uint)indices.Count;
            part.SharedStringTable = table;
        }
    }
}
