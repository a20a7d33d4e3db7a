using System.Collections.Concurrent;
using System.IO.Hashing;
using System.Runtime.InteropServices;
using Compliance.Core.Filings;

namespace Compliance.Core.Checking;

/// <summary>
/// Finds payroll rows that repeat an employee for the same enterprise and period, in memory that does not
/// grow with the file. Each key is reduced to a 128-bit XxHash128 (a chance collision among 100 million rows
/// is about 10⁻²³, far below any disk error rate). The first <see cref="InMemoryKeys"/> keys are checked as
/// they arrive, so small files are answered row by row with the employee named; past that every key goes to
/// one of <see cref="Partitions"/> partitions by hash, and <see cref="Finish"/> checks the partitions one at a
/// time, so memory is bounded by the largest partition, not the file. The partitions are held in memory up to
/// <see cref="HeldBytes"/> and written to temporary files only past it.
/// </summary>
internal sealed class DuplicateRows : IDisposable
{
    internal const int InMemoryKeys = 1 << 17;
    internal const int PartitionBits = 7;

    /// <summary>128: up to about 17 million rows, each partition fits the table the in-memory phase already has.</summary>
    internal const int Partitions = 1 << PartitionBits;
    private const int EntryBytes = 20;

    /// <summary>
    /// Partitioned keys held in memory before they go to files: every sheet Excel can save (1,048,576 rows, about
    /// 18 MB of keys past the table) is checked without a temporary file, and a larger file holds this much and no
    /// more, so its peak memory stays that of a sheet's. Creating the 128 files and writing to them took about a
    /// tenth of a one-thread check of a million rows.
    /// </summary>
    internal const long HeldBytes = 20L << 20;

    private readonly KeyTable seen;
    private readonly int inMemoryKeys;
    private const int PartitionBufferBytes = 800 * EntryBytes;

    private readonly long heldBound;
    private byte[][]? pending;
    private int[]? pendingBytes;
    private List<byte[]>[]? held;
    private long heldBytes;
    private FileStream[]? spills;
    private string? directory;
    private bool disposed;

    /// <param name="inMemoryKeys">Keys checked as they arrive before the rest are partitioned.</param>
    /// <param name="expectedKeys">About how many keys will come, when known: the table starts that large (up to
    /// <paramref name="inMemoryKeys"/>) instead of growing to it, each growth moving every key to a new place.</param>
    /// <param name="heldBytes">Partitioned keys held in memory before the partitions go to files.</param>
    public DuplicateRows(int inMemoryKeys = InMemoryKeys, long expectedKeys = 0, long heldBytes = HeldBytes)
    {
        this.inMemoryKeys = inMemoryKeys;
        heldBound = heldBytes;
        var expected = (int)Math.Min(inMemoryKeys, Math.Max(4096, expectedKeys));
        seen = Interlocked.Exchange(ref freeTable, null) is { } table ? table.Cleared(expected) : new KeyTable(expected);
    }

    /// <summary>The table a finished check gave back (up to 5 MB, on the large-object heap): kept for the next, as the blocks are.</summary>
    private static KeyTable? freeTable;

    /// <summary>Whether keys have left the table (so some duplicates are only found by <see cref="Finish"/>).</summary>
    public bool Spilled => pending is not null;

    /// <summary>Whether partitions have gone to temporary files.</summary>
    internal bool OnDisk => spills is not null;

    /// <summary>
    /// Records the row's key. Returns the earlier row with the same key when that is already known; 0 when
    /// the key is new or (after spilling) only <see cref="Finish"/> can tell.
    /// </summary>
    public int Add(string uscc, Period period, ReadOnlySpan<char> employee, int row) => Add(Key(uscc, period, employee), row);

    /// <summary>As <see cref="Add(string, Period, ReadOnlySpan{char}, int)"/> with the key made by <see cref="Key(long, ReadOnlySpan{char})"/> (on any thread).</summary>
    public int Add(UInt128 hash, int row)
    {
        if (pending is null)
        {
            if (seen.GetOrAdd(hash, row) is var first and > 0)
            {
                return first;
            }

            if (seen.Count >= inMemoryKeys)
            {
                Spill();
            }

            return 0;
        }

        Write(hash, row);
        return 0;
    }

