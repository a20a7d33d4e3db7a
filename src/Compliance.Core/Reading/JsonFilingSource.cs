using System.Text.Json;
using Compliance.Core.Filings;
using Compliance.Core.Texts;
using static Compliance.Core.Texts.MessageArgs;

namespace Compliance.Core.Reading;

/// <summary>
/// <c>{"kind": "...", header fields..., "rows": [ {...}, ... ]}</c>. Header fields apply to every row that
/// does not give its own. Property order in a JSON object carries no meaning and serialisers often write
/// keys alphabetically ("uscc" after "rows"), so the rows cannot always be read as they come. The common file
/// names its kind before the rows and ends with them: it is read in one pass, the rows from where the header
/// stops. When more than the object's closing brace follows the rows (found when the rows array closes), the
/// rows read so far are thrown away (<see cref="RowsReadAgainException"/>) and the file is read in two passes:
/// the first reads the header fields, skipping the rows array by its brackets alone, and the second streams the
/// rows, checking every token. The stream must therefore be seekable. A row that is not JSON is reported by the
/// pass reading the rows, with its number.
/// </summary>
internal sealed class JsonFilingSource : IChunkedFilingSource
{
    private readonly Stream stream;
    private readonly long origin;
    private readonly int maxValueBytes;
    private readonly string?[] headerCells;
    private readonly List<FilingWarning> warnings = [];
    private readonly List<(string Name, string? Value)> header = [];

    // One row parser per thread; each notes the fields no column has that it met. How many such notes there are, for the warnings' cache.
    private ThreadLocal<RowParser> parsers;
    private int unknownNoted;

    // Reading the rows: bytes after the last whole row of the previous chunk, where the rows array starts, and how far it has got.
    private JsonSkipScanner rowsScanner = new();
    private byte[] carry = [];
    private int carryLength;
    private long rowsStart;
    private long nextOffset = -1;
    private int nextRow = 1;
    private bool rowsRead;
    private FilingRejectedException? afterRows;
    private List<FilingWarning>? allWarnings;
    private int allWarningsNoted;

    // One pass: the header was read up to the rows and nothing but the closing brace may follow them.
    private bool rowsLast;

    public JsonFilingSource(Stream seekableStream, ReaderLimits limits)
    {
        stream = seekableStream;
        origin = seekableStream.Position;
        maxValueBytes = limits.MaxRecordBytes;
        parsers = NewParsers();
        ReadHeader(stopAtRows: true);
        var kindText = header.FirstOrDefault(h => IsKind(h.Name)).Value;
        if (kindText is null)
        {
            throw new FilingRejectedException(UserMessage.Of(MessageCode.JsonNoKind, FilingKindNames.ListedText), column: "kind");
        }

        if (!FilingKindNames.TryParse(kindText, out var kind))
        {
            throw new FilingRejectedException(UserMessage.Of(MessageCode.JsonUnknownKind, kindText, FilingKindNames.ListedText), column: "kind");
        }

        if (rowsStart < 0)
        {
            throw new FilingRejectedException(UserMessage.Of(MessageCode.JsonNoRows), column: "rows");
        }

        Schema = FilingSchema.For(kind);
        headerCells = new string?[Schema.Columns.Count];
        ApplyHeader();
    }

