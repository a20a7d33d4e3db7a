using System.Runtime.InteropServices;

namespace Compliance.Core.Reading;

/// <summary>
/// A workbook's shared-string table (what Excel stores each distinct text as, cells holding an index), looked
/// up by index in O(1). The texts live in blocks of characters, not one string each; past
/// <see cref="ReaderLimits.MaxSharedStringChars"/> they go to a temporary file, so a sheet of a million distinct
/// employee IDs costs a bounded amount of memory (an index of 12 bytes per text beside it).
/// </summary>
internal sealed class XlsxSharedStrings : IDisposable
{
    private const int BlockChars = 1 << 20;

    private readonly List<char[]> blocks = [];
    private readonly long maxChars;
    private long[] where = new long[1024];
    private int[] lengths = new int[1024];
    private int blockUsed = BlockChars;
    private long inMemory;
    private FileStream? spill;
    private long spilled;

    public XlsxSharedStrings(long maxChars) => this.maxChars = maxChars;

    public int Count { get; private set; }

    public void Add(ReadOnlySpan<char> text)
    {
        if (Count == where.Length)
        {
            Array.Resize(ref where, Count * 2);
            Array.Resize(ref lengths, Count * 2);
        }

        lengths[Count] = text.Length;
        if (inMemory + text.Length <= maxChars)
        {
            if (BlockChars - blockUsed < text.Length)
            {
                blocks.Add(new char[Math.Max(BlockChars, text.Length)]);
                blockUsed = 0;
            }

            text.CopyTo(blocks[^1].AsSpan(blockUsed));
            where[Count] = ((long)(blocks.Count - 1) << 32) | (uint)blockUsed;
            blockUsed += text.Length;
            inMemory += text.Length;
        }
        else
        {
            spill ??= new FileStream(
                Path.Combine(Path.GetTempPath(), $"compliance-strings-{Guid.NewGuid():N}.bin"),
                FileMode.CreateNew,
                FileAccess.ReadWrite,
                FileShare.None,
                1 << 16,
                FileOptions.DeleteOnClose);
            spill.Write(MemoryMarshal.AsBytes(text));

            // Negative: a byte offset in the file (~offset, so offset 0 is negative too).
            where[Count] = ~spilled;
            spilled += text.Length * sizeof(char);
        }

        Count++;
    }

    /// <summary>
    /// The text at <paramref name="index"/> written to <paramref name="destination"/> (resized when short);
    /// returns its length, or -1 when the table has no such index.
    /// </summary>
    public int CopyTo(int index, ref char[] destination, int at)
    {
        if ((uint)index >= (uint)Count)
        {
            return -1;
        }

        var length = lengths[index];
        if (destination.Length - at < length)
        {
            Array.Resize(ref destination, Math.Max(destination.Length * 2, at + length));
        }

        var position = where[index];
        if (position >= 0)
        {
            blocks[(int)(position >> 32)].AsSpan((int)(uint)position, length).CopyTo(destination.AsSpan(at));
        }
        else
        {
            RandomAccess.Read(spill!.SafeFileHandle, MemoryMarshal.AsBytes(destination.AsSpan(at, length)), ~position);
        }

        return length;
    }

    /// <summary>The table is complete: what was written to disk can be read back.</summary>
    public void Complete() => spill?.Flush();

    public void Dispose() => spill?.Dispose();
}
