using System.Text.Json;
using Compliance.Core.Filings;
using Compliance.Core.Texts;
using static Compliance.Core.Texts.MessageArgs;

namespace Compliance.Core.Reading;

/// <summary>
/// <c>{"kind": "...", header fields..., "rows": [ {...}, ... ]}</c>. Header fields apply to every row that
/// does not give its own. Property order in a JSON object carries no meaning and serialisers often write
/// keys alphabetically ("uscc" after "rows"), so a first pass reads the header fields, skipping the rows
/// array by its brackets alone, and a second pass streams the rows, checking every token. The stream must
/// therefore be seekable. A row that is not JSON is reported by the second pass, with its number.
/// </summary>
internal sealed class JsonFilingSource : IFilingSource
{
    private readonly Stream stream;
    private readonly long origin;
    private readonly int maxValueBytes;
    private readonly string?[] headerCells;
    private readonly List<FilingWarning> warnings = [];
    private readonly HashSet<string> reportedUnknown = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ColumnDefinition?> columnsByName = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ColumnDefinition?>.AlternateLookup<ReadOnlySpan<char>> namesSeen;
    private readonly List<(byte[] Utf8, ColumnDefinition? Column)> keysInOrder = [];
    private RawRecord? row;
    private int rowIndex;
    private bool rowsEnded;