    /// <summary>
    /// Reads the top level's fields other than the rows into <see cref="header"/>, noting where the rows array starts.
    /// With <paramref name="stopAtRows"/> it stops there once the kind is known (one pass: the rows are read next,
    /// from there); otherwise it skips the array and reads on to the end.
    /// </summary>
    private void ReadHeader(bool stopAtRows)
    {
        header.Clear();
        (rowsStart, afterRows, rowsLast) = (-1, null, false);
        stream.Position = origin;
        var skipped = false;
        var cursor = new JsonCursor(stream, maxValueBytes);
        try
        {
            Guard(null, cursor, () =>
            {
                if (cursor.ReadToken(out _) != JsonTokenType.StartObject)
                {
                    throw new FilingRejectedException(UserMessage.Of(MessageCode.JsonNotObject));
                }

                while (cursor.ReadToken(out var name) == JsonTokenType.PropertyName)
                {
                    if (string.Equals(name, "rows", StringComparison.OrdinalIgnoreCase))
                    {
                        var opened = cursor.ReadToken(out _);
                        if (opened != JsonTokenType.StartArray)
                        {
                            throw new FilingRejectedException(UserMessage.Of(MessageCode.JsonRowsNotArray), column: "rows");
                        }

                        // Most readers would take the last of two and this one the first: two row sets, two verdicts.
                        if (rowsStart >= 0)
                        {
                            throw new FilingRejectedException(UserMessage.Of(MessageCode.JsonHeaderFieldTwice, "\"rows\""), column: "rows");
                        }

                        rowsStart = cursor.Offset;
                        if (stopAtRows && HasKind() && EndsLikeRowsLast())
                        {
                            rowsLast = true;
                            return;
                        }

                        if (!cursor.SkipRowsArray())
                        {
                            // Cut off inside the rows: the header is what came before them.
                            return;
                        }

                        skipped = true;
                    }
                    else
                    {
                        if (IsKind(name!) && HasKind())
                        {
                            throw new FilingRejectedException(UserMessage.Of(MessageCode.JsonHeaderFieldTwice, "\"kind\""), column: "kind");
                        }

                        var value = cursor.ReadValueOrEndArray() ?? throw new JsonException("Unexpected ']'.");
                        header.Add((name!, CellText(value, name!, row: null)));
                    }
                }
            });
        }
        catch (FilingRejectedException ex) when (skipped && HasKind())
        {
            // The JSON stops being JSON after the rows. Often the damage is in a row whose brackets misled the skip:
            // the rows are read first, so a damaged row is named; when they are whole, this is the verdict.
            afterRows = ex;
        }
    }

    /// <summary>
    /// Whether the file ends as one whose rows come last does: <c>]</c> then <c>}</c>, white space aside. Otherwise a
    /// header field follows the rows (its value ends the file), and reading the rows first would be wasted. A field
    /// after the rows whose value is an array also ends so; that is found when the rows end, and they are read again.
    /// </summary>
    private bool EndsLikeRowsLast()
    {
        var at = stream.Position;
        try
        {
            Span<byte> tail = stackalloc byte[256];
            var from = Math.Max(origin, stream.Length - tail.Length);
            stream.Position = from;
            tail = tail[..stream.ReadAtLeast(tail, (int)(stream.Length - from), throwOnEndOfStream: false)];
            tail = tail.TrimEnd(" \t\r\n"u8);
            return tail.EndsWith("}"u8) && tail[..^1].TrimEnd(" \t\r\n"u8).EndsWith("]"u8);
        }
        finally
        {
            stream.Position = at;
        }
    }

    private ThreadLocal<RowParser> NewParsers() => new(() => new RowParser(this), trackAllValues: true);

    private static bool IsKind(string name) => string.Equals(name, "kind", StringComparison.OrdinalIgnoreCase);

    private bool HasKind() => header.Exists(h => IsKind(h.Name));

    /// <summary>The header's fields as every row's defaults; a field no column has is warned of.</summary>
    private void ApplyHeader()
    {
        Array.Clear(headerCells);
        warnings.Clear();
        var given = new bool[headerCells.Length];
        foreach (var (name, value) in header)
        {
            if (IsKind(name))
            {
                continue;
            }

            if (Schema.Find(name) is { } column)
            {
                // Two names for one column (its English and Chinese names, say) as well as one name twice.
                if (given[column.Ordinal])
                {
                    throw new FilingRejectedException(UserMessage.Of(MessageCode.JsonHeaderFieldTwice, column.Display), column: column.Name);
                }

                given[column.Ordinal] = true;
                headerCells[column.Ordinal] = value;
            }
            else
            {
                warnings.Add(new FilingWarning("UNKNOWN_COLUMN", null, UserMessage.Of(MessageCode.WarnUnknownField, name, Schema.Name), name));
            }
        }
    }

