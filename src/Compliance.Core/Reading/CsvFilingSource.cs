using System.Text;
using Compliance.Core.Filings;
using nietras.SeparatedValues;

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
        Input = new CsvInputStream(stream, sniffed[preamble..sniffedLength], sniffedLength - preamble, limits.MaxRecordBytes);
        text = new StreamReader(Input, encoding, detectEncodingFromByteOrderMarks: false, bufferSize: 64 * 1024);
        try
        {
            reader = Sep.New(',').Reader(o => o with { HasHeader = false, DisableColCountCheck = true, Unescape = false }).From(text);
            if (!reader.MoveNext())
            {
                throw new FilingRejectedException("The file is empty: it needs a header row and at least one data row.");
            }

            var header = reader.Current;
            var headers = new string?[header.ColCount];
            for (var i = 0; i < header.ColCount; i++)
            {
                headers[i] = Unquote(header[i].Span, header.LineNumberFrom, $"column {i + 1} of the header");
            }

            headerColumns = header.ColCount;
            map = HeaderMap.Build(headers, kindHint: null, i => $"column {i + 1}");
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
                throw NotText(ex);
            }

            var row = reader.Current;
            if (IsBlank(row))
            {
                continue;
            }

            var line = row.LineNumberFrom;
            record.Clear();
            record.Row = line;

            // Quotes first: an unclosed quote also swallows the separators after it, and the field count
            // would then blame the wrong thing.
            for (var i = 0; i < row.ColCount; i++)
            {
                var ordinal = i < map.Ordinals.Length ? map.Ordinals[i] : -1;
                var text = Unquote(row[i].Span, line, ordinal >= 0 ? map.Schema.Columns[ordinal].Name : $"column {i + 1}");
                if (ordinal >= 0)
                {
                    record.Cells[ordinal] = text;
                }
            }

            if (row.ColCount != headerColumns)
            {
                throw new FilingRejectedException(
                    $"Line {line} has {row.ColCount} fields but the header has {headerColumns}. "
                    + "A field that contains a comma must be in double quotes, for example \"1,234.50\".",
                    row: line);
            }

            any = true;
            yield return record;
        }

        if (!any)
        {
            throw new FilingRejectedException("The file has a header row but no data rows.", row: 2);
        }
    }

    /// <summary>RFC 4180 unescaping with the errors Sep tolerates turned into messages.</summary>
    private static string? Unquote(ReadOnlySpan<char> raw, int line, string column)
    {
        if (raw.IsEmpty)
        {
            return null;
        }

        var quote = raw.IndexOf('"');
        if (quote < 0)
        {
            return raw.ToString();
        }

        if (raw[0] != '"')
        {
            throw new FilingRejectedException(
                $"Line {line}, {column}: a double quote appears inside an unquoted field. Quote the whole field and double the inner quote (\"\").",
                row: line,
                column: column);
        }

        if (raw.Length < 2 || raw[^1] != '"')
        {
            throw new FilingRejectedException(
                $"Line {line}, {column}: the quoted field that starts here is never closed. Add the closing double quote.",
                row: line,
                column: column);
        }

        var inner = raw[1..^1];
        var builder = new StringBuilder(inner.Length);
        for (var i = 0; i < inner.Length; i++)
        {
            if (inner[i] == '"')
            {
                if (i + 1 >= inner.Length || inner[i + 1] != '"')
                {
                    throw new FilingRejectedException(
                        $"Line {line}, {column}: a lone double quote inside a quoted field. Write it twice (\"\") or close the quote before the comma.",
                        row: line,
                        column: column);
                }

                i++;
            }

            builder.Append(inner[i]);
        }

        return builder.ToString();
    }

    private static bool IsBlank(SepReader.Row row)
    {
        for (var i = 0; i < row.ColCount; i++)
        {
            if (!row[i].Span.Trim().IsEmpty)
            {
                return false;
            }
        }

        return true;
    }

    private static FilingRejectedException NotText(DecoderFallbackException ex) => new(
        "The file is not valid UTF-8 text throughout (it may change encoding part-way, or not be text at all). "
        + "Save it as CSV UTF-8 or as GB18030/GBK CSV from start to end.",
        ex);

    public void Dispose()
    {
        reader?.Dispose();
        text.Dispose();
    }
}
