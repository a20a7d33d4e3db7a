using Compliance.Core.Texts;
using static Compliance.Core.Texts.MessageArgs;

namespace Compliance.Core.Reading;

/// <summary>
/// Opens an upload as a filing source: decides the format from the file name, confirms it from the first
/// bytes, and turns the common mix-ups (an .xls renamed, a workbook saved as .csv, a PDF) into messages.
/// </summary>
public static class FilingOpener
{
    /// <summary>The format a file name asks for, or null when the extension is not one the contract accepts.</summary>
    public static FilingFormat? FormatOf(string fileName) => Path.GetExtension(fileName).ToLowerInvariant() switch
    {
        ".csv" => FilingFormat.Csv,
        ".xlsx" => FilingFormat.Xlsx,
        ".json" => FilingFormat.Json,
        _ => null,
    };

    /// <summary>
    /// Opens <paramref name="stream"/> (which the returned source then owns). Throws
    /// <see cref="FilingRejectedException"/> for anything that is not a filing.
    /// </summary>
    public static IFilingSource Open(Stream stream, string fileName, ReaderLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        limits ??= ReaderLimits.Default;
        Stream? spool = null;
        try
        {
            var format = FormatOf(fileName) ?? throw new FilingRejectedException(
                UserMessage.Of(MessageCode.FileTypeNotAccepted, Path.GetExtension(fileName)));

            var start = stream.CanSeek ? stream.Position : 0;
            if (stream.CanSeek && stream.Length - start > limits.MaxFileBytes)
            {
                throw TooLarge(stream.Length - start, limits);
            }

            var sniff = new byte[limits.SniffBytes];
            var length = stream.ReadAtLeast(sniff, sniff.Length, throwOnEndOfStream: false);
            var whole = length < sniff.Length;
            if (length == 0)
            {
                throw new FilingRejectedException(UserMessage.Of(MessageCode.FileEmpty));
            }

            CheckContentMatches(format, sniff.AsSpan(0, length));
            if (format == FilingFormat.Csv)
            {
                return new CsvFilingSource(stream, sniff, length, whole, limits);
            }

            var seekable = Rewind(stream, start, sniff, length, limits);
            spool = seekable == stream ? null : seekable;
            if (format == FilingFormat.Xlsx)
            {
                CheckExpandedSize(seekable, limits);
            }

            IFilingSource source = format == FilingFormat.Xlsx ? new XlsxFilingSource(seekable, limits) : new JsonFilingSource(seekable, limits);
            return source is IChunkedFilingSource chunked ? new OwningChunkedSource(chunked, spool, stream) : new OwningSource(source, spool, stream);
        }
        catch
        {
            spool?.Dispose();
            stream.Dispose();
            throw;
        }
    }

