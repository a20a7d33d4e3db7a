namespace Compliance.Core;

/// <summary>Base type of the errors this domain raises on purpose, so callers can tell them from bugs.</summary>
public abstract class ComplianceException : Exception
{
    protected ComplianceException(string message)
        : base(message)
    {
    }

    protected ComplianceException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
