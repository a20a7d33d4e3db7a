using System.Globalization;
using System.IO.Compression;
using System.Xml;
using Compliance.Core.Filings;
using Compliance.Core.Texts;
using static Compliance.Core.Texts.MessageArgs;

namespace Compliance.Core.Reading;

/// <summary>
/// XLSX streamed straight from the zip: the workbook's sheet list, styles and shared strings are read first,
/// then the chosen sheet's XML one row at a time with an <see cref="XmlReader"/>, cells written into the raw
/// record without a string or an object per cell. Reads the first worksheet, or the one named after the kind;
/// row 1 is the header. Cell styles are consulted so that a percent-formatted cell (which stores 0.12 and
/// shows 12%) reads as the 12 the filer sees, and a date cell as its date.
/// </summary>
internal sealed class XlsxFilingSource : IFilingSource
{
    private static readonly HashSet<int> BuiltInPercentFormats = [9, 10];
    private static readonly HashSet<int> BuiltInDateFormats = [14, 15, 16, 17, 22, 27, 28, 29, 30, 31, 34, 35, 36, 50, 51, 52, 53, 54, 55, 56, 57, 58];

    private readonly ZipArchive zip;
    private readonly XlsxSharedStrings sharedStrings;
    private readonly CellStyle[] styles = [];
    private readonly HeaderMap map;
    private readonly string sheetName;
    private readonly XmlReader sheet;
    private readonly SheetNames names;
    private readonly SheetRow row = new();
    private int lastRow;

    private enum CellStyle
    {
        General,
        Percent,
        Date,
    }

