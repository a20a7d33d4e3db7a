using System.Numerics;
using System.Runtime.Intrinsics;

namespace Compliance.Core.Reading;

/// <summary>
/// Finds where an array or object ends without tokenising what is inside: strings (with their escapes) and
/// comments are told apart from structure, and only brackets outside them are counted. The header pass of a
/// JSON filing skips the rows array with it — the rows are read, and every token checked, by the pass that
/// types them — so the array costs one scan of its bytes instead of a token walk (a tenth of the time).
/// <para>
/// Bytes go 64 at a time: masks of quotes and brackets from vector compares, the bytes inside strings from a
/// prefix XOR of the quote mask (the method simdjson made known). A block holding a backslash or a comment
/// outside strings is taken byte by byte, carrying the same state, so escapes and comments are exact.
/// </para>
/// </summary>
internal struct JsonSkipScanner
{
    private int depth;
    private bool inString;
    private bool escaped;
    private Comment comment;

    // While counting elements (ScanElements): how many closed in the bytes scanned, and just past the last.
    private bool counting;
    private int elements;
    private int lastElementEnd;

    /// <summary>A scanner standing just after the opening bracket of the value to skip.</summary>
    public JsonSkipScanner() => depth = 1;

    private enum Comment : byte
    {
        None,
        Slash,
        Line,
        Block,
        BlockStar,
    }

    /// <summary>
    /// Scans the next bytes of the value. Returns the index just past the bracket that closes it, or -1 when
    /// <paramref name="data"/> ends first (the scanner then continues with the bytes that follow).
    /// </summary>
    public int Scan(ReadOnlySpan<byte> data)
    {
        counting = false;
        return ScanCore(data);
    }

    /// <summary>
    /// As <see cref="Scan"/>, also noting the elements of the array that end in <paramref name="data"/>: how many
    /// (an element ends with the bracket that closes it; a number or text inside the rows array is not a row and
    /// is rejected when read) and the index just past the last, or -1. Chunks of whole rows are cut there.
    /// </summary>
    public int ScanElements(ReadOnlySpan<byte> data, out int closed, out int lastEnd)
    {
        (counting, elements, lastElementEnd) = (true, 0, -1);
        var end = ScanCore(data);
        (closed, lastEnd) = (elements, lastElementEnd);
        return end;
    }

    private int ScanCore(ReadOnlySpan<byte> data)
    {
        var at = 0;
        while (at < data.Length)
        {
            if (Vector128.IsHardwareAccelerated && data.Length - at >= 64 && !escaped && comment == Comment.None
                && TryBlock(data.Slice(at, 64), at, out var end))
            {
                if (end >= 0)
                {
                    return at + end;
                }

                at += 64;
                continue;
            }

            var stop = Math.Min(data.Length, at + 64);
            for (; at < stop; at++)
            {
                if (Step(data[at], at))
                {
                    return at + 1;
                }
            }
        }

        return -1;
    }

    /// <summary>One block of 64 bytes with no backslash and no comment: false (nothing consumed) when it has either.</summary>
    private bool TryBlock(ReadOnlySpan<byte> block, int offset, out int end)
    {
        end = -1;
        var v0 = Vector128.Create(block);
        var v1 = Vector128.Create(block[16..]);
        var v2 = Vector128.Create(block[32..]);
        var v3 = Vector128.Create(block[48..]);
        var quotes = Mask(v0, v1, v2, v3, (byte)'"');
        var inside = PrefixXor(quotes) ^ (inString ? ulong.MaxValue : 0);
        var backslashes = Mask(v0, v1, v2, v3, (byte)'\\');
        var slashes = Mask(v0, v1, v2, v3, (byte)'/') & ~inside;
        if ((backslashes | slashes) != 0)
        {
            return false;
        }

        // '{' and '[' differ only in the 0x20 bit, as do '}' and ']'.
        var c0 = v0 | Vector128.Create((byte)0x20);
        var c1 = v1 | Vector128.Create((byte)0x20);
        var c2 = v2 | Vector128.Create((byte)0x20);
        var c3 = v3 | Vector128.Create((byte)0x20);
        var opens = Mask(c0, c1, c2, c3, (byte)'{') & ~inside;
        var closes = Mask(c0, c1, c2, c3, (byte)'}') & ~inside;
        inString = (inside >> 63) != 0;
        if (depth > BitOperations.PopCount(closes) + (counting ? 1 : 0))
        {
            // Neither the value nor (when counting) one of its elements can end in this block, whatever the order of its brackets.
            depth += BitOperations.PopCount(opens) - BitOperations.PopCount(closes);
            return true;
        }

        for (var brackets = opens | closes; brackets != 0; brackets &= brackets - 1)
        {
            var bit = BitOperations.TrailingZeroCount(brackets);
            if ((opens >> bit & 1) != 0)
            {
                depth++;
            }
            else if (Close(offset + bit))
            {
                end = bit + 1;
                return true;
            }
        }

        return true;
    }

    /// <summary>One byte, byte by byte; true when it closes the value.</summary>
    /// <summary>A closing bracket outside strings at <paramref name="at"/>; true when it closes the value.</summary>
    private bool Close(int at)
    {
        if (--depth == 1 && counting)
        {
            elements++;
            lastElementEnd = at + 1;
        }

        return depth == 0;
    }

    private bool Step(byte b, int at)
    {
        if (inString)
        {
            if (escaped)
            {
                escaped = false;
            }
            else if (b == (byte)'\\')
            {
                escaped = true;
            }
            else if (b == (byte)'"')
            {
                inString = false;
            }

            return false;
        }

        switch (comment)
        {
            case Comment.Slash:
                comment = b switch { (byte)'/' => Comment.Line, (byte)'*' => Comment.Block, _ => Comment.None };
                if (comment != Comment.None)
                {
                    return false;
                }

                // A lone slash is not JSON; the pass that reads the rows says so. The byte after it counts as usual.
                break;
            case Comment.Line:
                comment = b is (byte)'\n' or (byte)'\r' ? Comment.None : Comment.Line;
                return false;
            case Comment.Block:
                comment = b == (byte)'*' ? Comment.BlockStar : Comment.Block;
                return false;
            case Comment.BlockStar:
                comment = b switch { (byte)'/' => Comment.None, (byte)'*' => Comment.BlockStar, _ => Comment.Block };
                return false;
        }

        switch (b)
        {
            case (byte)'"':
                inString = true;
                break;
            case (byte)'/':
                comment = Comment.Slash;
                break;
            case (byte)'{' or (byte)'[':
                depth++;
                break;
            case (byte)'}' or (byte)']':
                return Close(at);
        }

        return false;
    }

    private static ulong Mask(Vector128<byte> v0, Vector128<byte> v1, Vector128<byte> v2, Vector128<byte> v3, byte value)
    {
        var target = Vector128.Create(value);
        return Vector128.Equals(v0, target).ExtractMostSignificantBits()
            | (ulong)Vector128.Equals(v1, target).ExtractMostSignificantBits() << 16
            | (ulong)Vector128.Equals(v2, target).ExtractMostSignificantBits() << 32
            | (ulong)Vector128.Equals(v3, target).ExtractMostSignificantBits() << 48;
    }

    /// <summary>Bit i set when an odd number of quotes stand at or before byte i: the bytes from an opening quote up to its closing one.</summary>
    private static ulong PrefixXor(ulong bits)
    {
        bits ^= bits << 1;
        bits ^= bits << 2;
        bits ^= bits << 4;
        bits ^= bits << 8;
        bits ^= bits << 16;
        bits ^= bits << 32;
        return bits;
    }
}
