using Compliance.Core.Texts;
using static Compliance.Core.Texts.MessageArgs;
using System.Text.Json;

namespace Compliance.Core.Reading;

/// <summary>Reads one value's tokens; false when they run out before the value ends (the cursor then refills and calls again).</summary>
internal delegate bool JsonValueParser<in TState>(ref Utf8JsonReader reader, TState state);

/// <summary>
/// Walks a JSON document from a stream with <see cref="Utf8JsonReader"/>, holding only the current
/// token or row object in memory. The buffer grows for one large value up to a limit, never for the file.
/// </summary>
internal sealed class JsonCursor(Stream stream, int maxValueBytes)
{
    private byte[] buffer = new byte[64 * 1024];
    private int start;
    private int end;
    private bool final;
    private long discarded;
    private JsonReaderState state = new(new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });

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
    /// Runs <paramref name="parse"/> over the next value's tokens straight from the buffer, with no document
    /// built. When the buffer ends inside the value, it is refilled (grown up to the limit for one large value)
    /// and <paramref name="parse"/> runs again from the value's start, so it must start its work afresh.
    /// </summary>
    public void Parse<TState>(JsonValueParser<TState> parse, TState state)
    {
        while (true)
        {
            var reader = new Utf8JsonReader(buffer.AsSpan(start, end - start), final, this.state);
            if (parse(ref reader, state))
            {
                Advance(ref reader);
                return;
            }

            Refill();
        }
    }

    /// <summary>Skips the value whose first token was just read, token by token, so a huge array costs no memory.</summary>
    public void SkipRest(JsonTokenType opened)
    {
        if (opened is not (JsonTokenType.StartArray or JsonTokenType.StartObject))
        {
            return;
        }

        // Skipped text is not decoded: a row's bad bytes are reported when that row is read, with its number.
        // One reader per buffer, not per token: the rows array is skipped once before it is read.
        var depth = 1;
        while (true)
        {
            var reader = new Utf8JsonReader(buffer.AsSpan(start, end - start), final, state);
            var good = 0L;
            try
            {
                while (depth > 0 && reader.Read())
                {
                    good = reader.BytesConsumed;
                    if (reader.TokenType is JsonTokenType.StartArray or JsonTokenType.StartObject)
                    {
                        depth++;
                    }
                    else if (reader.TokenType is JsonTokenType.EndArray or JsonTokenType.EndObject)
                    {
                        depth--;
                    }
                }
            }
            catch (JsonException)
            {
                // The message names the byte where the JSON stops being JSON: just after the last good token.
                start += (int)good;
                throw;
            }

            Advance(ref reader);
            if (depth == 0)
            {
                return;
            }

            Refill();
        }
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