    private static void CheckContentMatches(FilingFormat format, ReadOnlySpan<byte> head)
    {
        var isZip = head.StartsWith("PK\x03\x04"u8);
        var isOle = head.StartsWith((ReadOnlySpan<byte>)[0xD0, 0xCF, 0x11, 0xE0]);
        if (isOle)
        {
            throw new FilingRejectedException(UserMessage.Of(MessageCode.FileIsXls));
        }

        if (head.StartsWith("%PDF"u8))
        {
            throw new FilingRejectedException(UserMessage.Of(MessageCode.FileIsPdf));
        }

        if (format == FilingFormat.Xlsx)
        {
            if (!isZip)
            {
                throw new FilingRejectedException(UserMessage.Of(MessageCode.FileNotXlsx));
            }

            return;
        }

        if (isZip)
        {
            throw new FilingRejectedException(UserMessage.Of(MessageCode.FileXlsxMisnamed, format.ToString().ToLowerInvariant()));
        }

        if (head.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]) || head.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]))
        {
            throw new FilingRejectedException(
                UserMessage.Of(MessageCode.FileUtf16));
        }

        // UTF-16 without its byte-order mark: ASCII text with a NUL after (or before) every character.
        if (head.Length >= 8 && (Utf16Without(head, 1) || Utf16Without(head, 0)))
        {
            throw new FilingRejectedException(
                UserMessage.Of(MessageCode.FileUtf16NoBom));
        }

        // Text has no NUL bytes in UTF-8 or GB18030; a few of them means binary content.
        if (head.Contains((byte)0))
        {
            throw new FilingRejectedException(UserMessage.Of(MessageCode.FileBinary, format == FilingFormat.Csv ? "CSV" : "JSON"));
        }
    }

    /// <summary>Whether every byte at <paramref name="zeroAt"/> (0 or 1) of each pair in the first 64 is NUL and the others are not.</summary>
    private static bool Utf16Without(ReadOnlySpan<byte> head, int zeroAt)
    {
        var pairs = Math.Min(head.Length, 64) / 2;
        for (var i = 0; i < pairs; i++)
        {
            if ((head[(2 * i) + zeroAt] != 0) || (head[(2 * i) + 1 - zeroAt] == 0))
            {
                return false;
            }
        }

        return true;
    }

    internal static FilingRejectedException TooLarge(long bytes, ReaderLimits limits) => new(TooLargeMessage(bytes, limits));

    /// <summary>Why a file over <see cref="ReaderLimits.MaxFileBytes"/> is refused: one wording wherever the size is measured.</summary>
    public static UserMessage TooLargeMessage(long bytes, ReaderLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        return UserMessage.Of(MessageCode.FileTooLarge, Grouped(bytes / (1 << 20)), Grouped(limits.MaxFileBytes / (1 << 20)));
    }

    /// <summary>
    /// A zip bomb renamed .xlsx expands to far more than any workbook: the sizes the zip directory declares are
    /// added up before the package is opened, so nothing is inflated for a file that would not fit.
    /// </summary>
    private static void CheckExpandedSize(Stream seekable, ReaderLimits limits)
    {
        var start = seekable.Position;
        try
        {
            using var zip = new System.IO.Compression.ZipArchive(seekable, System.IO.Compression.ZipArchiveMode.Read, leaveOpen: true);
            var expanded = zip.Entries.Sum(e => e.Length);
            if (expanded > limits.MaxXlsxExpandedBytes)
            {
                throw new FilingRejectedException(
                    UserMessage.Of(MessageCode.XlsxExpandsTooLarge, Grouped(expanded / (1 << 20)), Grouped(limits.MaxXlsxExpandedBytes / (1 << 20))));
            }
        }
        catch (InvalidDataException ex)
        {
            throw new FilingRejectedException(UserMessage.Of(MessageCode.XlsxZipDamaged), ex);
        }
        finally
        {
            seekable.Position = start;
        }
    }

    /// <summary>XLSX (a zip) and JSON (two passes) need to seek; a stream that cannot is spooled to a temporary file.</summary>
    private static Stream Rewind(Stream stream, long start, byte[] sniff, int length, ReaderLimits limits)
    {
        if (stream.CanSeek)
        {
            stream.Position = start;
            return stream;
        }

        var temp = new FileStream(Path.GetTempFileName(), FileMode.Create, FileAccess.ReadWrite, FileShare.None, 81920, FileOptions.DeleteOnClose);
        temp.Write(sniff, 0, length);
        var buffer = new byte[81920];
        int read;
        while ((read = stream.Read(buffer)) > 0)
        {
            temp.Write(buffer, 0, read);
            if (temp.Length > limits.MaxFileBytes)
            {
                temp.Dispose();
                throw TooLarge(temp.Length, limits);
            }
        }

        temp.Position = 0;
        return temp;
    }

    /// <summary>Disposes the source together with the streams it was opened on (the caller's, and the copy made to seek in).</summary>
    private class OwningSource(IFilingSource inner, Stream? spool, Stream original) : IFilingSource
    {
        public Filings.FilingSchema Schema => inner.Schema;

        public IReadOnlyList<FilingWarning> HeaderWarnings => inner.HeaderWarnings;

        public IEnumerable<RawRecord> ReadRecords(CancellationToken cancellationToken) => inner.ReadRecords(cancellationToken);

        public void Dispose()
        {
            inner.Dispose();
            spool?.Dispose();
            original.Dispose();
        }
    }

    /// <summary>The same for a source whose rows are cut into chunks and read on several threads (JSON).</summary>
    private sealed class OwningChunkedSource(IChunkedFilingSource inner, Stream? spool, Stream original) : OwningSource(inner, spool, original), IChunkedFilingSource
    {
        public bool NextChunk(FilingChunk chunk) => inner.NextChunk(chunk);

        public IEnumerable<RawRecord> ParseChunk(FilingChunk chunk, RawRecord record) => inner.ParseChunk(chunk, record);

        public FilingRejectedException NoRecords() => inner.NoRecords();
    }
}
