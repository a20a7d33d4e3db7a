using System.Text;
using Compliance.Core.Digests;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;

namespace Compliance.Core.Templates;

/// <summary>
/// A table — a header and rows of text — as a workbook (one sheet, header bold and frozen) or as CSV (UTF-8 with
/// BOM, or GB18030), written row by row as the rows arrive: the workbook through <see cref="OpenXmlWriter"/> with
/// inline strings, so a hundred thousand rows never stand in memory at once. CSV cells a spreadsheet would run as
/// a formula are neutralised, as in the digest's CSV.
/// </summary>
public static class SheetWriter
{
    /// <summary>
    /// Writes the table to <paramref name="output"/>; a workbook needs a seekable stream (a temporary file for a large
    /// one). Returns the number of rows written, at most <paramref name="maxRows"/>.
    /// </summary>
    public static async Task<int> WriteAsync(string sheetName, IReadOnlyList<string> header, IAsyncEnumerable<IReadOnlyList<string>> rows, TemplateFormat format, Stream output, int maxRows, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(output);
        var written = 0;
        if (format != TemplateFormat.Xlsx)
        {
            var encoding = format == TemplateFormat.CsvGb18030 ? Reading.TextEncodingDetector.Gb18030 : new UTF8Encoding(encoderShouldEmitUTF8Identifier: true);
            await using var writer = new StreamWriter(output, encoding, 1 << 16, leaveOpen: true);
            await writer.WriteAsync(Line(header).AsMemory(), cancellationToken).ConfigureAwait(false);
            await foreach (var row in rows.WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                if (written++ == maxRows)
                {
                    return maxRows;
                }

                await writer.WriteAsync(Line(row).AsMemory(), cancellationToken).ConfigureAwait(false);
            }

            return written;
        }

        using var document = SpreadsheetDocument.Create(output, SpreadsheetDocumentType.Workbook);
        var workbook = document.AddWorkbookPart();
        workbook.Workbook = new Workbook();
        XlsxParts.AddStyles(workbook);
        var part = workbook.AddNewPart<WorksheetPart>();
        using (var sheet = StartSheet(part, header, selected: true))
        {
            await foreach (var row in rows.WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                if (written == maxRows)
                {
                    break;
                }

                WriteRow(sheet, (uint)++written + 1, row, style: 0);
            }

            EndSheet(sheet);
        }

        workbook.Workbook.AppendChild(new Sheets()).Append(new Sheet { Id = workbook.GetIdOfPart(part), SheetId = 1, Name = sheetName });
        workbook.Workbook.Save();
        return written;
    }

    /// <summary>As <see cref="WriteAsync"/>, for rows already at hand.</summary>
    public static void Write(string sheetName, IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows, TemplateFormat format, Stream output, int maxRows) =>
        WriteAsync(sheetName, header, rows.ToAsyncEnumerable(), format, output, maxRows, CancellationToken.None).GetAwaiter().GetResult();

    /// <summary>
    /// A workbook of several sheets, each a header and rows whose cells are text, or numbers (<see cref="decimal"/>,
    /// <see cref="int"/>, <see cref="long"/>) written as numbers so that Excel can sum and sort them. Sheet names are
    /// made valid and unique as Excel requires (31 characters, none of <c>[]:*?/\</c>).
    /// </summary>
    public static void WriteWorkbook(IReadOnlyList<SheetContent> sheets, Stream output)
    {
        ArgumentNullException.ThrowIfNull(sheets);
        using var document = SpreadsheetDocument.Create(output, SpreadsheetDocumentType.Workbook);
        var workbook = document.AddWorkbookPart();
        workbook.Workbook = new Workbook();
        XlsxParts.AddStyles(workbook);
        var list = workbook.Workbook.AppendChild(new Sheets());
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        uint id = 0;
        foreach (var content in sheets)
        {
            var part = workbook.AddNewPart<WorksheetPart>();
            using (var sheet = StartSheet(part, content.Header, selected: id == 0))
            {
                uint row = 1;
                foreach (var cells in content.Rows)
                {
                    WriteRow(sheet, ++row, cells, style: 0);
                }

                EndSheet(sheet);
            }

            list.Append(new Sheet { Id = workbook.GetIdOfPart(part), SheetId = ++id, Name = UniqueName(content.Name, names) });
        }

        workbook.Workbook.Save();
    }

    private static string UniqueName(string wanted, HashSet<string> taken)
    {
        var clean = new string([.. wanted.Select(c => "[]:*?/\\".Contains(c, StringComparison.Ordinal) || char.IsControl(c) ? '_' : c)]).Trim('\'', ' ');
        clean = clean.Length == 0 ? "Sheet" : clean[..Math.Min(clean.Length, 31)];
        var name = clean;
        for (var n = 2; !taken.Add(name); n++)
        {
            var suffix = $" ({n})";
            name = clean[..Math.Min(clean.Length, 31 - suffix.Length)] + suffix;
        }

        return name;
    }

    /// <summary>A worksheet opened for writing rows: the header as row 1, bold and frozen above the rest.</summary>
    private static OpenXmlWriter StartSheet(WorksheetPart part, IReadOnlyList<string> header, bool selected)
    {
        var sheet = OpenXmlWriter.Create(part);
        sheet.WriteStartElement(new Worksheet());
        sheet.WriteElement(new SheetViews(new SheetView(new Pane { VerticalSplit = 1, TopLeftCell = "A2", ActivePane = PaneValues.BottomLeft, State = PaneStateValues.Frozen }) { WorkbookViewId = 0, TabSelected = selected }));
        sheet.WriteStartElement(new SheetData());
        WriteRow(sheet, 1, header, style: 1);
        return sheet;
    }

    private static void EndSheet(OpenXmlWriter sheet)
    {
        sheet.WriteEndElement(); // sheetData
        sheet.WriteEndElement(); // worksheet
    }

    // Text as an inline string; a number as a number, so that Excel can sum and sort it.
    private static void WriteRow(OpenXmlWriter sheet, uint index, IReadOnlyList<object?> cells, uint style)
    {
        sheet.WriteStartElement(new Row { RowIndex = index });
        for (var column = 0; column < cells.Count; column++)
        {
            var reference = XlsxParts.Reference(column, index);
            sheet.WriteElement(cells[column] switch
            {
                decimal or int or long => new Cell(new CellValue(Convert.ToDecimal(cells[column], System.Globalization.CultureInfo.InvariantCulture))) { CellReference = reference, DataType = CellValues.Number, StyleIndex = style },
                var text => new Cell(new InlineString(new Text(text?.ToString() ?? string.Empty) { Space = SpaceProcessingModeValues.Preserve })) { CellReference = reference, DataType = CellValues.InlineString, StyleIndex = style },
            });
        }

        sheet.WriteEndElement();
    }

    private static string Line(IEnumerable<string> cells) => string.Join(',', cells.Select(DigestCsv.Cell)) + "\r\n";
}

/// <summary>One sheet of a workbook: its tab name, header and rows (text or numbers).</summary>
public sealed record SheetContent(string Name, IReadOnlyList<string> Header, IEnumerable<IReadOnlyList<object?>> Rows);
