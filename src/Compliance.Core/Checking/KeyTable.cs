using System.Numerics;

namespace Compliance.Core.Checking;

/// <summary>
/// A set of 128-bit hashes, each with the row it was first seen on: open addressing with linear probing in two
/// flat arrays. The keys are already uniformly distributed hashes, so their low bits pick the slot; no
/// per-entry objects, no second hashing, half the memory of a dictionary of the same keys.
/// </summary>
internal sealed class KeyTable
{
    private UInt128[] keys;
    private int[] rows;
    private int mask;

    public KeyTable(int expected)
    {
        var capacity = CapacityFor(expected);
        keys = new UInt128[capacity];
        rows = new int[capacity];
        mask = capacity - 1;
    }

    private static int CapacityFor(int expected) => (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(16, expected * 2));

    public int Count { get; private set; }

    /// <summary>The row <paramref name="key"/> was first added with, or 0 after adding it now with <paramref name="row"/> (which must be positive).</summary>
    public int GetOrAdd(UInt128 key, int row)
    {
        var slot = (int)(ulong)key & mask;
        while (rows[slot] != 0)
        {
            if (keys[slot] == key)
            {
                return rows[slot];
            }

            slot = (slot + 1) & mask;
        }

        keys[slot] = key;
        rows[slot] = row;
        if (++Count * 2 > mask + 1)
        {
            Grow();
        }

        return 0;
    }

    /// <summary>Keeps a smaller first row for a key already present (keys from disk do not arrive in row order).</summary>
    public void Lower(UInt128 key, int row)
    {
        var slot = (int)(ulong)key & mask;
        while (rows[slot] != 0 && keys[slot] != key)
        {
            slot = (slot + 1) & mask;
        }

        if (rows[slot] > row)
        {
            rows[slot] = row;
        }
    }

    public IEnumerable<(UInt128 Key, int Row)> Entries()
    {
        for (var i = 0; i <= mask; i++)
        {
            if (rows[i] != 0)
            {
                yield return (keys[i], rows[i]);
            }
        }
    }

    public void Clear() => Clear(expected: (mask + 1) / 2);

    /// <summary>This table emptied for <paramref name="expected"/> keys (see <see cref="Clear(int)"/>).</summary>
    public KeyTable Cleared(int expected)
    {
        Clear(expected);
        return this;
    }

    /// <summary>
    /// Empties the table and sizes it for <paramref name="expected"/> keys, keeping its arrays when they are large
    /// enough: a small set then uses (and clears) only the front of them, which stays in the cache, instead of
    /// every slot a larger set once needed.
    /// </summary>
    public void Clear(int expected)
    {
        var capacity = CapacityFor(expected);
        if (keys.Length < capacity)
        {
            keys = new UInt128[capacity];
            rows = new int[capacity];
        }
        else
        {
            Array.Clear(rows, 0, capacity);
        }

        mask = capacity - 1;
        Count = 0;
    }

    private void Grow()
    {
        var (oldKeys, oldRows, oldCapacity) = (keys, rows, mask + 1);
        keys = new UInt128[oldCapacity * 2];
        rows = new int[oldCapacity * 2];
        mask = keys.Length - 1;
        Count = 0;
        for (var i = 0; i < oldCapacity; i++)
        {
            if (oldRows[i] != 0)
            {
                GetOrAdd(oldKeys[i], oldRows[i]);
            }
        }
    }
}
