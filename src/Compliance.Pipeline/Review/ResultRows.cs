using System.Buffers;
using System.Text.Json;
using Compliance.Core.Checking;

namespace Compliance.Pipeline.Review;

/// <summary>One violating row of a finding, as the result document lists it.</summary>
public sealed record FindingRow(int Row, string Region, string Field, decimal Observed, string Message, string? EmployeeId, string? Item)
{
    public string Rule { get; init; } = string.Empty;

    public string Limit { get; init; } = string.Empty;

    public string Citation { get; init; } = string.Empty;
}

/// <summary>A page of a finding's rows and the byte offset in the result document where the next page starts (null at the end).</summary>
public sealed record FindingRowsPage(IReadOnlyList<FindingRow> Rows, long? NextOffset);

/// <summary>
/// Reads a finding's rows out of a filing's result document as a stream, a page at a time, without parsing —
/// or holding — the rest: a document with a million rows is hundreds of megabytes. A page starts at a byte
/// offset (0, or where the previous page ended) and reads the <c>violations</c> array element by element,
/// keeping those whose <c>finding</c> is the one asked for. The offset of the next element is the next page's
/// start, so a caller pages through the whole list in file order with one ranged read per page.
/// </summary>
public static class ResultRows
{
    private const int InitialBuffer = 1 << 16;

    /// <summary>An element larger than this is not a row the checker wrote.</summary>
    private const int MaxElementBytes = 1 << 20;

    /// <param name="content">The document from <paramref name="offset"/> on.</param>
    /// <param name="offset">0 for the first page, else a <see cref="FindingRowsPage.NextOffset"/> of this document.</param>
    /// <param name="findingId">The finding whose rows to read; null for every violating row.</param>
    /// <exception cref="JsonException">The document is not one the checker wrote, or the offset is not one this method returned.</exception>
    public static async Task<FindingRowsPage> ReadAsync(Stream content, long offset, string? findingId, int pageSize, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        var reader = new Buffer(content);
        try
        {
            if (offset == 0)
            {
                await reader.SkipToViolationsAsync(cancellationToken).ConfigureAwait(false);
            }

            var rows = new List<FindingRow>();
            while (true)
            {
                // Between elements: whitespace and commas, then an element or the end of the array.
                var next = await reader.PeekSignificantAsync(cancellationToken).ConfigureAwait(false);
                var elementStart = offset + reader.Consumed;
                if (next is null or (byte)']')
                {
                    return new FindingRowsPage(rows, null);
                }

                if (next != (byte)'{')
                {
                    throw new JsonException($"Expected a row at byte {elementStart} of the result document.");
                }

                if (await reader.ReadElementAsync(findingId, cancellationToken).ConfigureAwait(false) is { } row)
                {
                    // A full page ends where the next row of the finding starts: no token is ever handed out for
                    // a page that would come back empty.
                    if (rows.Count == pageSize)
                    {
                        return new FindingRowsPage(rows, elementStart);
                    }

                    rows.Add(row);
                }
            }
        }
        catch (InvalidOperationException ex)
        {
            throw new JsonException("A row of the result document has a value of the wrong type.", ex);
        }
        finally
        {
            reader.Dispose();
        }
    }

