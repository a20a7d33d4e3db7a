namespace Compliance.Core.Reading;

/// <summary>
/// A filing that cannot be checked as a whole: wrong format, unknown kind, a missing column, broken
/// structure. The message is written for the filer; <see cref="Row"/> and <see cref="Column"/> say where.
/// </summary>
public sealed class FilingRejectedException : ComplianceException
{
    public FilingRejectedException(string reason, int? row = null, string? column = null)
        : base(reason)
    {
        Row = row;
        Column = column;
    }

    public FilingRejectedException(string reason, Exception innerException, int? row = null, string? column = null)
        : base(reason, innerException)
    {
        Row = row;
        Column = column;
    }

    /// <summary>The row (as the user numbers it) where the problem is, if it is in one place.</summary>
    public int? Row { get; }

    public string? Column { get; }
}
