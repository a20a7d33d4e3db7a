using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using Compliance.Core.Filings;
using nietras.SeparatedValues;
using Compliance.Core.Texts;
using static Compliance.Core.Texts.MessageArgs;

namespace Compliance.Core.Reading;

/// <summary>
/// RFC 4180 CSV through Sep: comma separated, header row required, UTF-8 (BOM optional) or GB18030.
/// Quotes are checked here rather than left to Sep's lenient parsing, so a stray or unclosed quote is
/// reported on the line where it starts instead of silently swallowing the rest of the file.
/// </summary>
internal sealed class CsvFilingSource : IFilingSource
{
    private readonly StreamReader text;
    private readonly SepReader reader;
    private readonly HeaderMap map;
    private readonly int headerColumns;

    public CsvFilingSource(Stream stream, byte[] sniffed, int sniffedLength, bool sniffedWholeFile, ReaderLimits limits)
    {
        var encoding = TextEncodingDetector.Detect(sniffed.AsSpan(0, sniffedLength), sniffedWholeFile, out var preamble);
        Input = new CsvInputStream(stream, sniffed[preamble..sniffedLength], sniffedLength - preamble, limits);
        text = new StreamReader(Input, encoding, detectEncodingFromByteOrderMarks: false, bufferSize: 64 * 1024);
        try
        {
            reader = Sep.New(',').Reader(o => o with { HasHeader = false, DisableColCountCheck = true, Unescape = false }).From(text);
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

    public IEnumerable<RawRecord> ReadRecords(CancellationToken cancellationToken)
    {
        var record = new RawRecord(map.Schema);
        var any = false;
        var lastLine = 1;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                if (!reader.MoveNext())
                {
                    break;
                }
            }
            catch (DecoderFallbackException ex)
            {
                throw NotText(ex, lastLine);
            }

            var row = reader.Current;
            if (IsBlank(row))
            {
                continue;
            }

            var line = row.LineNumberFrom;
            lastLine = line;
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
                throw new FilingRejectedException(
                    UserMessage.Of(MessageCode.CsvFieldCount, Num(line), Num(row.ColCount), Num(headerColumns)),
                    row: line);
            }

            any = true;
            yield return record;
        }

        if (!any)
        {
            throw new FilingRejectedException(UserMessage.Of(MessageCode.NoDataRows), row: 2);
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
    private static bool IsBlank(SepReader.Row row)
    {
        var text = row.Span;
        var other = text.IndexOfAnyExcept(BlankLine);
        if (other < 0)
        {
            return true;
        }

        if (!char.IsWhiteSpace(text[other]))
        {
            return false;
        }

        // Rare white space outside the common set: fall back to trimming each field.
        for (var i = 0; i < row.ColCount; i++)
        {
            if (!row[i].Span.Trim().IsEmpty)
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

    public void Dispose()
    {
        reader?.Dispose();
        text.Dispose();
    }
}
