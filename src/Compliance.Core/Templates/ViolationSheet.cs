using System.Globalization;
using System.Text;
using Compliance.Core.Digests;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;

namespace Compliance.Core.Templates;

/// <summary>One violating row as an accountant fixes it in Excel.</summary>
public sealed record ViolationLine(int Row, string? EmployeeId, string? Item, string Rule, string Field, decimal Observed, string Limit, string Citation, string Message);

/// <summary>
/// A filing's violating rows as a workbook or CSV to fix in Excel: row, employee (masked as in the digest),
/// item, rule, field, observed value, limit, clause and message. CSV cells a spreadsheet would run as a formula
/// are neutralised, as in the digest's CSV.
/// </summary>
public static class ViolationSheet
{
    /// <summary>Rows a download carries at most: more than a spreadsheet is comfortable with.</summary>
    public const int MaxRows = 100_000;

    private static readonly string[] Header = ["行 Row", "职工 Employee", "项目 Item", "规则 Rule", "字段 Field", "实际 Observed", "限值 Limit", "依据 Clause", "说明 Message"];

    public static void Write(IEnumerable<ViolationLine> lines, TemplateFormat format, Stream output)
    {
        ArgumentNullException.ThrowIfNull(lines);
        ArgumentNullException.ThrowIfNull(output);
        var rows = lines.Take(MaxRows).Select(Cells);
        if (format != TemplateFormat.Xlsx)
        {
            var encoding = format == TemplateFormat.CsvGb18030 ? Reading.TextEncodingDetector.Gb18030 : new UTF8Encoding(encoderShouldEmitUTF8Identifier: true);
            using var writer = new StreamWriter(output, encoding, 1 << 16, leaveOpen: true);
            foreach (var row in rows.Prepend(Header))
            {
                writer.Write(string.Join(',', row.Select(DigestCsv.Cell)));
                writer.Write("\r\n");
            }

            return;
        }

        using var document = SpreadsheetDocument.Create(output, DocumentFormat.OpenXml.SpreadsheetDocumentType.Workbook);
        var workbook = document.AddWorkbookPart();
        workbook.Workbook = new Workbook();
        XlsxParts.AddStyles(workbook);
        var strings = new XlsxParts.SharedStrings(workbook);
        var data = new SheetData();
        uint index = 1;
        foreach (var row in rows.Prepend(Header))
        {
            var r = index;
            data.Append(new Row(row.Select((text, column) => strings.Cell(XlsxParts.Reference(column, r), text, style: r == 1 ? 1u : 0u))) { RowIndex = r });
            index++;
        }

        var part = workbook.AddNewPart<WorksheetPart>();
        part.Worksheet = new Worksheet(
            new SheetViews(new SheetView(new Pane { VerticalSplit = 1, TopLeftCell = "A2", ActivePane = PaneValues.BottomLeft, State = PaneStateValues.Frozen }) { WorkbookViewId = 0, TabSelected = true }),
            data);
        workbook.Workbook.AppendChild(new Sheets()).Append(new Sheet { Id = workbook.GetIdOfPart(part), SheetId = 1, Name = "违规明细" });
        strings.Save();
        workbook.Workbook.Save();
    }

    private static string[] Cells(ViolationLine v) =>
    [
        v.Row.ToString(CultureInfo.InvariantCulture), EmployeeIds.Mask(v.EmployeeId) ?? string.Empty, v.Item ?? string.Empty, v.Rule, v.Field,
        v.Observed.ToString(CultureInfo.InvariantCulture), v.Limit, v.Citation, v.Message,
    ];
}
