using Compliance.Core.Texts;

namespace Compliance.Core.Reading;

/// <summary>
/// A filing that cannot be checked as a whole: wrong format, unknown kind, a missing column, broken
/// structure. <see cref="Text"/> is written for the filer (in either language; the exception's message is its
/// English); <see cref="Row"/> and <see cref="Column"/> say where.
/// </summary>
public sealed class FilingRejectedException : ComplianceException
{
    public FilingRejectedException(UserMessage text, int? row = null, string? column = null)
        : base(text?.ToString() ?? throw new ArgumentNullException(nameof(text)))
    {
        Text = text;
        Row = row;
        Column = column;
    }

    public FilingRejectedException(UserMessage text, Exception innerException, int? row = null, string? column = null)
        : base(text?.ToString() ?? throw new ArgumentNullException(nameof(text)), innerException)
    {
        Text = text;
        Row = row;
        Column = column;
    }

    /// <summary>Why, as a code and arguments that render in Chinese or English.</summary>
    public UserMessage Text { get; }

    /// <summary>The row (as the user numbers it) where the problem is, if it is in one place.</summary>
    public int? Row { get; }

    public string? Column { get; }
}
