using System.Buffers;
using System.Text;
using System.Text.Unicode;
using Compliance.Core.Texts;
using static Compliance.Core.Texts.MessageArgs;

namespace Compliance.Core.Reading;

/// <summary>
/// Chooses between UTF-8 and GB18030 (a superset of GBK, what Excel on a Chinese Windows saves) from the
/// first bytes of a text file.
/// </summary>
public static class TextEncodingDetector
{
    /// <summary>UTF-8 that throws on invalid bytes, so a file that changes encoding part-way is caught, not garbled.</summary>
    public static Encoding StrictUtf8 { get; } = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static Encoding Gb18030 { get; } = LoadGb18030();

    /// <param name="sample">The first bytes of the file.</param>
    /// <param name="isWholeFile">True when the sample is the whole file, so a cut-off character at its end is an error.</param>
    /// <param name="preambleLength">Bytes of byte-order mark to skip.</param>
    public static Encoding Detect(ReadOnlySpan<byte> sample, bool isWholeFile, out int preambleLength)
    {
        preambleLength = 0;
        if (sample.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            preambleLength = 3;
            return StrictUtf8;
        }

        var validPrefix = Utf8PrefixLength(sample, isWholeFile);
        if (validPrefix == sample.Length)
        {
            return StrictUtf8;
        }

        // Many UTF-8 characters and then bytes that are not: lines pasted from a GBK file into a UTF-8 one.
        // Read as GB18030 the UTF-8 part would turn to mojibake, so say where the encoding changes instead.
        var prefix = sample[..validPrefix];
        if (CountMultiByteUtf8(prefix) >= MixedEncodingEvidence)
        {
            var line = prefix.Count((byte)'\n') + 1;
            throw new FilingRejectedException(
                UserMessage.Of(MessageCode.MixedEncoding, Num(line)),
                row: line);
        }

        return Gb18030;
    }

    /// <summary>UTF-8 multi-byte characters before the first invalid byte that rule out a GBK file read by chance as UTF-8.</summary>
    private const int MixedEncodingEvidence = 8;

    private static Encoding LoadGb18030()
    {
        // GB18030 lives in the code-pages provider, which must be registered before the lookup.
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        return Encoding.GetEncoding("GB18030");
    }

    private static int CountMultiByteUtf8(ReadOnlySpan<byte> valid)
    {
        var count = 0;
        foreach (var b in valid)
        {
            if (b >= 0xC2)
            {
                count++;
            }
        }

        return count;
    }

    /// <summary>How many bytes from the start are valid UTF-8: the whole sample when it is UTF-8 (a cut-off last character included unless it is the whole file).</summary>
    private static int Utf8PrefixLength(ReadOnlySpan<byte> sample, bool isWholeFile)
    {
        var buffer = ArrayPool<char>.Shared.Rent(Math.Max(16, sample.Length));
        try
        {
            var status = Utf8.ToUtf16(sample, buffer, out var read, out _, replaceInvalidSequences: false, isFinalBlock: isWholeFile);
            return status is OperationStatus.Done or OperationStatus.NeedMoreData ? sample.Length : read;
        }
        finally
        {
            ArrayPool<char>.Shared.Return(buffer);
        }
    }
}
