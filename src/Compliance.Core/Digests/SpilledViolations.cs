using System.Collections;

namespace Compliance.Core.Digests;

/// <summary>
/// A digest's list of findings kept in temporary files rather than in memory: what lets a national month's digest be
/// written without holding the month. The findings arrive in parts — one per province partition of the month's
/// index, each in key order (region, enterprise) — and each part is written to its own file as it comes, an
/// enterprise's findings in a region sorted by filing and row on the way; read back part after part, the list is in
/// the digest's order (<see cref="DigestBuilder.ListOrder"/>) with nothing but a file per part held open. The files
/// are deleted when the list is disposed.
/// </summary>
public sealed class SpilledViolations : IReadOnlyCollection<DigestViolation>, IDisposable
{
    private readonly SortedDictionary<int, Part> parts = [];
    private bool sealedForReading;

    public int Count { get; private set; }

    /// <summary>The part with this place in the list (a province partition's index), made when first asked for.</summary>
    public Part PartAt(int index)
    {
        lock (parts)
        {
            if (sealedForReading)
            {
                throw new InvalidOperationException("The list is sealed.");
            }

            if (!parts.TryGetValue(index, out var part))
            {
                parts[index] = part = new Part();
            }

            return part;
        }
    }

    /// <summary>Ends the writing: what is read from now on is every part, in order.</summary>
    public SpilledViolations Seal()
    {
        lock (parts)
        {
            sealedForReading = true;
            foreach (var part in parts.Values)
            {
                part.Seal();
            }

            Count = parts.Values.Sum(p => p.Count);
        }

        return this;
    }

    public IEnumerator<DigestViolation> GetEnumerator()
    {
        if (!sealedForReading)
        {
            throw new InvalidOperationException("Read the list once it is sealed.");
        }

        foreach (var part in parts.Values)
        {
            foreach (var violation in part.Read())
            {
                yield return violation;
            }
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public void Dispose()
    {
        foreach (var part in parts.Values)
        {
            part.Dispose();
        }
    }

    /// <summary>
    /// One run of findings in key order (region, enterprise), written to its own file. Only the findings of one
    /// enterprise in one region are held, to be put in filing and row order before they are written.
    /// </summary>
    public sealed class Part : IDisposable
    {
        private readonly FileStream file = new(Path.GetTempFileName(), FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.DeleteOnClose);
        private readonly BinaryWriter writer;
        private readonly List<DigestViolation> group = [];

        internal Part() => writer = new BinaryWriter(file, System.Text.Encoding.UTF8, leaveOpen: true);

        public int Count { get; private set; }

        /// <summary>The next finding of the part, in key order.</summary>
        public void Add(DigestViolation violation)
        {
            ArgumentNullException.ThrowIfNull(violation);
            if (group.Count > 0 && (DigestBuilder.ListRegion(group[0].Region) != DigestBuilder.ListRegion(violation.Region) || group[0].Uscc != violation.Uscc))
            {
                WriteGroup();
            }

            group.Add(violation);
        }

        internal void Seal()
        {
            WriteGroup();
            writer.Flush();
        }

        internal IEnumerable<DigestViolation> Read()
        {
            file.Position = 0;
            using var reader = new BinaryReader(file, System.Text.Encoding.UTF8, leaveOpen: true);
            for (var i = 0; i < Count; i++)
            {
                yield return ReadOne(reader);
            }
        }

        public void Dispose()
        {
            writer.Dispose();
            file.Dispose();
        }

        private void WriteGroup()
        {
            // Stable: findings on the same first row of the same filing stay in key order.
            foreach (var violation in group.OrderBy(v => v.FilingName, StringComparer.Ordinal).ThenBy(v => v.Row))
            {
                WriteOne(writer, violation);
                Count++;
            }

            group.Clear();
        }
    }

    private static void WriteOne(BinaryWriter writer, DigestViolation v)
    {
        foreach (var text in (ReadOnlySpan<string>)[v.Rule, v.Uscc, v.Period, v.Region, v.Field, v.Limit, v.Citation, v.Status, v.FilingName, v.Message])
        {
            writer.Write(text);
        }

        writer.Write(v.Row);
        writer.Write(v.Observed);
        writer.Write(v.EmployeeId is not null);
        if (v.EmployeeId is not null)
        {
            writer.Write(v.EmployeeId);
        }

        writer.Write(v.Item is not null);
        if (v.Item is not null)
        {
            writer.Write(v.Item);
        }

        writer.Write(v.Superseded);
        writer.Write(v.Rows);
        writer.Write(v.Employees);
    }

    private static DigestViolation ReadOne(BinaryReader reader)
    {
        var (rule, uscc, period, region, field, limit, citation, status, filing, message) =
            (reader.ReadString(), reader.ReadString(), reader.ReadString(), reader.ReadString(), reader.ReadString(), reader.ReadString(), reader.ReadString(), reader.ReadString(), reader.ReadString(), reader.ReadString());
        var row = reader.ReadInt32();
        var observed = reader.ReadDecimal();
        return new DigestViolation(rule, uscc, period, region, row, field, observed, limit, citation, status, filing, message)
        {
            EmployeeId = reader.ReadBoolean() ? reader.ReadString() : null,
            Item = reader.ReadBoolean() ? reader.ReadString() : null,
            Superseded = reader.ReadBoolean(),
            Rows = reader.ReadInt32(),
            Employees = reader.ReadInt32(),
        };
    }
}