    /// <summary>
    /// The repeated rows found in the partitions: (row, first row with the same key), in row order. The partitions are
    /// independent, so they are checked on up to <paramref name="degree"/> threads, each in a table of its own
    /// sized to the partition (a few thousand keys stay in the cache; the spill-time table had room for all).
    /// </summary>
    public List<(int Row, int First)> Finish(int degree = 1)
    {
        var found = new List<(int Row, int First)>();
        if (pending is null)
        {
            return found;
        }

        // The spill-time table is reused by the first thread (its arrays are already there); a second gets its own.
        var tables = new ConcurrentStack<KeyTable>([seen]);
        Parallel.For(
            0,
            Partitions,
            new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, degree) },
            () => (Table: tables.TryPop(out var table) ? table : new KeyTable(4096), Entries: spills is null ? [] : new byte[PartitionBufferBytes], Found: new List<(int Row, int First)>()),
            (p, _, local) =>
            {
                // A partition is its file once the bound was passed, else the blocks held in memory; then its open block.
                var handle = spills?[p].SafeFileHandle;
                var length = handle is null ? 0 : RandomAccess.GetLength(handle);
                var heldBlocks = held?[p] ?? [];
                local.Table.Clear(expected: (int)((length + ((long)heldBlocks.Count * PartitionBufferBytes) + pendingBytes![p]) / EntryBytes));
                for (long offset = 0; offset < length;)
                {
                    // Whole blocks: an entry split between two reads would be lost.
                    var read = 0;
                    while (read < local.Entries.Length && offset + read < length && RandomAccess.Read(handle!, local.Entries.AsSpan(read), offset + read) is var n and > 0)
                    {
                        read += n;
                    }

                    if (read == 0)
                    {
                        break;
                    }

                    offset += read;
                    FindRepeats(local.Table, local.Entries.AsSpan(0, read), local.Found);
                }

                foreach (var block in heldBlocks)
                {
                    FindRepeats(local.Table, block, local.Found);
                }

                FindRepeats(local.Table, pending[p].AsSpan(0, pendingBytes[p]), local.Found);
                return local;
            },
            local =>
            {
                tables.Push(local.Table);
                lock (found)
                {
                    found.AddRange(local.Found);
                }
            });

        found.Sort();
        return found;
    }

    /// <summary>One partition's entries into its table; keys do not come in row order, so each repeat is paired with the smallest row.</summary>
    private static void FindRepeats(KeyTable partition, ReadOnlySpan<byte> entries, List<(int Row, int First)> found)
    {
        for (var at = 0; at + EntryBytes <= entries.Length; at += EntryBytes)
        {
            var hash = MemoryMarshal.Read<UInt128>(entries[at..]);
            var row = MemoryMarshal.Read<int>(entries[(at + 16)..]);
            if (partition.GetOrAdd(hash, row) is var first and > 0)
            {
                found.Add((Math.Max(row, first), Math.Min(row, first)));
                partition.Lower(hash, row);
            }
        }
    }

    private void Spill()
    {
        pending = new byte[Partitions][];
        pendingBytes = new int[Partitions];
        held = new List<byte[]>[Partitions];
        for (var i = 0; i < Partitions; i++)
        {
            pending[i] = NewBlock();
            held[i] = [];
        }

        foreach (var (hash, row) in seen.Entries())
        {
            Write(hash, row);
        }

        seen.Clear();
    }

    private void Write(UInt128 hash, int row)
    {
        var p = (int)(hash >> (128 - PartitionBits));
        var block = pending![p];
        var used = pendingBytes![p];
        if (used == block.Length)
        {
            block = HandOver(p, block);
            used = 0;
        }

        MemoryMarshal.Write(block.AsSpan(used), in hash);
        MemoryMarshal.Write(block.AsSpan(used + 16), in row);
        pendingBytes[p] = used + EntryBytes;
    }

    /// <summary>A partition's full block kept in memory while the bound allows, else written to its file; returns the block to fill next.</summary>
    private byte[] HandOver(int p, byte[] full)
    {
        if (spills is null && heldBytes + full.Length <= heldBound)
        {
            held![p].Add(full);
            heldBytes += full.Length;
            return pending![p] = NewBlock();
        }

        spills ??= OpenFiles();
        spills[p].Write(full, 0, full.Length);
        return full;
    }

    /// <summary>
    /// Blocks a finished check gave back, up to one check's worth (about 22 MB), kept for the next: allocated anew,
    /// a million-row check's 20 MB of pinned blocks used up the pinned heap's budget five times over and set off as
    /// many background collections of generation 2, each marking the whole heap.
    /// </summary>
    private static readonly Stack<byte[]> FreeBlocks = new();
    private const int MostFreeBlocks = (int)(HeldBytes / PartitionBufferBytes) + Partitions;

    // Pinned: a held block lives to the end of the check, and the collector copied the unpinned ones from generation
    // to generation (its pauses went from 5 to 34–51 ms a million-row check).
    private static byte[] NewBlock()
    {
        lock (FreeBlocks)
        {
            if (FreeBlocks.TryPop(out var block))
            {
                return block;
            }
        }

        return GC.AllocateUninitializedArray<byte>(PartitionBufferBytes, pinned: true);
    }

    private static void GiveBack(IEnumerable<byte[]> blocks)
    {
        lock (FreeBlocks)
        {
            foreach (var block in blocks)
            {
                if (FreeBlocks.Count == MostFreeBlocks)
                {
                    return;
                }

                FreeBlocks.Push(block);
            }
        }
    }

    /// <summary>The partitions' files, with the blocks held so far written to them (and let go).</summary>
    private FileStream[] OpenFiles()
    {
        directory = Directory.CreateTempSubdirectory("compliance-keys-").FullName;
        var files = new FileStream[Partitions];
        for (var i = 0; i < Partitions; i++)
        {
            // Unbuffered streams: each partition's entries are gathered in its own block and written whole.
            files[i] = new FileStream(Path.Combine(directory, $"{i:D2}.bin"), FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 0, FileOptions.DeleteOnClose);
            foreach (var block in held![i])
            {
                files[i].Write(block, 0, block.Length);
            }

            GiveBack(held[i]);
        }

        held = null;
        heldBytes = 0;
        return files;
    }

    /// <summary>
    /// The hash seed of one enterprise and period: rows of a filing nearly always share them, so it is made once
    /// and each row's subject alone is hashed with it (<see cref="Key(long, ReadOnlySpan{char})"/>).
    /// </summary>
    public static long Scope(string uscc, Period period)
    {
        var length = uscc.Length + 1;
        var scope = length <= 128 ? stackalloc char[length] : new char[length];
        uscc.AsSpan().CopyTo(scope);
        scope[uscc.Length] = (char)period.Ordinal;
        return (long)XxHash64.HashToUInt64(MemoryMarshal.AsBytes(scope));
    }

    /// <summary>The row's key: its subject hashed under its enterprise and period's <see cref="Scope"/>. Pure, so the threads typing rows make it.</summary>
    public static UInt128 Key(long scope, ReadOnlySpan<char> subject) => XxHash128.HashToUInt128(MemoryMarshal.AsBytes(subject), scope);

    /// <summary>As <see cref="Key(long, ReadOnlySpan{char})"/> with the scope made here.</summary>
    public static UInt128 Key(string uscc, Period period, ReadOnlySpan<char> subject) => Key(Scope(uscc, period), subject);

    public void Dispose()
    {
        // Twice would give the table and blocks back twice, to two checks at once.
        if (disposed)
        {
            return;
        }

        disposed = true;
        if (spills is not null)
        {
            foreach (var stream in spills)
            {
                stream.Dispose();
            }

            spills = null;
        }

        if (pending is not null)
        {
            GiveBack(pending);
            GiveBack(held?.SelectMany(blocks => blocks) ?? []);
        }

        Interlocked.CompareExchange(ref freeTable, seen, null);

        pending = null;
        held = null;

        if (directory is not null)
        {
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
                // Already gone or still held by a stray handle: temp space is reclaimed by the system anyway.
            }

            directory = null;
        }
    }
}