    /// <summary>
    /// Copies a result document to <paramref name="destination"/> with only the first <paramref name="keep"/> rows
    /// of its <c>violations</c>, and <c>violations_omitted</c> after the array saying how many were left out — for
    /// a document too large to hand over whole (its findings are complete; the rows route pages through the rest).
    /// Streams once through the source; holds one row at a time.
    /// </summary>
    /// <returns>How many rows were left out.</returns>
    public static async Task<int> TruncateAsync(Stream content, Stream destination, int keep, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(destination);
        var reader = new Buffer(content) { Sink = destination };
        try
        {
            await reader.SkipToViolationsAsync(cancellationToken).ConfigureAwait(false);
            reader.Sink = null;
            var count = 0;
            while (true)
            {
                var next = await reader.PeekSignificantAsync(cancellationToken).ConfigureAwait(false);
                if (next is null)
                {
                    throw new JsonException("The result document ends inside its violations.");
                }

                if (next == (byte)']')
                {
                    var omitted = Math.Max(0, count - keep);
                    await destination.WriteAsync(System.Text.Encoding.UTF8.GetBytes(omitted > 0 ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"\n    ],\n    \"violations_omitted\": {omitted}") : "\n    ]"), cancellationToken).ConfigureAwait(false);
                    reader.Skip(1);
                    reader.Sink = destination;
                    await reader.DrainAsync(cancellationToken).ConfigureAwait(false);
                    return omitted;
                }

                if (count < keep)
                {
                    await destination.WriteAsync(count == 0 ? "\n      "u8.ToArray() : ",\n      "u8.ToArray(), cancellationToken).ConfigureAwait(false);
                    reader.Sink = destination;
                }

                await reader.SkipElementAsync(cancellationToken).ConfigureAwait(false);
                reader.Sink = null;
                count++;
            }
        }
        finally
        {
            reader.Dispose();
        }
    }

    /// <summary>A growable window over the stream; <see cref="Consumed"/> counts bytes from where the stream started.</summary>
    private sealed class Buffer(Stream stream) : IDisposable
    {
        private byte[] bytes = ArrayPool<byte>.Shared.Rent(InitialBuffer);
        private int start;
        private int end;
        private bool eof;

        public long Consumed { get; private set; }

        /// <summary>Where consumed bytes are copied to, while set.</summary>
        public Stream? Sink { get; set; }

        public void Skip(int count) => Advance(count);

        /// <summary>Consumes one element whatever it is.</summary>
        public async Task SkipElementAsync(CancellationToken cancellationToken)
        {
            while (true)
            {
                var json = new Utf8JsonReader(Window, isFinalBlock: false, default);
                if (json.Read() && json.TrySkip())
                {
                    Advance((int)json.BytesConsumed);
                    return;
                }

                if (eof || end - start > MaxElementBytes)
                {
                    throw new JsonException("A row of the result document is cut off or too large.");
                }

                await FillAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        /// <summary>Consumes the rest of the stream.</summary>
        public async Task DrainAsync(CancellationToken cancellationToken)
        {
            while (true)
            {
                Advance(end - start);
                if (eof)
                {
                    return;
                }

                await FillAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        private ReadOnlySpan<byte> Window => bytes.AsSpan(start, end - start);

        /// <summary>Reads tokens up to the <c>violations</c> array of the (only) file and consumes its '['.</summary>
        public async Task SkipToViolationsAsync(CancellationToken cancellationToken)
        {
            var state = default(JsonReaderState);
            var afterName = false;
            while (true)
            {
                var (found, used, newState, foundName) = Scan(Window, eof, state, afterName);
                Advance(used);
                (state, afterName) = (newState, foundName);
                if (found)
                {
                    return;
                }

                if (eof)
                {
                    throw new JsonException("The result document has no violations.");
                }

                await FillAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        private static (bool Found, int Used, JsonReaderState State, bool AfterName) Scan(ReadOnlySpan<byte> window, bool final, JsonReaderState state, bool afterName)
        {
            var json = new Utf8JsonReader(window, final, state);
            while (json.Read())
            {
                if (afterName && json.TokenType == JsonTokenType.StartArray)
                {
                    return (true, (int)json.BytesConsumed, json.CurrentState, false);
                }

                afterName = json.TokenType == JsonTokenType.PropertyName && json.CurrentDepth == 3 && json.ValueTextEquals("violations"u8);
            }

            return (false, (int)json.BytesConsumed, json.CurrentState, afterName);
        }

        public async Task<byte?> PeekSignificantAsync(CancellationToken cancellationToken)
        {
            while (true)
            {
                var window = Window;
                var skip = 0;
                while (skip < window.Length && window[skip] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n' or (byte)',')
                {
                    skip++;
                }

                Advance(skip);
                if (skip < window.Length)
                {
                    return window[skip];
                }

                if (eof)
                {
                    return null;
                }

                await FillAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        /// <summary>Reads one element object; returns it as a row if it belongs to <paramref name="findingId"/>.</summary>
        public async Task<FindingRow?> ReadElementAsync(string? findingId, CancellationToken cancellationToken)
        {
            while (true)
            {
                if (TryParse(Window, findingId, out var used, out var row))
                {
                    Advance(used);
                    return row;
                }

                if (eof || end - start > MaxElementBytes)
                {
                    throw new JsonException("A row of the result document is cut off or too large.");
                }

                await FillAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        private static bool TryParse(ReadOnlySpan<byte> window, string? findingId, out int used, out FindingRow? row)
        {
            (used, row) = (0, null);
            var json = new Utf8JsonReader(window, isFinalBlock: false, default);
            if (!json.Read() || json.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            int? number = null;
            string? region = null, field = null, message = null, employee = null, item = null, finding = null, rule = null, limit = null, citation = null;
            decimal observed = 0;
            while (json.Read())
            {
                if (json.TokenType == JsonTokenType.EndObject && json.CurrentDepth == 0)
                {
                    used = (int)json.BytesConsumed;
                    row = (findingId is null || finding == findingId) && number is { } r
                        ? new FindingRow(r, region ?? string.Empty, field ?? string.Empty, observed, message ?? string.Empty, employee, item) { Rule = rule ?? string.Empty, Limit = limit ?? string.Empty, Citation = citation ?? string.Empty }
                        : null;
                    return true;
                }

                if (json.TokenType != JsonTokenType.PropertyName || json.CurrentDepth != 1)
                {
                    continue;
                }

                var name = json.GetString();
                if (!json.Read())
                {
                    return false;
                }

                switch (name)
                {
                    case "row" when json.TokenType == JsonTokenType.Number:
                        number = json.GetInt32();
                        break;
                    case "observed" when json.TokenType == JsonTokenType.Number:
                        observed = json.GetDecimal();
                        break;
                    case "region":
                        region = json.GetString();
                        break;
                    case "field":
                        field = json.GetString();
                        break;
                    case "message":
                        message = json.GetString();
                        break;
                    case "employee_id":
                        employee = json.GetString();
                        break;
                    case "item" or "case_id":
                        item = json.GetString();
                        break;
                    case ReportJson.FindingField:
                        finding = json.GetString();
                        break;
                    case "rule":
                        rule = json.GetString();
                        break;
                    case "limit":
                        limit = json.GetString();
                        break;
                    case "citation":
                        citation = json.GetString();
                        break;
                    default:
                        if (!json.TrySkip())
                        {
                            return false;
                        }

                        break;
                }
            }

            return false;
        }

        private void Advance(int count)
        {
            Sink?.Write(bytes, start, count);
            start += count;
            Consumed += count;
        }

        private async Task FillAsync(CancellationToken cancellationToken)
        {
            if (start > 0)
            {
                // Keep what is unread at the front.
                bytes.AsSpan(start, end - start).CopyTo(bytes);
                (end, start) = (end - start, 0);
            }

            if (end == bytes.Length)
            {
                var larger = ArrayPool<byte>.Shared.Rent(bytes.Length * 2);
                bytes.AsSpan(0, end).CopyTo(larger);
                ArrayPool<byte>.Shared.Return(bytes);
                bytes = larger;
            }

            var read = await stream.ReadAsync(bytes.AsMemory(end), cancellationToken).ConfigureAwait(false);
            end += read;
            eof = read == 0;
        }

        public void Dispose() => ArrayPool<byte>.Shared.Return(bytes);
    }
}
