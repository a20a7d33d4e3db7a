using Compliance.Core.Texts;
using static Compliance.Core.Texts.MessageArgs;
using System.Text.Json;

namespace Compliance.Core.Reading;

/// <summary>
/// Walks a JSON filing's top level from a stream with <see cref="Utf8JsonReader"/>, holding only the current
/// token or header value in memory (the rows are skipped by their brackets here and read in chunks by
/// <see cref="JsonFilingSource"/>). The buffer grows for one large value up to a limit, never for the file.
/// </summary>
internal sealed class JsonCursor(Stream stream, int maxValueBytes)
{
    private byte[] buffer = new byte[64 * 1024];
    private int start;
    private int end;
    private bool final;
    private long discarded;
    private static readonly JsonReaderOptions Options = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };
    private JsonReaderState state = new(Options);

    /// <summary>The byte offset in the stream of the next token not yet read, for messages.</summary>
    public long Offset => discarded + start;

    /// <summary>Reads one token; strings and property names come back decoded in <paramref name="text"/>.</summary>
    public JsonTokenType ReadToken(out string? text)
    {
        while (true)
        {
            var reader = new Utf8JsonReader(buffer.AsSpan(start, end - start), final, state);
            if (reader.Read())
            {
                var type = reader.TokenType;
                text = type is JsonTokenType.PropertyName or JsonTokenType.String ? reader.GetString() : null;
                Advance(ref reader);
                return type;
            }

            Refill();
        }
    }

    /// <summary>
    /// Reads the next whole value (object, array or primitive) as a detached element, or null when the next
    /// token closes the enclosing array.
    /// </summary>
    public JsonElement? ReadValueOrEndArray()
    {
        while (true)
        {
            var reader = new Utf8JsonReader(buffer.AsSpan(start, end - start), final, state);
            if (reader.Read())
            {
                if (reader.TokenType == JsonTokenType.EndArray)
                {
                    Advance(ref reader);
                    return null;
                }

                if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                {
                    var probe = reader;
                    if (!probe.TrySkip())
                    {
                        Refill();
                        continue;
                    }
                }

                var element = JsonElement.ParseValue(ref reader);
                Advance(ref reader);
                return element;
            }

            Refill();
        }
    }

    /// <summary>
    /// Skips the rows array whose opening bracket was just read, by its brackets alone (<see cref="JsonSkipScanner"/>):
    /// its tokens are checked when the rows are read. The reader then goes on as if it had read the array itself.
    /// False when the document ends inside the array: the pass that reads the rows then says where, and in which row.
    /// </summary>
    public bool SkipRowsArray()
    {
        var scanner = new JsonSkipScanner();
        while (true)
        {
            var closed = scanner.Scan(buffer.AsSpan(start, end - start));
            if (closed >= 0)
            {
                start += closed;
                state = AfterRowsArray;
                return true;
            }

            start = end;
            if (final)
            {
                return false;
            }

            Refill();
        }
    }

    /// <summary>The reader's state just after a top-level object's <c>"rows": [...]</c>, as a reader that read it would leave it.</summary>
    private static readonly JsonReaderState AfterRowsArray = ReadState("{\"rows\":[]"u8, Options);

    /// <summary>Comments cannot be in bytes without a <c>/</c>; a reader told so skips the look for one after every token.</summary>
    private static readonly JsonReaderOptions NoComments = Options with { CommentHandling = JsonCommentHandling.Disallow };

    private static readonly JsonReaderState InsideRows = ReadState("{\"rows\":["u8, Options);
    private static readonly JsonReaderState AfterRow = ReadState("{\"rows\":[{}"u8, Options);
    private static readonly JsonReaderState InsideRowsNoComments = ReadState("{\"rows\":["u8, NoComments);
    private static readonly JsonReaderState AfterRowNoComments = ReadState("{\"rows\":[{}"u8, NoComments);

    /// <summary>
    /// The state a chunk of rows starts in: just inside the rows array for the first chunk, just after a row for
    /// every later one. Without a <c>/</c> in <paramref name="rows"/>, its reader does not look for comments, and
    /// reads the same tokens (about 10% faster on two threads).
    /// </summary>
    public static JsonReaderState RowsState(bool first, ReadOnlySpan<byte> rows) => rows.Contains((byte)'/')
        ? first ? InsideRows : AfterRow
        : first ? InsideRowsNoComments : AfterRowNoComments;

    private static JsonReaderState ReadState(ReadOnlySpan<byte> json, JsonReaderOptions options)
    {
        var reader = new Utf8JsonReader(json, isFinalBlock: false, new JsonReaderState(options));
        while (reader.Read())
        {
        }

        return reader.CurrentState;
    }

    private void Advance(ref Utf8JsonReader reader)
    {
        start += (int)reader.BytesConsumed;
        state = reader.CurrentState;
    }

    private void Refill()
    {
        if (final)
        {
            throw new JsonException("The JSON ends before the document is complete.");
        }

        if (start > 0)
        {
            Buffer.BlockCopy(buffer, start, buffer, 0, end - start);
            discarded += start;
            end -= start;
            start = 0;
        }

        if (end == buffer.Length)
        {
            if (buffer.Length >= maxValueBytes)
            {
                throw new FilingRejectedException(UserMessage.Of(MessageCode.JsonValueTooLarge, Num(maxValueBytes / 1024)));
            }

            Array.Resize(ref buffer, Math.Min(buffer.Length * 2, maxValueBytes));
        }

        var n = stream.Read(buffer, end, buffer.Length - end);
        end += n;
        if (n == 0)
        {
            final = true;
        }
    }
}
