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
        var capacity = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(16, expected * 2));
        keys = new UInt128[capacity];
        rows = new int[capacity];
        mask = capacity - 1;
    }

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
        if (++Count * 2 > keys.Length)
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
        for (var i = 0; i < keys.Length; i++)
        {
            if (rows[i] != 0)
            {
                yield return (keys[i], rows[i]);
            }
        }
    }

    public void Clear()
    {
        Array.Clear(rows);
        Count = 0;
    }

    private void Grow()
    {
        var (oldKeys, oldRows) = (keys, rows);
        keys = new UInt128[oldKeys.Length * 2];
        rows = new int[oldKeys.Length * 2];
        mask = keys.Length - 1;
        Count = 0;
        for (var i = 0; i < oldKeys.Length; i++)
        {
            if (oldRows[i] != 0)
            {
                GetOrAdd(oldKeys[i], oldRows[i]);
            }
        }
    }
}
