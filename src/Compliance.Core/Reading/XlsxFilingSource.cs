using System.Globalization;
using Compliance.Core.Filings;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
using Compliance.Core.Texts;
using static Compliance.Core.Texts.MessageArgs;

namespace Compliance.Core.Reading;

/// <summary>
/// XLSX through the Open XML SDK's forward-only reader: one sheet row is loaded at a time. Reads the
/// first worksheet, or the one named after the kind; row 1 is the header. Cell styles are consulted so
/// that a percent-formatted cell (which stores 0.12 and shows 12%) reads as the 12 the filer sees.
/// </summary>
internal sealed class XlsxFilingSource : IFilingSource
{
    private static readonly HashSet<uint> BuiltInPercentFormats = [9, 10];
    private static readonly HashSet<uint> BuiltInDateFormats = [14, 15, 16, 17, 22, 27, 28, 29, 30, 31, 34, 35, 36, 50, 51, 52, 53, 54, 55, 56, 57, 58];

    private readonly SpreadsheetDocument document;
    private readonly OpenXmlReader reader;
    private readonly string[] sharedStrings;
    private readonly CellStyle[] styles;
    private readonly HeaderMap map;
    private readonly string sheetName;

    private enum CellStyle
    {
        General,
        Percent,
        Date,
    }