    /// <summary>
    /// After a one-pass read found more than the closing brace after the rows, and once the rows handed out are
    /// done with: the header read again in full (skipping the rows), and the rows to be read again from the first.
    /// </summary>
    private void ReadAgainInTwoPasses()
    {
        // The same bytes up to the rows read without fault the first time, and a fault after them waits for the rows;
        // the header as a whole may give a column twice (before the rows and after them), which rejects the file.
        ReadHeader(stopAtRows: false);
        ApplyHeader();
        (rowsScanner, carryLength, nextOffset, nextRow, rowsRead) = (new JsonSkipScanner(), 0, -1, 1, false);
        // New parsers: the old ones remember names as met, and the fields no column has must be met again.
        parsers.Dispose();
        parsers = NewParsers();
        (unknownNoted, allWarnings, allWarningsNoted) = (0, null, 0);
    }

    /// <summary>Whether what follows the rows array is the object's closing brace alone (white space aside), reading to the end of the file.</summary>
    private bool OnlyClosingBraceFollows(ReadOnlySpan<byte> read)
    {
        var closed = false;
        var more = Array.Empty<byte>();
        while (true)
        {
            foreach (var b in read)
            {
                if (b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
                {
                    continue;
                }

                if (b == (byte)'}' && !closed)
                {
                    closed = true;
                    continue;
                }

                return false;
            }

            if (more.Length == 0)
            {
                more = new byte[4096];
            }

            var n = stream.Read(more);
            if (n == 0)
            {
                return closed;
            }

            read = more.AsSpan(0, n);
        }
    }

    public FilingSchema Schema { get; }

    /// <summary>The header's warnings, then (once the rows are read) one for each field no column has, in the order the rows first give them.</summary>
    public IReadOnlyList<FilingWarning> HeaderWarnings
    {
        get
        {
            var noted = Volatile.Read(ref unknownNoted);
            if (noted == 0)
            {
                return warnings;
            }

            // Built once the threads are done with the rows (the checker then asks again for each warning it takes).
            // Each thread meets its rows in file order, so a name's first row is the least of the threads' first.
            if (allWarnings is null || allWarningsNoted != noted)
            {
                var first = new Dictionary<string, (int Row, int Position)>(StringComparer.Ordinal);
                foreach (var parser in parsers.Values)
                {
                    foreach (var (name, at) in parser.Unknown)
                    {
                        first[name] = first.TryGetValue(name, out var other) && other.CompareTo(at) < 0 ? other : at;
                    }
                }

                allWarnings = [.. warnings, .. first.OrderBy(u => u.Value).Select(u => new FilingWarning("UNKNOWN_COLUMN", u.Value.Row, UserMessage.Of(MessageCode.WarnUnknownFieldInRow, u.Key, Num(u.Value.Row), Schema.Name), u.Key))];
                allWarningsNoted = noted;
            }

            return allWarnings;
        }
    }

    public IEnumerable<RawRecord> ReadRecords(CancellationToken cancellationToken) => IChunkedFilingSource.ReadAll(this, cancellationToken);

    public FilingRejectedException NoRecords() => new(UserMessage.Of(MessageCode.JsonRowsEmpty), column: "rows");

    /// <summary>
    /// The next whole rows of the array as bytes, cut where a row's closing bracket ends it (found by
    /// <see cref="JsonSkipScanner"/>), so each chunk is read apart from the others, on any thread. The last chunk
    /// ends with the array's closing bracket, or with the file when the array is not closed.
    /// </summary>
    public bool NextChunk(FilingChunk chunk)
    {
        if (nextOffset < 0)
        {
            nextOffset = rowsStart;
            stream.Position = origin + rowsStart;
        }

        chunk.First = nextOffset == rowsStart;

        if (rowsRead && carryLength == 0)
        {
            if (afterRows is { } damaged)
            {
                afterRows = null;
                throw damaged;
            }

            return false;
        }

        var target = carryLength + CsvFilingSource.ChunkBytes;
        var bytes = chunk.StartWith(carry.AsSpan(0, carryLength), target);
        var filled = carryLength;
        var cut = -1;
        var rows = 0;
        var final = false;
        while (!rowsRead)
        {
            if (filled == target)
            {
                if (cut >= 0)
                {
                    break;
                }

                // One row longer than the chunk: the buffer grows for it, up to the limit for one value.
                if (target - carryLength >= maxValueBytes)
                {
                    throw new FilingRejectedException(UserMessage.Of(MessageCode.JsonValueTooLarge, Num(maxValueBytes / 1024)));
                }

                target *= 2;
                bytes = chunk.Grow(target, filled);
            }

            var n = stream.Read(bytes, filled, target - filled);
            if (n == 0)
            {
                // The file ends inside the rows array: the row pass says where.
                (rowsRead, final, cut) = (true, true, filled);
                break;
            }

            var closed = rowsScanner.ScanElements(bytes.AsSpan(filled, n), out var elements, out var lastEnd);
            rows += elements;
            if (closed >= 0)
            {
                // The array's closing bracket: what follows it was read by the header pass, or must be nothing.
                (rowsRead, cut) = (true, filled + closed);
                if (rowsLast && !OnlyClosingBraceFollows(bytes.AsSpan(cut, n - closed)))
                {
                    throw new RowsReadAgainException(ReadAgainInTwoPasses);
                }

                filled += n;
                break;
            }

            if (lastEnd >= 0)
            {
                cut = filled + lastEnd;
            }

            filled += n;
        }

        carryLength = rowsRead ? 0 : filled - cut;
        if (carry.Length < carryLength)
        {
            carry = new byte[Math.Max(carryLength, 2 * carry.Length)];
        }

        bytes.AsSpan(cut, carryLength).CopyTo(carry);
        chunk.Length = cut;
        chunk.Offset = nextOffset;
        chunk.FirstLine = nextRow;
        chunk.Final = final;
        nextOffset += cut;
        nextRow += rows;
        return cut > 0 || chunk.First;
    }

    /// <summary>The rows of one chunk, each in <paramref name="record"/> (reused), checked token by token.</summary>
    public IEnumerable<RawRecord> ParseChunk(FilingChunk chunk, RawRecord record)
    {
        var parser = parsers.Value!;
        var state = JsonCursor.RowsState(chunk.First, chunk.Bytes.AsSpan(0, chunk.Length));
        var consumed = 0;
        for (var row = chunk.FirstLine; ; row++)
        {
            var start = consumed;
            RowRead read;
            try
            {
                read = parser.Read(chunk.Bytes.AsSpan(0, chunk.Length), chunk.Final, ref state, ref consumed, record, row);
            }
            catch (JsonException ex)
            {
                throw Malformed(row, chunk.Offset + start, ex);
            }
            catch (InvalidOperationException ex) when (ex.InnerException is System.Text.DecoderFallbackException)
            {
                throw NotUtf8(row, null, ex);
            }

            if (read == RowRead.End)
            {
                yield break;
            }

            if (read == RowRead.OutOfBytes)
            {
                if (start == consumed)
                {
                    yield break;
                }

                // Cut inside a row: the brackets said it ended, the tokens say it did not; only damaged JSON does that.
                throw Malformed(row, chunk.Offset + start, new JsonException("A row does not end where its brackets say it does."));
            }

            yield return record;
        }
    }

    private enum RowRead
    {
        Row,
        End,
        OutOfBytes,
    }

    /// <summary>
    /// Reads rows for one thread: its own copies of the names seen (rows nearly always repeat the keys of the
    /// row before, in its order, so a key is first compared as bytes with the last row's key at its place).
    /// </summary>
    private sealed class RowParser(JsonFilingSource source)
    {
        private readonly Dictionary<string, ColumnDefinition?> columnsByName = new(StringComparer.Ordinal);
        private readonly List<(byte[] Utf8, ColumnDefinition? Column)> keysInOrder = [];

        /// <summary>The fields no column has that this thread met, each where it first met it.</summary>
        public Dictionary<string, (int Row, int Position)> Unknown { get; } = new(StringComparer.Ordinal);
        private Dictionary<string, ColumnDefinition?>.AlternateLookup<ReadOnlySpan<char>> NamesSeen => columnsByName.GetAlternateLookup<ReadOnlySpan<char>>();

        /// <summary>One row object's fields into the raw record; the reader picks up at <paramref name="consumed"/> with <paramref name="state"/>, both moved past the row.</summary>
        public RowRead Read(ReadOnlySpan<byte> bytes, bool final, ref JsonReaderState state, ref int consumed, RawRecord record, int rowIndex)
        {
            var reader = new Utf8JsonReader(bytes[consumed..], final, state);
            var read = Row(ref reader, record, rowIndex);
            if (read != RowRead.OutOfBytes)
            {
                consumed += (int)reader.BytesConsumed;
                state = reader.CurrentState;
            }

            return read;
        }

        private RowRead Row(ref Utf8JsonReader reader, RawRecord record, int rowIndex)
        {
            if (!reader.Read())
            {
                return RowRead.OutOfBytes;
            }

            if (reader.TokenType == JsonTokenType.EndArray)
            {
                return RowRead.End;
            }

            if (reader.TokenType != JsonTokenType.StartObject)
            {
                throw new FilingRejectedException(UserMessage.Of(MessageCode.JsonRowNotObject, Num(rowIndex), KindName(reader.TokenType)), row: rowIndex);
            }

            record.Clear();
            record.Row = rowIndex;
            var headerCells = source.headerCells;
            for (var i = 0; i < headerCells.Length; i++)
            {
                if (headerCells[i] is { } shared)
                {
                    record.Set(i, shared);
                }
            }

            // A key given twice in one row is ambiguous (parsers disagree on which wins), as is a column given twice in a header.
            var given = 0UL;
            for (var position = 0; ; position++)
            {
                if (!reader.Read())
                {
                    return RowRead.OutOfBytes;
                }

                if (reader.TokenType == JsonTokenType.EndObject)
                {
                    return RowRead.Row;
                }

                ColumnDefinition? column;
                if (position < keysInOrder.Count && !reader.ValueIsEscaped && reader.ValueSpan.SequenceEqual(keysInOrder[position].Utf8))
                {
                    column = keysInOrder[position].Column;
                }
                else
                {
                    column = ColumnOf(ref reader, rowIndex, position);
                    if (!reader.ValueIsEscaped && reader.ValueSpan.Length <= 128 && position <= keysInOrder.Count && position < 256)
                    {
                        var key = (reader.ValueSpan.ToArray(), column);
                        if (position == keysInOrder.Count)
                        {
                            keysInOrder.Add(key);
                        }
                        else
                        {
                            keysInOrder[position] = key;
                        }
                    }
                }

                if (!reader.Read())
                {
                    return RowRead.OutOfBytes;
                }

                if (column is null)
                {
                    if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray && !reader.TrySkip())
                    {
                        return RowRead.OutOfBytes;
                    }

                    continue;
                }

                if (column.Ordinal < 64)
                {
                    if ((given & (1UL << column.Ordinal)) != 0)
                    {
                        throw new FilingRejectedException(UserMessage.Of(MessageCode.JsonFieldTwice, Num(rowIndex), column.Display), row: rowIndex, column: column.Name);
                    }

                    given |= 1UL << column.Ordinal;
                }

                switch (reader.TokenType)
                {
                    case JsonTokenType.String:
                        try
                        {
                            // Unescaped UTF-16 is never longer than the UTF-8 it came from.
                            var length = reader.CopyString(record.Reserve(reader.ValueSpan.Length));
                            record.Commit(column.Ordinal, length);
                        }
                        catch (InvalidOperationException ex) when (ex.InnerException is System.Text.DecoderFallbackException)
                        {
                            throw NotUtf8(rowIndex, column.Name, ex);
                        }

                        break;
                    case JsonTokenType.Number:
                        // A JSON number is ASCII: widened as it stands, so 12.50 stays 12.50 for the parser's own checks.
                        var number = reader.ValueSpan;
                        System.Text.Ascii.ToUtf16(number, record.Reserve(number.Length), out var written);
                        record.Commit(column.Ordinal, written);
                        break;
                    case JsonTokenType.True:
                        record.Set(column.Ordinal, "yes");
                        break;
                    case JsonTokenType.False:
                        record.Set(column.Ordinal, "no");
                        break;
                    case JsonTokenType.Null:
                        break;
                    default:
                        throw new FilingRejectedException(UserMessage.Of(MessageCode.JsonRowFieldNotValue, Num(rowIndex), column.Name, KindName(reader.TokenType)), row: rowIndex, column: column.Name);
                }
            }
        }

        /// <summary>The column a property name stands for (names seen before are looked up without a string), noting where a name no column has was first met.</summary>
        private ColumnDefinition? ColumnOf(ref Utf8JsonReader reader, int rowIndex, int position)
        {
            string name;
            if (reader.ValueSpan.Length <= 128)
            {
                Span<char> text = stackalloc char[128];
                text = text[..reader.CopyString(text)];
                if (NamesSeen.TryGetValue(text, out var known))
                {
                    return known;
                }

                name = new string(text);
            }
            else
            {
                name = reader.GetString()!;
            }

            var column = source.Schema.Find(name);
            if (columnsByName.Count < 256)
            {
                columnsByName[name] = column;
            }

            if (column is null && Unknown.TryAdd(name, (rowIndex, position)))
            {
                Interlocked.Increment(ref source.unknownNoted);
            }

            return column;
        }
    }