    public XlsxFilingSource(Stream seekableStream, ReaderLimits limits)
    {
        try
        {
            zip = new ZipArchive(seekableStream, ZipArchiveMode.Read, leaveOpen: true);
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException or ArgumentException)
        {
            throw new FilingRejectedException(UserMessage.Of(MessageCode.XlsxUnreadable), ex);
        }

        sharedStrings = new XlsxSharedStrings(limits.MaxSharedStringChars);
        FilingKind? hint = null;
        try
        {
            var workbookPath = MainPart() ?? "xl/workbook.xml";
            var workbookEntry = Entry(workbookPath) ?? throw new FilingRejectedException(UserMessage.Of(MessageCode.XlsxNoWorkbook));
            var sheets = ReadSheetList(workbookEntry);
            if (sheets.Count == 0)
            {
                throw new FilingRejectedException(UserMessage.Of(MessageCode.XlsxNoSheets));
            }

            var chosen = sheets[0];
            foreach (var candidate in sheets)
            {
                if (FilingKindNames.TryParse(candidate.Name, out var kind))
                {
                    chosen = candidate;
                    hint = kind;
                    break;
                }
            }

            sheetName = chosen.Name ?? "Sheet1";
            var parts = ReadRelationships(workbookPath);
            if (chosen.RelationshipId is not { } id || !parts.TryGetValue(id, out var target) || Entry(target.Path) is not { } sheetEntry)
            {
                throw new FilingRejectedException(UserMessage.Of(MessageCode.XlsxSheetMissing, sheetName));
            }

            foreach (var (_, part) in parts)
            {
                if (part.Type.EndsWith("/sharedStrings", StringComparison.Ordinal) && Entry(part.Path) is { } strings)
                {
                    ReadSharedStrings(strings);
                }
                else if (part.Type.EndsWith("/styles", StringComparison.Ordinal) && Entry(part.Path) is { } stylesEntry)
                {
                    styles = ReadStyles(stylesEntry);
                }
            }

            names = new SheetNames(new NameTable());
            sheet = XmlReader.Create(sheetEntry.Open(), Settings(names.Table));
        }
        catch (Exception ex) when (IsDamage(ex) || ex is IOException)
        {
            // The package opened, but a part inside it (workbook, sheet list, shared strings, styles) is not
            // readable XML or its compressed data is damaged.
            Dispose();
            throw new FilingRejectedException(UserMessage.Of(MessageCode.XlsxPartDamaged), ex);
        }
        catch
        {
            Dispose();
            throw;
        }

        try
        {
            if (!NextRow())
            {
                throw new FilingRejectedException(UserMessage.Of(MessageCode.XlsxSheetEmpty, sheetName));
            }

            if (row.Index != 1)
            {
                throw new FilingRejectedException(UserMessage.Of(MessageCode.XlsxHeaderNotRow1, sheetName, Num(row.Index)), row: row.Index);
            }

            var headers = new string?[row.Width];
            for (var i = 0; i < row.Count; i++)
            {
                headers[row.Columns[i]] = row.Text(i).ToString();
            }

            map = HeaderMap.Build(headers, hint, i => UserMessage.Of(MessageCode.CellColumnLetter, ColumnLetters(i)));
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
        var ordinals = map.Ordinals;
        var any = false;
        while (NextRow())
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (row.Blank)
            {
                continue;
            }

            record.Clear();
            record.Row = row.Index;
            for (var i = 0; i < row.Count; i++)
            {
                var column = row.Columns[i];
                if (column < ordinals.Length && ordinals[column] is var ordinal and >= 0)
                {
                    record.Set(ordinal, row.Text(i));
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

    /// <summary>
    /// What a truncated or corrupted package throws, from the zip layer up to the XML reader. Not an
    /// <see cref="IOException"/>: while rows are read that is the stream failing, which the caller retries.
    /// </summary>
    private static bool IsDamage(Exception ex) => ex is InvalidDataException or FormatException or XmlException;

    private static XmlReaderSettings Settings(XmlNameTable? names = null) => new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        IgnoreComments = true,
        IgnoreProcessingInstructions = true,
        IgnoreWhitespace = true,
        CloseInput = true,
        NameTable = names,
    };

    /// <summary>The next sheet row into <see cref="row"/>; false at the end of the sheet.</summary>
    private bool NextRow()
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

    private bool ReadRow()
    {
        var reader = sheet;
        while (reader.Read())
        {
            if (reader.NodeType != XmlNodeType.Element || !ReferenceEquals(reader.LocalName, names.Row))
            {
                continue;
            }

            row.Clear();
            row.Index = reader.GetAttribute("r") is { } r && int.TryParse(r, NumberStyles.None, CultureInfo.InvariantCulture, out var index) ? index : lastRow + 1;
            lastRow = row.Index;
            if (reader.IsEmptyElement)
            {
                return true;
            }

            // Each child handler leaves the reader on the child's last node; Skip already stands on the next sibling.
            var depth = reader.Depth;
            var next = 0;
            reader.Read();
            while (reader.Depth > depth && !reader.EOF)
            {
                if (reader.NodeType != XmlNodeType.Element)
                {
                    reader.Read();
                }
                else if (ReferenceEquals(reader.LocalName, names.Cell))
                {
                    next = ReadCell(reader, next) + 1;
                    reader.Read();
                }
                else
                {
                    reader.Skip();
                }
            }

            return true;
        }

        return false;
    }

    /// <summary>Reads one <c>c</c> element (the reader on its start, left on its end) into the row; returns its column.</summary>
    private int ReadCell(XmlReader reader, int next)
    {
        var column = next;
        string? type = null;
        var style = 0;
        while (reader.MoveToNextAttribute())
        {
            var name = reader.LocalName;
            if (ReferenceEquals(name, names.Reference))
            {
                column = ColumnIndex(reader.Value) is var c and >= 0 ? c : next;
            }
            else if (ReferenceEquals(name, names.Type))
            {
                type = reader.Value;
            }
            else if (ReferenceEquals(name, names.Style))
            {
                style = int.TryParse(reader.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var s) ? s : 0;
            }
        }

        reader.MoveToElement();
        if (reader.IsEmptyElement)
        {
            return column;
        }

        var start = row.TextUsed;
        var length = -1;
        var depth = reader.Depth;
        reader.Read();
        while (reader.Depth > depth && !reader.EOF)
        {
            if (reader.NodeType != XmlNodeType.Element)
            {
                reader.Read();
            }
            else if (ReferenceEquals(reader.LocalName, names.Value))
            {
                length = row.AppendContent(reader, start);
                reader.Read();
            }
            else if (ReferenceEquals(reader.LocalName, names.InlineString))
            {
                length = ReadRichText(names, row, reader, start);
                reader.Read();
            }
            else
            {
                // A formula (its cached value is the v beside it), or an extension.
                reader.Skip();
            }
        }

        if (length >= 0)
        {
            length = Resolve(type, style, start, length, column);
            row.Add(column, start, length);
        }

        return column;
    }

    /// <summary>A cell's text as the filer sees it, written at <paramref name="start"/> in the row's buffer in place of the raw value.</summary>
    private int Resolve(string? type, int style, int start, int length, int column)
    {
        switch (type)
        {
            case "s":
                var raw = row.Buffer.AsSpan(start, length);
                row.TextUsed = start;
                var resolved = int.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var index) ? sharedStrings.CopyTo(index, ref row.Buffer, start) : -1;
                return Math.Max(resolved, 0);
            case "inlineStr" or "str" or "d":
                return length;
            case "b":
                row.TextUsed = start;
                return row.Write(start, row.Buffer.AsSpan(start, length) is "1" ? "yes" : "no");
            case "e":
                throw new FilingRejectedException(
                    UserMessage.Of(MessageCode.XlsxCellError, sheetName, ColumnLetters(column) + Num(row.Index), row.Buffer.AsSpan(start, length).ToString()),
                    row: row.Index,
                    column: ColumnLetters(column));
        }

        var value = row.Buffer.AsSpan(start, length);
        var kind = (uint)style < (uint)styles.Length ? styles[style] : CellStyle.General;
        if (length == 0 || (kind == CellStyle.General && IsPlainDecimal(value)))
        {
            // What Excel writes for a typed 12 or 0.5 is already the text it shows.
            return length;
        }

        if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
        {
            return length;
        }

        row.TextUsed = start;
        switch (kind)
        {
            case CellStyle.Percent:
                number *= 100;
                break;
            case CellStyle.Date:
                // The whole date: a period column takes the first of a month as that month (Excel turns a
                // typed 2016-06 into 2016-06-01), a date column needs the day.
                return row.Write(start, DateTime.FromOADate(number).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        }

        // Excel shows 15 significant digits; the stored double's tail (0.30000000000000004) is noise, not data.
        return row.Write(start, number.ToString("G15", CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// A number written plainly (-?digits[.digits], no leading or trailing zero, at most 15 significant digits,
    /// not below 0.0001): exactly what "G15" would print for it, so it needs no parsing here.
    /// </summary>
    internal static bool IsPlainDecimal(ReadOnlySpan<char> text)
    {
        if (text.Length > 16 || text.IsEmpty)
        {
            return false;
        }

        var i = text[0] == '-' ? 1 : 0;
        var digits = text[i..];
        if (digits.IsEmpty || !char.IsAsciiDigit(digits[0]) || (digits[0] == '0' && digits.Length > 1 && digits[1] != '.'))
        {
            return false;
        }

        // Significant digits: all but the point and the zeros before the first other digit.
        var lead = digits.IndexOfAnyExcept('0', '.');
        if (lead >= 0 && digits.Length - lead - (digits[lead..].Contains('.') ? 1 : 0) > 15)
        {
            return false;
        }

        var point = digits.IndexOf('.');
        if (point < 0)
        {
            return !digits.ContainsAnyExcept(AsciiSets.Digits);
        }

        var fraction = digits[(point + 1)..];
        return point > 0
            && !fraction.IsEmpty
            && !digits[..point].ContainsAnyExcept(AsciiSets.Digits)
            && !fraction.ContainsAnyExcept(AsciiSets.Digits)
            && fraction[^1] != '0'
            && !(digits[0] == '0' && fraction.StartsWith("0000"));
    }

    /// <summary>
    /// The text of an <c>is</c> or <c>si</c> element (the reader on its start, left on its end): its <c>t</c>, or
    /// its runs' <c>t</c>s, without phonetic guides; written at <paramref name="start"/> in <paramref name="target"/>.
    /// </summary>
    private static int ReadRichText(SheetNames names, SheetRow target, XmlReader reader, int start)
    {
        if (reader.IsEmptyElement)
        {
            return 0;
        }

        var length = 0;
        var depth = reader.Depth;
        reader.Read();
        while (reader.Depth > depth && !reader.EOF)
        {
            if (reader.NodeType == XmlNodeType.Element && ReferenceEquals(reader.LocalName, names.Text))
            {
                length += target.AppendContent(reader, start + length);
                reader.Read();
            }
            else if (reader.NodeType == XmlNodeType.Element && ReferenceEquals(reader.LocalName, names.Phonetic))
            {
                reader.Skip();
            }
            else
            {
                // Into a run (r) to reach its t; run properties hold no text.
                reader.Read();
            }
        }

        return length;
    }

    private void ReadSharedStrings(ZipArchiveEntry entry)
    {
        var local = new SheetNames(new NameTable());
        using var reader = XmlReader.Create(entry.Open(), Settings(local.Table));
        var scratch = new SheetRow();
        while (reader.Read())
        {
            if (reader.NodeType == XmlNodeType.Element && ReferenceEquals(reader.LocalName, local.Item))
            {
                var length = ReadRichText(local, scratch, reader, 0);
                sharedStrings.Add(scratch.Buffer.AsSpan(0, length));
            }
        }

        sharedStrings.Complete();
    }

    private static CellStyle[] ReadStyles(ZipArchiveEntry entry)
    {
        var custom = new Dictionary<int, string>();
        var formats = new List<int>();
        using var reader = XmlReader.Create(entry.Open(), Settings());
        var inCellFormats = false;
        while (reader.Read())
        {
            if (reader.NodeType == XmlNodeType.EndElement && reader.LocalName == "cellXfs")
            {
                inCellFormats = false;
                continue;
            }

            if (reader.NodeType != XmlNodeType.Element)
            {
                continue;
            }

            switch (reader.LocalName)
            {
                case "numFmt" when int.TryParse(reader.GetAttribute("numFmtId"), NumberStyles.None, CultureInfo.InvariantCulture, out var id):
                    custom[id] = reader.GetAttribute("formatCode") ?? string.Empty;
                    break;
                case "cellXfs":
                    inCellFormats = !reader.IsEmptyElement;
                    break;
                case "xf" when inCellFormats:
                    formats.Add(int.TryParse(reader.GetAttribute("numFmtId"), NumberStyles.None, CultureInfo.InvariantCulture, out var format) ? format : 0);
                    break;
            }
        }

        return [.. formats.Select(f => Classify(f, custom))];
    }

    private static CellStyle Classify(int id, Dictionary<int, string> custom)
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

    /// <summary>The package's main document (the workbook), from its root relationships.</summary>
    private string? MainPart()
    {
        if (Entry("_rels/.rels") is not { } rels)
        {
            return null;
        }

        using var reader = XmlReader.Create(rels.Open(), Settings());
        while (reader.Read())
        {
            if (reader.NodeType == XmlNodeType.Element && reader.LocalName == "Relationship"
                && reader.GetAttribute("Type") is { } type && type.EndsWith("/officeDocument", StringComparison.Ordinal)
                && reader.GetAttribute("Target") is { } target)
            {
                return Resolve(string.Empty, target);
            }
        }

        return null;
    }

    private List<(string? Name, string? RelationshipId)> ReadSheetList(ZipArchiveEntry workbook)
    {
        var sheets = new List<(string?, string?)>();
        using var reader = XmlReader.Create(workbook.Open(), Settings());
        while (reader.Read())
        {
            if (reader.NodeType != XmlNodeType.Element || reader.LocalName != "sheet")
            {
                continue;
            }

            string? id = null;
            while (reader.MoveToNextAttribute())
            {
                // r:id, in the transitional or the strict relationships namespace.
                if (reader.LocalName == "id" && reader.NamespaceURI.Contains("relationships", StringComparison.Ordinal))
                {
                    id = reader.Value;
                }
            }

            reader.MoveToElement();
            sheets.Add((reader.GetAttribute("name"), id));
        }

        return sheets;
    }

    /// <summary>The workbook's relationships: id → (type, part path in the zip).</summary>
    private Dictionary<string, (string Type, string Path)> ReadRelationships(string workbookPath)
    {
        var folder = workbookPath.LastIndexOf('/') is var slash and >= 0 ? workbookPath[..(slash + 1)] : string.Empty;
        var parts = new Dictionary<string, (string, string)>(StringComparer.Ordinal);
        if (Entry($"{folder}_rels/{workbookPath[folder.Length..]}.rels") is not { } rels)
        {
            return parts;
        }

        using var reader = XmlReader.Create(rels.Open(), Settings());
        while (reader.Read())
        {
            if (reader.NodeType == XmlNodeType.Element && reader.LocalName == "Relationship"
                && reader.GetAttribute("Id") is { } id && reader.GetAttribute("Target") is { } target
                && reader.GetAttribute("TargetMode") is not "External")
            {
                parts[id] = (reader.GetAttribute("Type") ?? string.Empty, Resolve(folder, target));
            }
        }

        return parts;
    }

    /// <summary>A relationship target as a zip entry name: absolute (/xl/…) or relative to the source part's folder.</summary>
    private static string Resolve(string folder, string target)
    {
        var path = target.StartsWith('/') ? target[1..] : folder + target;
        var segments = new List<string>();
        foreach (var segment in Uri.UnescapeDataString(path).Split('/'))
        {
            if (segment == "..")
            {
                if (segments.Count > 0)
                {
                    segments.RemoveAt(segments.Count - 1);
                }
            }
            else if (segment is not ("." or ""))
            {
                segments.Add(segment);
            }
        }

        return string.Join('/', segments);
    }

    private ZipArchiveEntry? Entry(string path) =>
        zip.GetEntry(path) ?? zip.Entries.FirstOrDefault(e => string.Equals(e.FullName.TrimStart('/').Replace('\\', '/'), path, StringComparison.OrdinalIgnoreCase));

    /// <summary>The 0-based column of a cell reference (A1 → 0, AB7 → 27), or -1 when it has no letters.</summary>
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
            if (index > 16384)
            {
                return -1;
            }
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
        sheet?.Dispose();
        sharedStrings?.Dispose();
        zip?.Dispose();
    }

    /// <summary>The element and attribute names of sheet XML, atomised once so a name is compared by reference.</summary>
    private sealed class SheetNames(XmlNameTable table)
    {
        public XmlNameTable Table { get; } = table;

        public string Row { get; } = table.Add("row");

        public string Cell { get; } = table.Add("c");

        public string Value { get; } = table.Add("v");

        public string InlineString { get; } = table.Add("is");

        public string Text { get; } = table.Add("t");

        public string Phonetic { get; } = table.Add("rPh");

        public string Item { get; } = table.Add("si");

        public string Reference { get; } = table.Add("r");

        public string Type { get; } = table.Add("t");

        public string Style { get; } = table.Add("s");
    }

    /// <summary>The cells of one sheet row, as text in one reused buffer. Columns are 0-based.</summary>
    private sealed class SheetRow
    {
        public char[] Buffer = new char[1024];

        private int[] columns = new int[32];
        private int[] starts = new int[32];
        private int[] lengths = new int[32];

        public int Index { get; set; }

        public int Count { get; private set; }

        public int TextUsed { get; set; }

        /// <summary>Every cell empty or white space (Excel keeps formatted but empty rows below the data).</summary>
        public bool Blank { get; private set; } = true;

        /// <summary>One past the rightmost column.</summary>
        public int Width { get; private set; }

        public ReadOnlySpan<int> Columns => columns.AsSpan(0, Count);

        public ReadOnlySpan<char> Text(int i) => Buffer.AsSpan(starts[i], lengths[i]);

        public void Clear()
        {
            Count = 0;
            TextUsed = 0;
            Width = 0;
            Blank = true;
        }

        public void Add(int column, int start, int length)
        {
            if (Count == columns.Length)
            {
                Array.Resize(ref columns, Count * 2);
                Array.Resize(ref starts, Count * 2);
                Array.Resize(ref lengths, Count * 2);
            }

            columns[Count] = column;
            starts[Count] = start;
            lengths[Count] = length;
            Count++;
            TextUsed = start + length;
            Width = Math.Max(Width, column + 1);
            if (Blank && !Buffer.AsSpan(start, length).IsWhiteSpace())
            {
                Blank = false;
            }
        }

        /// <summary>Replaces the text at <paramref name="at"/> with <paramref name="text"/>; returns its length.</summary>
        public int Write(int at, ReadOnlySpan<char> text)
        {
            if (Buffer.Length - at < text.Length)
            {
                Array.Resize(ref Buffer, Math.Max(Buffer.Length * 2, at + text.Length));
            }

            text.CopyTo(Buffer.AsSpan(at));
            return text.Length;
        }

        /// <summary>
        /// Appends the text content of the element the reader is on (entities resolved, CDATA included) at
        /// <paramref name="at"/>, leaving the reader on its end; returns the characters written.
        /// </summary>
        public int AppendContent(XmlReader reader, int at)
        {
            if (reader.IsEmptyElement)
            {
                return 0;
            }

            var length = 0;
            var depth = reader.Depth;
            reader.Read();
            while (reader.Depth > depth && !reader.EOF)
            {
                if (reader.NodeType is XmlNodeType.Text or XmlNodeType.CDATA or XmlNodeType.SignificantWhitespace or XmlNodeType.Whitespace)
                {
                    int read;
                    do
                    {
                        if (Buffer.Length - (at + length) < 256)
                        {
                            Array.Resize(ref Buffer, Math.Max(Buffer.Length * 2, at + length + 256));
                        }

                        read = reader.ReadValueChunk(Buffer, at + length, Buffer.Length - (at + length));
                        length += read;
                    }
                    while (read > 0);
                    reader.Read();
                }
                else if (reader.NodeType == XmlNodeType.Element)
                {
                    reader.Skip();
                }
                else
                {
                    reader.Read();
                }
            }

            return length;
        }
    }
}
