using Compliance.Core.Digests;
using Compliance.Storage.Entities;

namespace Compliance.Pipeline.Review;

/// <summary>What a caller is allowed to be.</summary>
public enum CallerRole
{
    /// <summary>Reviews violations in a region and everything under it.</summary>
    Regulator,

    /// <summary>Sees its own filings and violations; reviews nothing.</summary>
    Enterprise,
}

/// <summary>An authenticated caller: a regulator with a region scope, or an enterprise bound to one USCC.</summary>
public sealed record Caller(string Name, CallerRole Role, string? Region = null, string? Uscc = null)
{
    public static Caller Regulator(string name, string region) => new(name, CallerRole.Regulator, Region: region);

    public static Caller Enterprise(string name, string uscc) => new(name, CallerRole.Enterprise, Uscc: uscc);

    /// <summary>Whether the violation is the caller's business. Anything else must look as if it did not exist.</summary>
    public bool CanSee(ViolationEntity violation) => Role switch
    {
        CallerRole.Regulator => Region is not null && DigestBuilder.Covers(Region, violation.Region),
        CallerRole.Enterprise => Uscc is not null && string.Equals(violation.PartitionKey, Uscc, StringComparison.Ordinal),
        _ => false,
    };
}