    /// <summary>What <see cref="JsonValueKind"/> calls the value a token starts, as messages name it.</summary>
    private static string KindName(JsonTokenType token) => token switch
    {
        JsonTokenType.StartObject => "object",
        JsonTokenType.StartArray => "array",
        JsonTokenType.String => "string",
        JsonTokenType.Number => "number",
        JsonTokenType.True => "true",
        JsonTokenType.False => "false",
        _ => "null",
    };

    private static string? CellText(JsonElement value, string name, int? row) => value.ValueKind switch
    {
        JsonValueKind.String => StringOf(value, name, row),
        JsonValueKind.Number => value.GetRawText(),
        JsonValueKind.True => "yes",
        JsonValueKind.False => "no",
        JsonValueKind.Null or JsonValueKind.Undefined => null,
        _ => throw new FilingRejectedException(
            row is null
                ? UserMessage.Of(MessageCode.JsonFieldNotValue, name, value.ValueKind.ToString().ToLowerInvariant())
                : UserMessage.Of(MessageCode.JsonRowFieldNotValue, Num(row.Value), name, value.ValueKind.ToString().ToLowerInvariant()),
            row: row,
            column: name),
    };

    /// <summary>The reader checks UTF-8 only when a string is decoded; bytes that are not UTF-8 are the filer's to fix.</summary>
    private static string? StringOf(JsonElement value, string name, int? row)
    {
        try
        {
            return value.GetString();
        }
        catch (InvalidOperationException ex) when (ex.InnerException is System.Text.DecoderFallbackException)
        {
            throw NotUtf8(row, name, ex);
        }
    }