    public XlsxFilingSource(Stream seekableStream)
    {
        try
        {
            document = SpreadsheetDocument.Open(seekableStream, isEditable: false);
        }
        catch (Exception ex) when (IsDamage(ex) || ex is IOException or InvalidOperationException or ArgumentException)
        {
            throw new FilingRejectedException(UserMessage.Of(MessageCode.XlsxUnreadable), ex);
        }

        try
        {
            var workbook = document.WorkbookPart ?? throw new FilingRejectedException(UserMessage.Of(MessageCode.XlsxNoWorkbook));
            var sheets = workbook.Workbook.Sheets?.Elements<Sheet>().ToList() ?? [];
            if (sheets.Count == 0)
            {
                throw new FilingRejectedException(UserMessage.Of(MessageCode.XlsxNoSheets));
            }

            FilingKind? hint = null;
            var chosen = sheets[0];
            foreach (var sheet in sheets)
            {
                if (FilingKindNames.TryParse(sheet.Name?.Value, out var kind))
                {
                    chosen = sheet;
                    hint = kind;
                    break;
                }
            }

            sheetName = chosen.Name?.Value ?? "Sheet1";
            if (chosen.Id?.Value is not { } id || !workbook.TryGetPartById(id, out var found) || found is not WorksheetPart part)
            {
                throw new FilingRejectedException(UserMessage.Of(MessageCode.XlsxSheetMissing, sheetName));
            }

            sharedStrings = ReadSharedStrings(workbook.SharedStringTablePart);
            styles = ReadStyles(workbook.WorkbookStylesPart);
            reader = OpenXmlReader.Create(part);

            var header = NextRow() ?? throw new FilingRejectedException(UserMessage.Of(MessageCode.XlsxSheetEmpty, sheetName));
            if (header.Index != 1)
            {
                throw new FilingRejectedException(UserMessage.Of(MessageCode.XlsxHeaderNotRow1, sheetName, Num(header.Index)), row: header.Index);
            }

            map = HeaderMap.Build(header.Cells, hint, i => UserMessage.Of(MessageCode.CellColumnLetter, ColumnLetters(i)));
        }
        catch (Exception ex) when (IsDamage(ex) || ex is InvalidOperationException or IOException)
        {
            // The package opened, but a part inside it (workbook, sheet list, shared strings) is missing or is
            // not readable XML; System.IO.Packaging reports a missing part as an InvalidOperationException.
            Dispose();
            throw new FilingRejectedException(UserMessage.Of(MessageCode.XlsxPartDamaged), ex);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public FilingSchema Schema => map.Schema;

    public IReadOnlyList<FilingWarning> HeaderWarnings => map.Warnings;

    public IEnumerable<RawRecord> ReadRecords(CancellationToken cancellationToken)
    {
        var record = new RawRecord(map.Schema);
        var any = false;
        while (NextRow() is { } row)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (row.Cells.All(string.IsNullOrWhiteSpace))
            {
                continue;
            }

            record.Clear();
            record.Row = row.Index;
            for (var i = 0; i < row.Cells.Count && i < map.Ordinals.Length; i++)
            {
                var ordinal = map.Ordinals[i];
                if (ordinal >= 0)
                {
                    record.Set(ordinal, row.Cells[i]);
                }
            }

            any = true;
            yield return record;
        }

        if (!any)
        {
            throw new FilingRejectedException(UserMessage.Of(MessageCode.XlsxNoDataRows, sheetName), row: 2);
        }
    }

    private sealed record SheetRow(int Index, List<string?> Cells);

    private SheetRow? NextRow()
    {
        try
        {
            return ReadRow();
        }
        catch (Exception ex) when (IsDamage(ex))
        {
            throw new FilingRejectedException(UserMessage.Of(MessageCode.XlsxSheetDamaged, sheetName), ex);
        }
    }

    /// <summary>What a truncated or corrupted package throws, from the zip layer up to the XML reader.</summary>
    private static bool IsDamage(Exception ex) =>
        ex is OpenXmlPackageException or InvalidDataException or FormatException or System.Xml.XmlException;

    private SheetRow? ReadRow()
    {
        while (reader.Read())
        {
            if (reader.ElementType != typeof(Row) || !reader.IsStartElement)
            {
                continue;
            }

            var row = (Row)reader.LoadCurrentElement()!;
            var index = (int)(row.RowIndex?.Value ?? 0);
            var cells = new List<string?>();
            var next = 0;
            foreach (var cell in row.Elements<Cell>())
            {
                var column = cell.CellReference?.Value is { } reference ? ColumnIndex(reference) : next;
                while (cells.Count <= column)
                {
                    cells.Add(null);
                }

                cells[column] = CellText(cell, index, column);
                next = column + 1;
            }

            return new SheetRow(index, cells);
        }

        return null;
    }

    private string? CellText(Cell cell, int row, int column)
    {
        var raw = cell.CellValue?.Text;
        var type = cell.DataType?.Value;
        if (type == CellValues.SharedString)
        {
            return int.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i < sharedStrings.Length ? sharedStrings[i] : null;
        }

        if (type == CellValues.InlineString)
        {
            return cell.InlineString?.InnerText;
        }

        if (type == CellValues.Boolean)
        {
            return raw == "1" ? "yes" : "no";
        }

        if (type == CellValues.Error)
        {
            throw new FilingRejectedException(
                UserMessage.Of(MessageCode.XlsxCellError, sheetName, ColumnLetters(column) + Num(row), raw ?? string.Empty),
                row: row,
                column: ColumnLetters(column));
        }

        if (type == CellValues.String || type == CellValues.Date || string.IsNullOrEmpty(raw))
        {
            return raw;
        }

        if (!double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
        {
            return raw;
        }

        var style = cell.StyleIndex?.Value is { } s && s < styles.Length ? styles[s] : CellStyle.General;
        switch (style)
        {
            case CellStyle.Percent:
                number *= 100;
                break;
            case CellStyle.Date:
                // The whole date: a period column takes the first of a month as that month (Excel turns a
                // typed 2016-06 into 2016-06-01), a date column needs the day.
                return DateTime.FromOADate(number).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        }

        // Excel shows 15 significant digits; the stored double's tail (0.30000000000000004) is noise, not data.
        return number.ToString("G15", CultureInfo.InvariantCulture);
    }

    private static string[] ReadSharedStrings(SharedStringTablePart? part)
    {
        if (part is null)
        {
            return [];
        }

        var list = new List<string>();
        using var reader = OpenXmlReader.Create(part);
        while (reader.Read())
        {
            if (reader.ElementType == typeof(SharedStringItem) && reader.IsStartElement)
            {
                list.Add(reader.LoadCurrentElement()?.InnerText ?? string.Empty);
            }
        }

        return [.. list];
    }

    private static CellStyle[] ReadStyles(WorkbookStylesPart? part)
    {
        var stylesheet = part?.Stylesheet;
        if (stylesheet?.CellFormats is null)
        {
            return [];
        }

        var custom = stylesheet.NumberingFormats?.Elements<NumberingFormat>()
            .Where(f => f.NumberFormatId?.Value is not null)
            .ToDictionary(f => f.NumberFormatId!.Value, f => f.FormatCode?.Value ?? string.Empty) ?? [];
        return [.. stylesheet.CellFormats.Elements<CellFormat>().Select(f => Classify(f.NumberFormatId?.Value ?? 0, custom))];
    }

    private static CellStyle Classify(uint id, Dictionary<uint, string> custom)
    {
        if (BuiltInPercentFormats.Contains(id))
        {
            return CellStyle.Percent;
        }

        if (BuiltInDateFormats.Contains(id))
        {
            return CellStyle.Date;
        }

        if (!custom.TryGetValue(id, out var code))
        {
            return CellStyle.General;
        }

        // Literal text in quotes and [colour]/[locale] sections can contain any letter; look past them.
        var bare = new System.Text.StringBuilder();
        var inQuote = false;
        var inBracket = false;
        foreach (var c in code)
        {
            if (c == '"')
            {
                inQuote = !inQuote;
            }
            else if (!inQuote && c == '[')
            {
                inBracket = true;
            }
            else if (!inQuote && c == ']')
            {
                inBracket = false;
            }
            else if (!inQuote && !inBracket)
            {
                bare.Append(char.ToLowerInvariant(c));
            }
        }

        var s = bare.ToString();
        if (s.Contains('%', StringComparison.Ordinal))
        {
            return CellStyle.Percent;
        }

        return s.Contains('y', StringComparison.Ordinal) || s.Contains('d', StringComparison.Ordinal) ? CellStyle.Date : CellStyle.General;
    }

    private static int ColumnIndex(string reference)
    {
        var index = 0;
        foreach (var c in reference)
        {
            if (!char.IsAsciiLetter(c))
            {
                break;
            }

            index = (index * 26) + (char.ToUpperInvariant(c) - 'A' + 1);
        }

        return index - 1;
    }

    internal static string ColumnLetters(int index)
    {
        var letters = string.Empty;
        index++;
        while (index > 0)
        {
            var rem = (index - 1) % 26;
            letters = (char)('A' + rem) + letters;
            index = (index - 1) / 26;
        }

        return letters;
    }

    public void Dispose()
    {
        reader?.Dispose();
        document?.Dispose();
    }
}
