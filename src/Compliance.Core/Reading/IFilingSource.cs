using Compliance.Core.Filings;

namespace Compliance.Core.Reading;

/// <summary>
/// A filing opened for reading: its kind is known (from the header or the JSON <c>kind</c>), and records
/// stream one at a time. Implementations never hold the whole file.
/// </summary>
public interface IFilingSource : IDisposable
{
    FilingSchema Schema { get; }

    /// <summary>
    /// Remarks about the header, such as ignored columns. May grow while the records are read (a JSON field
    /// first seen in a later row), so it is read again once they are.
    /// </summary>
    IReadOnlyList<FilingWarning> HeaderWarnings { get; }

    /// <summary>
    /// The records in file order. The same <see cref="RawRecord"/> instance may be returned each time:
    /// consume it before moving on. Structural damage throws <see cref="FilingRejectedException"/>.
    /// </summary>
    IEnumerable<RawRecord> ReadRecords(CancellationToken cancellationToken);
}