    private static void Guard(int? row, JsonCursor cursor, Action action)
    {
        try
        {
            action();
        }
        catch (JsonException ex)
        {
            throw Malformed(row, cursor.Offset, ex);
        }
        catch (InvalidOperationException ex) when (ex.InnerException is System.Text.DecoderFallbackException)
        {
            throw NotUtf8(row, null, ex);
        }
    }

    /// <summary>Where the JSON stops being JSON, from the byte a reading started at (the row's start: the byte after the row before).</summary>
    private static FilingRejectedException Malformed(int? row, long offset, JsonException ex)
    {
        var at = Grouped(offset + 1);
        var detail = ex.Message.Split(" Path:", 2)[0].Split(" LineNumber:", 2)[0];
        var message = (ex.Message.Contains("maximum configured depth", StringComparison.Ordinal), row) switch
        {
            (true, null) => UserMessage.Of(MessageCode.JsonTooDeep, at),
            (true, { } r) => UserMessage.Of(MessageCode.JsonRowTooDeep, Num(r), at),
            (false, null) => UserMessage.Of(MessageCode.JsonMalformed, at, detail),
            (false, { } r) => UserMessage.Of(MessageCode.JsonRowMalformed, Num(r), at, detail),
        };
        return new FilingRejectedException(message, ex, row: row);
    }

    private static FilingRejectedException NotUtf8(int? row, string? field, Exception inner) => new(
        (row, field) switch
        {
            (null, null) => UserMessage.Of(MessageCode.JsonNotUtf8),
            (null, { } f) => UserMessage.Of(MessageCode.JsonFieldNotUtf8, f),
            ({ } r, null) => UserMessage.Of(MessageCode.JsonRowNotUtf8, Num(r)),
            ({ } r, { } f) => UserMessage.Of(MessageCode.JsonRowFieldNotUtf8, Num(r), f),
        },
        inner,
        row: row,
        column: field);

    // The stream belongs to the caller that opened it.
    public void Dispose() => parsers.Dispose();
}
