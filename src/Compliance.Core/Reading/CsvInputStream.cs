using Compliance.Core.Texts;
using static Compliance.Core.Texts.MessageArgs;

namespace Compliance.Core.Reading;

/// <summary>
/// The byte stream under the CSV reader: replays the sniffed prefix, counts lines, and stops a record
/// that grows past the limit (a huge line, or a quote that is never closed) before it fills memory.
/// Byte-level scanning is safe for both UTF-8 and GB18030: in neither does 0x0A or 0x22 occur inside a
/// multi-byte character.
/// </summary>
internal sealed class CsvInputStream(Stream inner, byte[] prefix, int prefixLength, ReaderLimits limits) : Stream
{
    private int prefixPosition;
    private bool inQuotes;
    private long recordBytes;
    private int line = 1;
    private int recordStartLine = 1;
    private bool crPending;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <summary>Total bytes handed out; drives the progress bar.</summary>
    public long BytesRead { get; private set; }

    /// <summary>
    /// In the bytes the last <see cref="Read(Span{byte})"/> returned, the offset just past the last line feed that
    /// ends a record (one outside quotes), or -1; records can be parsed apart from each other from there on.
    /// </summary>
    public int LastRecordEnd { get; private set; } = -1;

    /// <summary>The line the record after <see cref="LastRecordEnd"/> starts on.</summary>
    public int LineAfterRecordEnd { get; private set; } = 1;

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int n;
        if (prefixPosition < prefixLength)
        {
            n = Math.Min(buffer.Length, prefixLength - prefixPosition);
            prefix.AsSpan(prefixPosition, n).CopyTo(buffer);
            prefixPosition += n;
        }
        else
        {
            n = inner.Read(buffer);
        }

        LastRecordEnd = -1;
        Scan(buffer[..n]);
        BytesRead += n;
        if (BytesRead > limits.MaxFileBytes)
        {
            // Only reachable for a stream without a length; a sized one is measured before reading starts.
            throw FilingOpener.TooLarge(BytesRead, limits);
        }

        return n;
    }

    private void Scan(ReadOnlySpan<byte> bytes)
    {
        var scanned = 0;

        // A lone CR ends a line too (as the parser splits it): one at the end of the last read is counted once
        // this read shows it is not the first half of CR LF.
        if (crPending && !bytes.IsEmpty)
        {
            crPending = false;
            line += bytes[0] == (byte)'\n' ? 0 : 1;
        }

        // Jump from one quote or line break to the next: the bytes between them only add to the record's length.
        while (true)
        {
            var next = bytes.IndexOfAny((byte)'"', (byte)'\n', (byte)'\r');
            if (next < 0)
            {
                recordBytes += bytes.Length;
                CheckLength();
                return;
            }

            recordBytes += next;
            CheckLength();
            recordBytes++;
            if (bytes[next] == (byte)'"')
            {
                inQuotes = !inQuotes;
                CheckLength();
            }
            else if (bytes[next] == (byte)'\r')
            {
                if (next + 1 == bytes.Length)
                {
                    crPending = true;
                }
                else if (bytes[next + 1] != (byte)'\n')
                {
                    line++;
                }
            }
            else
            {
                line++;
                if (inQuotes)
                {
                    CheckLength();
                }
                else
                {
                    recordBytes = 0;
                    recordStartLine = line;
                    LastRecordEnd = scanned + next + 1;
                    LineAfterRecordEnd = line;
                }
            }

            scanned += next + 1;
            bytes = bytes[(next + 1)..];
        }
    }

    private void CheckLength()
    {
        if (recordBytes > limits.MaxRecordBytes)
        {
            var why = inQuotes ? MessageCode.CsvQuoteRunsOn : MessageCode.CsvLineTooLong;
            throw new FilingRejectedException(
                UserMessage.Of(why, Num(recordStartLine), Num(limits.MaxRecordBytes / 1024)),
                row: recordStartLine);
        }
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
