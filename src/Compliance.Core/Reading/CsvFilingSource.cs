using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Text;
using Compliance.Core.Filings;
using nietras.SeparatedValues;
using Compliance.Core.Texts;
using static Compliance.Core.Texts.MessageArgs;

namespace Compliance.Core.Reading;

/// <summary>
/// A run of whole records cut from a file's bytes, parsed apart from the others (on any thread) by
/// <see cref="IChunkedFilingSource.ParseChunk"/>. Reused: its buffers grow to the largest chunk.
/// </summary>
internal sealed class FilingChunk
{
    private byte[] bytes = [];

    // Rented from the shared pool (so given back), rather than set from outside.
    private bool pooled;

    public byte[] Bytes
    {
        get => bytes;
        set => (bytes, pooled) = (value, false);
    }

    public int Length { get; set; }

    /// <summary>The file line the chunk's first record starts on (for JSON: the number of its first row).</summary>
    public int FirstLine { get; set; }

    /// <summary>Where the chunk starts in the file, for messages that name a byte.</summary>
    public long Offset { get; set; }

    /// <summary>The first chunk (JSON: it starts just inside the rows array, later ones just after a row).</summary>
    public bool First { get; set; }

    /// <summary>The file ended inside the chunk before its records did (JSON: the rows array is not closed).</summary>
    public bool Final { get; set; }

    /// <summary>
    /// Starts the chunk with the bytes left over from the one before, with room up to <paramref name="target"/>.
    /// Reads stop at targets that do not depend on a reused buffer's capacity, so the chunks, and what a rejected
    /// report counts, are the same however many threads take them.
    /// </summary>
    public byte[] StartWith(ReadOnlySpan<byte> carried, int target)
    {
        var room = Grow(target, filled: 0);
        carried.CopyTo(room);
        return room;
    }

    /// <summary>Room up to <paramref name="target"/>, keeping the first <paramref name="filled"/> bytes (none for a new chunk; what was read of a record longer than a chunk).</summary>
    public byte[] Grow(int target, int filled)
    {
        if (bytes.Length < target)
        {
            var larger = ArrayPool<byte>.Shared.Rent(target);
            bytes.AsSpan(0, filled).CopyTo(larger);
            Release();
            (bytes, pooled) = (larger, true);
        }

        return bytes;
    }

    /// <summary>
    /// Gives the buffer back to the shared pool for the next check's chunks: a chunk is larger than the collector's
    /// small objects, and a check on several threads that allocated its chunks afresh set off a full (blocking)
    /// collection with the hosts' GC settings.
    /// </summary>
    public void Release()
    {
        if (pooled)
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }

        (bytes, pooled) = ([], false);
    }
}

/// <summary>A source whose records can be cut into chunks on one thread and parsed on several.</summary>
internal interface IChunkedFilingSource : IFilingSource
{
    /// <summary>Fills <paramref name="chunk"/> with the next whole records (about <see cref="CsvFilingSource.ChunkBytes"/>); false at the end.</summary>
    bool NextChunk(FilingChunk chunk);

    /// <summary>The chunk's records, each in <paramref name="record"/> (reused); blank lines skipped; damage throws <see cref="FilingRejectedException"/>.</summary>
    IEnumerable<RawRecord> ParseChunk(FilingChunk chunk, RawRecord record);

    /// <summary>How the source rejects a file whose chunks held no record.</summary>
    FilingRejectedException NoRecords();

    /// <summary>Every record, chunk after chunk on the calling thread: <see cref="IFilingSource.ReadRecords"/> for a chunked source.</summary>
    static IEnumerable<RawRecord> ReadAll(IChunkedFilingSource source, CancellationToken cancellationToken)
    {
        var chunk = new FilingChunk();
        var record = new RawRecord(source.Schema);
        var any = false;
        while (source.NextChunk(chunk))
        {
            cancellationToken.ThrowIfCancellationRequested();
            foreach (var row in source.ParseChunk(chunk, record))
            {
                any = true;
                yield return row;
            }
        }

        if (!any)
        {
            throw source.NoRecords();
        }
    }
}

