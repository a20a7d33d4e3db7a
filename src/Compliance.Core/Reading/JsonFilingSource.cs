using System.Text.Json;
using Compliance.Core.Filings;
using Compliance.Core.Texts;
using static Compliance.Core.Texts.MessageArgs;

namespace Compliance.Core.Reading;

/// <summary>
/// <c>{"kind": "...", header fields..., "rows": [ {...}, ... ]}</c>. Header fields apply to every row that
/// does not give its own. Property order in a JSON object carries no meaning and serialisers often write
/// keys alphabetically ("uscc" after "rows"), so a first pass reads the header fields, skipping the rows
/// token by token, and a second pass streams the rows. The stream must therefore be seekable.
/// </summary>
internal sealed class JsonFilingSource : IFilingSource
{
    private readonly Stream stream;
    private readonly long origin;
    private readonly int maxValueBytes;
    private readonly string?[] headerCells;
    private readonly List<FilingWarning> warnings = [];

    public JsonFilingSource(Stream seekableStream, ReaderLimits limits)
    {
        stream = seekableStream;
        origin = seekableStream.Position;
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
                    cursor.SkipRest(opened);
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
                warnings.Add(new FilingWarning("UNKNOWN_COLUMN", null, $"Field \"{name}\" is not part of a {kind.ToContractName()} filing and was ignored.", name));
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

        var record = new RawRecord(Schema);
        var reportedUnknown = new HashSet<string>(StringComparer.Ordinal);
        var index = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            index++;
            JsonElement? element = null;
            Guard(index, cursor, () => element = cursor.ReadValueOrEndArray());
            if (element is not { } row)
            {
                break;
            }

            if (row.ValueKind != JsonValueKind.Object)
            {
                throw new FilingRejectedException(UserMessage.Of(MessageCode.JsonRowNotObject, Num(index), row.ValueKind.ToString().ToLowerInvariant()), row: index);
            }

            record.Clear();
            record.Row = index;
            for (var i = 0; i < headerCells.Length; i++)
            {
                if (headerCells[i] is { } shared)
                {
                    record.Set(i, shared);
                }
            }

            // A key given twice in one row is ambiguous (parsers disagree on which wins), as is a column given twice in a header.
            var given = 0UL;
            foreach (var property in row.EnumerateObject())
            {
                var name = NameOf(property, index);
                var column = Schema.Find(name);
                if (column is not null && column.Ordinal < 64)
                {
                    if ((given & (1UL << column.Ordinal)) != 0)
                    {
                        throw new FilingRejectedException(UserMessage.Of(MessageCode.JsonFieldTwice, Num(index), column.Display), row: index, column: column.Name);
                    }

                    given |= 1UL << column.Ordinal;
                }

                if (column is null)
                {
                    if (reportedUnknown.Add(name))
                    {
                        warnings.Add(new FilingWarning("UNKNOWN_COLUMN", index, $"Field \"{name}\" (first seen in row {index}) is not part of a {Schema.Kind.ToContractName()} filing and was ignored.", name));
                    }

                    continue;
                }

                if (CellText(property.Value, column.Name, index) is { } text)
                {
                    record.Set(column.Ordinal, text);
                }
            }

            yield return record;
        }

        if (index == 1)
        {
            throw new FilingRejectedException(UserMessage.Of(MessageCode.JsonRowsEmpty), column: "rows");
        }
    }

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

    private static string NameOf(JsonProperty property, int row)
    {
        try
        {
            return property.Name;
        }
        catch (InvalidOperationException ex) when (ex.InnerException is System.Text.DecoderFallbackException)
        {
            throw NotUtf8(row, null, ex);
        }
    }

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
            var at = Grouped(cursor.Offset + 1);
            var detail = ex.Message.Split(" Path:", 2)[0].Split(" LineNumber:", 2)[0];
            var message = (ex.Message.Contains("maximum configured depth", StringComparison.Ordinal), row) switch
            {
                (true, null) => UserMessage.Of(MessageCode.JsonTooDeep, at),
                (true, { } r) => UserMessage.Of(MessageCode.JsonRowTooDeep, Num(r), at),
                (false, null) => UserMessage.Of(MessageCode.JsonMalformed, at, detail),
                (false, { } r) => UserMessage.Of(MessageCode.JsonRowMalformed, Num(r), at, detail),
            };
            throw new FilingRejectedException(message, ex, row: row);
        }
        catch (InvalidOperationException ex) when (ex.InnerException is System.Text.DecoderFallbackException)
        {
            throw NotUtf8(row, null, ex);
        }
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
