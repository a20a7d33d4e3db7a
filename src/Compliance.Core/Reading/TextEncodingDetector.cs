using System.Buffers;
using System.Text;
using System.Text.Unicode;

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

        return IsUtf8(sample, isWholeFile) ? StrictUtf8 : Gb18030;
    }

    private static Encoding LoadGb18030()
    {
        // GB18030 lives in the code-pages provider, which must be registered before the lookup.
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        return Encoding.GetEncoding("GB18030");
    }

    private static bool IsUtf8(ReadOnlySpan<byte> sample, bool isWholeFile)
    {
        var buffer = ArrayPool<char>.Shared.Rent(Math.Max(16, sample.Length));
        try
        {
            var status = Utf8.ToUtf16(sample, buffer, out _, out _, replaceInvalidSequences: false, isFinalBlock: isWholeFile);
            return status is OperationStatus.Done or OperationStatus.NeedMoreData;
        }
        finally
        {
            ArrayPool<char>.Shared.Return(buffer);
        }
    }
}