    public JsonFilingSource(Stream seekableStream, ReaderLimits limits)
    {
        stream = seekableStream;
        origin = seekableStream.Position;
        namesSeen = columnsByName.GetAlternateLookup<ReadOnlySpan<char>>();
        maxValueBytes = limits.MaxRecordBytes;

        var header = new List<(string Name, string? Value)>();
        var hasRows = false;
        var cursor = new JsonCursor(stream, maxValueBytes);
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

                    hasRows = true;
                    if (!cursor.SkipRowsArray())
                    {
                        // Cut off inside the rows: the header is what came before them.
                        return;
                    }
                }
                else
                {
                    var value = cursor.ReadValueOrEndArray() ?? throw new JsonException("Unexpected ']'.");
                    header.Add((name!, CellText(value, name!, row: null)));
                }
            }
        });

        var kindText = header.FirstOrDefault(h => string.Equals(h.Name, "kind", StringComparison.OrdinalIgnoreCase)).Value;
        if (kindText is null)
        {
            throw new FilingRejectedException(UserMessage.Of(MessageCode.JsonNoKind, FilingKindNames.ListedText), column: "kind");
        }

        if (!FilingKindNames.TryParse(kindText, out var kind))
        {
            throw new FilingRejectedException(UserMessage.Of(MessageCode.JsonUnknownKind, kindText, FilingKindNames.ListedText), column: "kind");
        }

        if (!hasRows)
        {
            throw new FilingRejectedException(UserMessage.Of(MessageCode.JsonNoRows), column: "rows");
        }

        Schema = FilingSchema.For(kind);
        headerCells = new string?[Schema.Columns.Count];
        foreach (var (name, value) in header)
        {
            if (string.Equals(name, "kind", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (Schema.Find(name) is { } column)
            {
                headerCells[column.Ordinal] = value;
            }
            else
            {
                warnings.Add(new FilingWarning("UNKNOWN_COLUMN", null, UserMessage.Of(MessageCode.WarnUnknownField, name, FilingSchema.For(kind).Name), name));
            }
        }
    }

    public FilingSchema Schema { get; }

    public IReadOnlyList<FilingWarning> HeaderWarnings => warnings;

    public IEnumerable<RawRecord> ReadRecords(CancellationToken cancellationToken)
    {
        stream.Position = origin;
        var cursor = new JsonCursor(stream, maxValueBytes);
        Guard(null, cursor, () =>
        {
            cursor.ReadToken(out _);
            while (cursor.ReadToken(out var name) == JsonTokenType.PropertyName)
            {
                if (string.Equals(name, "rows", StringComparison.OrdinalIgnoreCase))
                {
                    cursor.ReadToken(out _);
                    return;
                }

                cursor.ReadValueOrEndArray();
            }
        });

        row = new RawRecord(Schema);
        var index = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            rowIndex = ++index;
            if (!ReadRow(cursor))
            {
                break;
            }

            yield return row;
        }

        if (index == 1)
        {
            throw new FilingRejectedException(UserMessage.Of(MessageCode.JsonRowsEmpty), column: "rows");
        }
    }

    /// <summary>The next row of the array into <see cref="row"/>; false at the array's end.</summary>
    private bool ReadRow(JsonCursor cursor)
    {
        try
        {
            cursor.Parse(static (ref reader, self) => self.ParseRow(ref reader), this);
            return !rowsEnded;
        }
        catch (JsonException ex)
        {
            throw Malformed(rowIndex, cursor, ex);
        }
        catch (InvalidOperationException ex) when (ex.InnerException is System.Text.DecoderFallbackException)
        {
            throw NotUtf8(rowIndex, null, ex);
        }
    }

    /// <summary>
    /// One row object's fields into the raw record, token by token; false when the buffer ends inside it
    /// (the cursor refills and calls again, so the record is started afresh each time).
    /// </summary>
    private bool ParseRow(ref Utf8JsonReader reader)
    {
        rowsEnded = false;
        if (!reader.Read())
        {
            return false;
        }

        if (reader.TokenType == JsonTokenType.EndArray)
        {
            rowsEnded = true;
            return true;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new FilingRejectedException(UserMessage.Of(MessageCode.JsonRowNotObject, Num(rowIndex), KindName(reader.TokenType)), row: rowIndex);
        }

        var record = row!;
        record.Clear();
        record.Row = rowIndex;
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
                return false;
            }

            if (reader.TokenType == JsonTokenType.EndObject)
            {
                return true;
            }

            // Rows nearly always repeat the keys of the row before, in its order: the name at this position is
            // compared as bytes with the last row's before it is looked up.
            ColumnDefinition? column;
            if (position < keysInOrder.Count && !reader.ValueIsEscaped && reader.ValueSpan.SequenceEqual(keysInOrder[position].Utf8))
            {
                column = keysInOrder[position].Column;
            }
            else
            {
                column = ColumnOf(ref reader);
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
                return false;
            }

            if (column is null)
            {
                if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray && !reader.TrySkip())
                {
                    return false;
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

    /// <summary>The column a property name stands for (names seen before are looked up without a string), warning once of a name no column has.</summary>
    private ColumnDefinition? ColumnOf(ref Utf8JsonReader reader)
    {
        string name;
        if (reader.ValueSpan.Length <= 128)
        {
            Span<char> text = stackalloc char[128];
            text = text[..reader.CopyString(text)];
            if (namesSeen.TryGetValue(text, out var known))
            {
                return known;
            }

            name = new string(text);
        }
        else
        {
            name = reader.GetString()!;
        }

        var column = Schema.Find(name);
        if (columnsByName.Count < 256)
        {
            columnsByName[name] = column;
        }

        if (column is null && reportedUnknown.Add(name))
        {
            warnings.Add(new FilingWarning("UNKNOWN_COLUMN", rowIndex, UserMessage.Of(MessageCode.WarnUnknownFieldInRow, name, MessageArgs.Num(rowIndex), Schema.Name), name));
        }

        return column;
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
            throw Malformed(row, cursor, ex);
        }
        catch (InvalidOperationException ex) when (ex.InnerException is System.Text.DecoderFallbackException)
        {
            throw NotUtf8(row, null, ex);
        }
    }

    /// <summary>Where the JSON stops being JSON, from the byte the cursor stands on (the row's start).</summary>
    private static FilingRejectedException Malformed(int? row, JsonCursor cursor, JsonException ex)
    {
        var at = Grouped(cursor.Offset + 1);
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

    public void Dispose()
    {
        // The stream belongs to the caller that opened it.
    }
}