/// <summary>
/// RFC 4180 CSV: comma separated, header row required, UTF-8 (BOM optional) or GB18030; lines without quotes read
/// here, quoted records through Sep.
/// Quotes are checked here rather than left to Sep's lenient parsing, so a stray or unclosed quote is
/// reported on the line where it starts instead of silently swallowing the rest of the file.
/// <para>
/// The bytes after the header are cut into chunks of whole records where a line feed ends a record (outside
/// quotes; in neither encoding is 0x0A or 0x22 part of another character), so a large file's chunks are
/// decoded and parsed on several threads; each knows the line it starts on for messages.
/// </para>
/// </summary>
internal sealed class CsvFilingSource : IChunkedFilingSource
{
    /// <summary>Bytes per chunk: about 3,500 payroll rows; small enough to stay in the cache between the reading thread and the one that parses it (1 MB chunks measured 25% slower and 45 MB larger), large enough that a chunk's own setup is noise.</summary>
    internal const int ChunkBytes = 1 << 18;

    private readonly Encoding encoding;
    private readonly HeaderMap map;
    private readonly int headerColumns;
    private byte[] carry;
    private int carryLength;
    private int nextLine;
    private bool ended;

    public CsvFilingSource(Stream stream, byte[] sniffed, int sniffedLength, bool sniffedWholeFile, ReaderLimits limits)
    {
        encoding = TextEncodingDetector.Detect(sniffed.AsSpan(0, sniffedLength), sniffedWholeFile, out var preamble);
        Input = new CsvInputStream(stream, sniffed[preamble..sniffedLength], sniffedLength - preamble, limits);
        try
        {
            // The header is the first record: read until its line break (or the end), then parse it alone.
            carry = new byte[64 * 1024];
            var filled = 0;
            var headerEnd = -1;
            while (headerEnd < 0)
            {
                if (filled == carry.Length)
                {
                    Array.Resize(ref carry, carry.Length * 2);
                }

                var n = Input.Read(carry.AsSpan(filled));
                headerEnd = FirstRecordEnd(carry.AsSpan(0, filled + n));
                filled += n;
                if (n == 0)
                {
                    ended = true;
                    headerEnd = headerEnd < 0 ? filled : headerEnd;
                }
            }

            var headerText = encoding.GetString(carry, 0, headerEnd);
            nextLine = 1 + LineBreaks(carry.AsSpan(0, headerEnd));
            carryLength = filled - headerEnd;
            carry.AsSpan(headerEnd, carryLength).CopyTo(carry);
            using var reader = Sep.New(',').Reader(o => o with { HasHeader = false, DisableColCountCheck = true, Unescape = false }).FromText(headerText);
            if (!reader.MoveNext())
            {
                throw new FilingRejectedException(UserMessage.Of(MessageCode.CsvEmpty));
            }

            var header = reader.Current;
            var headers = new string?[header.ColCount];
            for (var i = 0; i < header.ColCount; i++)
            {
                var raw = header[i].Span;
                var unquoted = new char[raw.Length];
                var length = Unquote(raw, unquoted, header.LineNumberFrom, $"column {i + 1} of the header");
                headers[i] = length == 0 ? null : new string(unquoted, 0, length);
            }

            headerColumns = header.ColCount;
            map = HeaderMap.Build(headers, kindHint: null, i => UserMessage.Of(MessageCode.CellColumnNumber, Num(i + 1)));
        }
        catch (DecoderFallbackException ex)
        {
            Dispose();
            throw NotText(ex);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public FilingSchema Schema => map.Schema;

    public IReadOnlyList<FilingWarning> HeaderWarnings => map.Warnings;

    internal CsvInputStream Input { get; }

    public IEnumerable<RawRecord> ReadRecords(CancellationToken cancellationToken) => IChunkedFilingSource.ReadAll(this, cancellationToken);

    public FilingRejectedException NoRecords() => new(UserMessage.Of(MessageCode.NoDataRows), row: 2);

    public bool NextChunk(FilingChunk chunk)
    {
        if (ended && carryLength == 0)
        {
            return false;
        }

        var target = carryLength + ChunkBytes;
        var bytes = chunk.StartWith(carry.AsSpan(0, carryLength), target);
        var filled = carryLength;
        var end = -1;
        var lineAfter = nextLine;
        chunk.FirstLine = nextLine;
        while (!ended)
        {
            if (filled == target)
            {
                if (end >= 0)
                {
                    break;
                }

                // One record longer than the chunk (the input stream stops it at the record limit).
                target *= 2;
                bytes = chunk.Grow(target, filled);
            }

            var n = Input.Read(bytes.AsSpan(filled, target - filled));
            if (n == 0)
            {
                ended = true;
                break;
            }

            if (Input.LastRecordEnd >= 0)
            {
                end = filled + Input.LastRecordEnd;
                lineAfter = Input.LineAfterRecordEnd;
            }

            filled += n;
        }

        if (ended)
        {
            // The last records need no line feed after them.
            end = filled;
        }

        carryLength = filled - end;
        if (carry.Length < carryLength)
        {
            carry = new byte[carryLength * 2];
        }

        bytes.AsSpan(end, carryLength).CopyTo(carry);
        nextLine = lineAfter;
        chunk.Length = end;
        return end > 0;
    }

    /// <summary>
    /// A chunk with no quote (nearly every one) is read line by line here; one with a quote goes through Sep, whose
    /// quoted fields may span lines. Both give the same records, rows and messages.
    /// </summary>
    public IEnumerable<RawRecord> ParseChunk(FilingChunk chunk, RawRecord record) =>
        chunk.Bytes.AsSpan(0, chunk.Length).Contains((byte)'"') ? ParseQuoted(chunk, record) : ParseLines(chunk, record);

    /// <summary>
    /// Records without quotes are lines, and a line's fields are what its commas part: each line is decoded once,
    /// straight into the record, and its fields are slices of it. No 0x0A, 0x0D or 0x2C byte is part of another
    /// character in UTF-8 or GB18030, so lines are found in the bytes.
    /// </summary>
    private IEnumerable<RawRecord> ParseLines(FilingChunk chunk, RawRecord record)
    {
        var position = 0;
        var line = chunk.FirstLine;
        while (position < chunk.Length)
        {
            if (ReadLine(chunk, record, ref position, line++))
            {
                yield return record;
            }
        }
    }

    /// <summary>Reads the line at <paramref name="position"/> into <paramref name="record"/> and moves past its break (CR LF, LF or a lone CR, as Sep); false for a blank line.</summary>
    private bool ReadLine(FilingChunk chunk, RawRecord record, ref int position, int line)
    {
        var rest = chunk.Bytes.AsSpan(position, chunk.Length - position);
        var lineBreak = rest.IndexOfAny((byte)'\n', (byte)'\r');
        var bytes = lineBreak < 0 ? rest : rest[..lineBreak];
        position += lineBreak < 0 ? rest.Length
            : rest[lineBreak] == (byte)'\r' && lineBreak + 1 < rest.Length && rest[lineBreak + 1] == (byte)'\n' ? lineBreak + 2
            : lineBreak + 1;
        if (bytes.IsEmpty)
        {
            return false;
        }

        // Neither encoding makes more characters than it takes bytes, so the line fits where it is reserved.
        record.Clear();
        var text = record.Reserve(bytes.Length);
        if (Ascii.ToUtf16(bytes, text, out var length) != OperationStatus.Done)
        {
            try
            {
                length = encoding.GetChars(bytes, text);
            }
            catch (DecoderFallbackException ex)
            {
                // The records before were read and counted; the line before this one is the last that is text.
                throw NotText(ex, line - 1);
            }
        }

        text = text[..length];
        if (IsBlank(text))
        {
            return false;
        }

        record.Row = line;
        var start = record.CommitLine(length);
        var columns = length == bytes.Length
            ? SliceFields(bytes, (byte)',', start, record)
            : SliceFields(MemoryMarshal.Cast<char, ushort>(text), (ushort)',', start, record);
        if (columns != headerColumns)
        {
            throw FieldCount(line, columns);
        }

        return true;
    }

    /// <summary>
    /// The fields of a line, found 32 bytes (or 16 characters) at a time: one pass with no call per field, as Sep
    /// finds them. <paramref name="line"/> is the line's bytes when each byte made one character (ASCII, so its
    /// commas are where its bytes have them), else its decoded characters.
    /// </summary>
    private int SliceFields<T>(ReadOnlySpan<T> line, T comma, int start, RawRecord record)
        where T : unmanaged, IEquatable<T>
    {
        var fields = new FieldSlicer(map.Ordinals, start, record);
        ref var first = ref MemoryMarshal.GetReference(line);
        var commas = Vector256.Create(comma);
        var offset = 0;
        if (Vector256.IsHardwareAccelerated && line.Length >= Vector256<T>.Count)
        {
            for (; offset + Vector256<T>.Count <= line.Length; offset += Vector256<T>.Count)
            {
                fields.At(offset, Vector256.Equals(Vector256.LoadUnsafe(ref first, (nuint)offset), commas).ExtractMostSignificantBits());
            }

            if (offset < line.Length)
            {
                // The last block overlaps the one before; the bits of what was already seen are dropped.
                var from = line.Length - Vector256<T>.Count;
                var mask = Vector256.Equals(Vector256.LoadUnsafe(ref first, (nuint)from), commas).ExtractMostSignificantBits();
                fields.At(from, mask & (uint.MaxValue << (offset - from)));
            }
        }
        else
        {
            for (; offset < line.Length; offset++)
            {
                if (line[offset].Equals(comma))
                {
                    fields.At(offset, 1);
                }
            }
        }

        return fields.End(line.Length);
    }

    /// <summary>Turns the commas of a line, in order, into the record's fields; counts the fields.</summary>
    private ref struct FieldSlicer(int[] ordinals, int start, RawRecord record)
    {
        private int fieldStart;
        private int columns;

        /// <summary>The commas at <paramref name="offset"/> plus each set bit of <paramref name="mask"/>, lowest first.</summary>
        public void At(int offset, uint mask)
        {
            while (mask != 0)
            {
                var comma = offset + BitOperations.TrailingZeroCount(mask);
                mask &= mask - 1;
                Field(comma);
            }
        }

        public int End(int length)
        {
            Field(length);
            return columns;
        }

        private void Field(int end)
        {
            if ((uint)columns < (uint)ordinals.Length && ordinals[columns] is var ordinal and >= 0)
            {
                record.SetSlice(ordinal, start + fieldStart, end - fieldStart);
            }

            columns++;
            fieldStart = end + 1;
        }
    }

    private FilingRejectedException FieldCount(int line, int columns) => new(
        UserMessage.Of(MessageCode.CsvFieldCount, Num(line), Num(columns), Num(headerColumns)),
        row: line);

    private IEnumerable<RawRecord> ParseQuoted(FilingChunk chunk, RawRecord record)
    {
        var text = new ChunkReader(chunk, encoding.GetDecoder());
        using var reader = Sep.New(',').Reader(o => o with { HasHeader = false, DisableColCountCheck = true, Unescape = false }).From(text);
        var lineOffset = chunk.FirstLine - 1;
        var first = true;
        while (reader.MoveNext())
        {
            var row = reader.Current;

            // Sep 0.17.1 numbers the first row of a reader 2 (the rows after it are right): it starts the chunk.
            var line = (first ? 1 : row.LineNumberFrom) + lineOffset;
            first = false;
            if (IsBlank(row.Span))
            {
                continue;
            }

            record.Clear();
            record.Row = line;

            // Quotes first: an unclosed quote also swallows the separators after it, and the field count
            // would then blame the wrong thing.
            if (row.Span.Contains('"'))
            {
                UnquoteFields(row, record, line);
            }
            else
            {
                SliceFields(row, record);
            }

            if (row.ColCount != headerColumns)
            {
                throw FieldCount(line, row.ColCount);
            }

            yield return record;
        }

        // The records before the bytes that are not text were read and counted; then the damage is reported.
        if (text.Damage is { } damage)
        {
            throw damage;
        }
    }

    /// <summary>
    /// Where the first record ends (just past its line break outside quotes: CR LF, LF or a lone CR, as Sep
    /// splits rows), or -1 when <paramref name="bytes"/> does not show it yet.
    /// </summary>
    private static int FirstRecordEnd(ReadOnlySpan<byte> bytes)
    {
        var inQuotes = false;
        var at = 0;
        while (bytes[at..].IndexOfAny((byte)'"', (byte)'\n', (byte)'\r') is var next and >= 0)
        {
            at += next;
            if (bytes[at] == (byte)'"')
            {
                inQuotes = !inQuotes;
            }
            else if (!inQuotes)
            {
                if (bytes[at] == (byte)'\n')
                {
                    return at + 1;
                }

                // A CR: the end is after the LF that may follow it, which the next read may hold.
                return at + 1 == bytes.Length ? -1 : bytes[at + 1] == (byte)'\n' ? at + 2 : at + 1;
            }

            at++;
        }

        return -1;
    }

    /// <summary>Lines the bytes run over: their LFs and the CRs not followed by one (neither encoding has 0x0A or 0x0D inside a character).</summary>
    private static int LineBreaks(ReadOnlySpan<byte> bytes) => bytes.Count((byte)'\n') + bytes.Count((byte)'\r') - bytes.Count("\r\n"u8);

    /// <summary>
    /// A chunk's bytes decoded as Sep asks for text: no decoded copy of the whole chunk (twice its size), which each
    /// thread wrote and read back through the cache before Sep copied it into its own buffer. Bytes that are not
    /// text are reported with the line they follow, once the rows before them are read.
    /// </summary>
    internal sealed class ChunkReader(FilingChunk chunk, Decoder decoder) : TextReader
    {
        private int position;

        // Where decoding stops: the chunk's end, or the start of the record with bytes that are not text.
        private int end = chunk.Length;

        // A character decoded when Sep had room for one only (the second of two decoded then).
        private char? pending;

        public override int Read(Span<char> buffer)
        {
            if (buffer.IsEmpty)
            {
                return 0;
            }

            if (pending is { } low)
            {
                (buffer[0], pending) = (low, null);
                return 1;
            }

            if (position == end)
            {
                return 0;
            }

            // Room for one character only: the next may be outside the BMP and need two (a decoder throws rather than
            // split a surrogate pair), so two are decoded and the second kept.
            Span<char> pair = stackalloc char[2];
            var into = buffer.Length == 1 ? pair : buffer;
            var written = Decode(into);
            if (written == 0 && position != end)
            {
                // Nothing read would be taken for the chunk's end and drop its remaining rows without a word.
                throw new InvalidOperationException($"The decoder made no progress at byte {position} of the chunk.");
            }

            if (buffer.Length == 1 && written > 0)
            {
                (buffer[0], pending) = (pair[0], written == 2 ? pair[1] : null);
                return 1;
            }

            return written;
        }

        public override int Read(char[] buffer, int index, int count) => Read(buffer.AsSpan(index, count));

        public override int Read()
        {
            Span<char> one = stackalloc char[1];
            return Read(one) == 1 ? one[0] : -1;
        }

        // TextReader's own Peek says "the end" (-1): a reader that asked would silently drop the chunk's rows.
        public override int Peek() => throw new NotSupportedException("A chunk is read in blocks.");

        /// <summary>Bytes that are not text, found in the chunk: reported once the records before them are read.</summary>
        public FilingRejectedException? Damage { get; private set; }

        private int Decode(Span<char> buffer)
        {
            var bytes = chunk.Bytes.AsSpan(position, end - position);
            try
            {
                // Every byte up to the end is here, and it ends a record: nothing is left to flush.
                decoder.Convert(bytes, buffer, flush: true, out var used, out var written, out _);
                position += used;
                return written;
            }
            catch (DecoderFallbackException ex)
            {
                // Decoding now ends where the damaged record starts (a chunk starts with a record); Sep reads the
                // records before it as the file's last, and the damage is reported after them.
                var at = position + (ex.Index is var index and >= 0 && index < bytes.Length ? index : 0);
                Damage = NotText(ex, chunk.FirstLine + LineBreaks(chunk.Bytes.AsSpan(0, at)) - 1);
                var recordStart = 0;
                while (recordStart < at && FirstRecordEnd(chunk.Bytes.AsSpan(recordStart, at - recordStart)) is var next and > 0)
                {
                    recordStart += next;
                }

                if (recordStart < position)
                {
                    // Part of the damaged record is with Sep already: reported now, with the rows read before it.
                    throw Damage;
                }

                end = recordStart;
                decoder.Reset();
                return position == end ? 0 : Decode(buffer);
            }
        }
    }

    /// <summary>
    /// The common row without a quote: the line is copied once and its fields become slices of the copy
    /// (with unescaping off, Sep's field spans point into its line).
    /// </summary>
    private void SliceFields(SepReader.Row row, RawRecord record)
    {
        var ordinals = map.Ordinals;
        var lineText = row.Span;
        var start = record.AppendLine(lineText);
        ref var origin = ref MemoryMarshal.GetReference(lineText);
        for (var i = 0; i < row.ColCount && i < ordinals.Length; i++)
        {
            if (ordinals[i] is var ordinal and >= 0)
            {
                var field = row[i].Span;
                var offset = (long)Unsafe.ByteOffset(ref origin, ref MemoryMarshal.GetReference(field)) / sizeof(char);
                if (offset >= 0 && offset + field.Length <= lineText.Length)
                {
                    record.SetSlice(ordinal, start + (int)offset, field.Length);
                }
                else
                {
                    record.Set(ordinal, field);
                }
            }
        }
    }

    private void UnquoteFields(SepReader.Row row, RawRecord record, int line)
    {
        var ordinals = map.Ordinals;
        for (var i = 0; i < row.ColCount; i++)
        {
            var raw = row[i].Span;
            var ordinal = i < ordinals.Length ? ordinals[i] : -1;
            if (raw.IndexOf('"') < 0)
            {
                if (ordinal >= 0)
                {
                    record.Set(ordinal, raw);
                }

                continue;
            }

            var column = ordinal >= 0 ? map.Schema.Columns[ordinal].Name : $"column {i + 1}";
            var length = Unquote(raw, record.Reserve(raw.Length), line, column);
            if (ordinal >= 0)
            {
                record.Commit(ordinal, length);
            }
        }
    }

    /// <summary>
    /// RFC 4180 unescaping into <paramref name="destination"/> (at least as long as the field), with the
    /// errors Sep tolerates turned into messages. Returns the unescaped length.
    /// </summary>
    private static int Unquote(ReadOnlySpan<char> raw, Span<char> destination, int line, string column)
    {
        var quote = raw.IndexOf('"');
        if (quote < 0)
        {
            raw.CopyTo(destination);
            return raw.Length;
        }

        if (raw[0] != '"')
        {
            throw new FilingRejectedException(
                UserMessage.Of(MessageCode.CsvQuoteInUnquotedField, Num(line), column),
                row: line,
                column: column);
        }

        if (raw.Length < 2 || raw[^1] != '"')
        {
            throw new FilingRejectedException(
                UserMessage.Of(MessageCode.CsvQuoteNotClosed, Num(line), column),
                row: line,
                column: column);
        }

        var inner = raw[1..^1];
        var length = 0;
        for (var i = 0; i < inner.Length; i++)
        {
            if (inner[i] == '"')
            {
                if (i + 1 >= inner.Length || inner[i + 1] != '"')
                {
                    throw new FilingRejectedException(
                        UserMessage.Of(MessageCode.CsvLoneQuote, Num(line), column),
                        row: line,
                        column: column);
                }

                i++;
            }

            destination[length++] = inner[i];
        }

        return length;
    }

    /// <summary>A line of nothing but separators and white space (Excel writes these below the data).</summary>
    private static bool IsBlank(ReadOnlySpan<char> line)
    {
        // A row of data starts with something that is not blank: no search needed for it.
        var other = line.IsEmpty || BlankLine.Contains(line[0]) ? line.IndexOfAnyExcept(BlankLine) : 0;
        if (other < 0)
        {
            return true;
        }

        if (!char.IsWhiteSpace(line[other]))
        {
            return false;
        }

        // Rare white space outside the common set: fall back to trimming each field. (A quoted field is never
        // blank, so parting at every comma, quoted or not, gives the same answer.)
        foreach (var field in line.Split(','))
        {
            if (!line[field].Trim().IsEmpty)
            {
                return false;
            }
        }

        return true;
    }

    private static readonly SearchValues<char> BlankLine = SearchValues.Create(", \t\u00A0\u3000");

    private static FilingRejectedException NotText(DecoderFallbackException ex, int? afterLine = null) => new(
        afterLine is { } line ? UserMessage.Of(MessageCode.CsvNotTextAfterLine, Num(line)) : UserMessage.Of(MessageCode.CsvNotText),
        ex);

    public void Dispose() => Input.Dispose();
}
