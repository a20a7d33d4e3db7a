using System.Collections;
using Compliance.Core.Policies;

namespace Compliance.Core.Rules;

/// <summary>
/// The violations of one file, in row order. The first few thousand stay in memory; past that they go to a
/// temporary file (deleted when the log is disposed or collected), so checking a file with a million
/// violations costs no more memory than one with ten thousand. Enumerate as often as needed; one at a time.
/// The violations are grouped into <see cref="Findings"/> as they are added.
/// </summary>
public sealed class ViolationLog : IReadOnlyCollection<Violation>, IDisposable
{
    /// <summary>How many violations are kept in memory before the rest are written to disk.</summary>
    public const int DefaultInMemory = 4096;

    private readonly List<Violation> memory = [];
    private readonly int inMemory;
    private FileStream? spill;
    private BinaryWriter? writer;
    private bool disposed;

    public ViolationLog(int inMemory = DefaultInMemory)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(inMemory);
        this.inMemory = inMemory;
    }

    public ViolationLog(IEnumerable<Violation> violations)
        : this(int.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(violations);
        foreach (var violation in violations)
        {
            memory.Add(violation);
            Findings.Add(violation);
        }

        Count = memory.Count;
    }

    /// <summary>The findings these violations make, built as they were added.</summary>
    public FindingSet Findings { get; } = new();

    /// <summary>A new empty log, for reports without violations.</summary>
    public static ViolationLog Empty => new([]);

    public int Count { get; private set; }

    /// <summary>Whether some violations are on disk rather than in memory.</summary>
    public bool Spilled => spill is not null;

    public void Add(Violation violation)
    {
        ArgumentNullException.ThrowIfNull(violation);
        ObjectDisposedException.ThrowIf(disposed, this);
        Count++;
        Findings.Add(violation);
        if (spill is null && memory.Count < inMemory)
        {
            memory.Add(violation);
            return;
        }

        if (writer is null)
        {
            spill = new FileStream(
                Path.Combine(Path.GetTempPath(), $"compliance-violations-{Guid.NewGuid():N}.bin"),
                FileMode.CreateNew,
                FileAccess.ReadWrite,
                FileShare.ReadWrite | FileShare.Delete,
                1 << 16,
                FileOptions.DeleteOnClose | FileOptions.SequentialScan);
            writer = new BinaryWriter(spill, System.Text.Encoding.UTF8, leaveOpen: true);
        }

        Write(writer, violation);
    }

    public IEnumerator<Violation> GetEnumerator()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        foreach (var violation in memory)
        {
            yield return violation;
        }

        if (spill is null || writer is null)
        {
            yield break;
        }

        writer.Flush();
        using var reading = new FileStream(spill.Name, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1 << 16, FileOptions.SequentialScan);
        using var reader = new BinaryReader(reading, System.Text.Encoding.UTF8);
        var strings = new StringPool();
        for (var i = memory.Count; i < Count; i++)
        {
            yield return Read(reader, strings);
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public void Dispose()
    {
        disposed = true;
        writer?.Dispose();
        spill?.Dispose();
    }

    private static void Write(BinaryWriter w, Violation v)
    {
        w.Write(v.Rule);
        w.Write((byte)v.Severity);
        w.Write(v.Uscc);
        w.Write(v.Period);
        w.Write(v.Region);
        w.Write(v.Row);
        WriteNullable(w, v.EmployeeId);
        WriteNullable(w, v.Item);
        w.Write(v.Field);
        w.Write(v.Observed);
        w.Write(v.Limit);
        w.Write(v.Citation);
        w.Write(v.Message);
        w.Write(v.Declared);
    }

    private static Violation Read(BinaryReader r, StringPool strings) => new()
    {
        Rule = strings.Get(r.ReadString()),
        Severity = (Severity)r.ReadByte(),
        Uscc = strings.Get(r.ReadString()),
        Period = strings.Get(r.ReadString()),
        Region = strings.Get(r.ReadString()),
        Row = r.ReadInt32(),
        EmployeeId = r.ReadBoolean() ? r.ReadString() : null,
        Item = r.ReadBoolean() ? r.ReadString() : null,
        Field = strings.Get(r.ReadString()),
        Observed = r.ReadDecimal(),
        Limit = strings.Get(r.ReadString()),
        Citation = strings.Get(r.ReadString()),
        Message = r.ReadString(),
        Declared = r.ReadBoolean(),
    };

    private static void WriteNullable(BinaryWriter w, string? value)
    {
        w.Write(value is not null);
        if (value is not null)
        {
            w.Write(value);
        }
    }

    /// <summary>Rule, clause, enterprise and period repeat on every violation: share one string each while reading back.</summary>
    private sealed class StringPool
    {
        private readonly Dictionary<string, string> pool = new(StringComparer.Ordinal);

        public string Get(string value)
        {
            if (pool.TryGetValue(value, out var shared))
            {
                return shared;
            }

            if (pool.Count < 1024)
            {
                pool[value] = value;
            }

            return value;
        }
    }
}
