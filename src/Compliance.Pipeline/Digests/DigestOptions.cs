using System.ComponentModel.DataAnnotations;

namespace Compliance.Pipeline.Digests;

/// <summary>Who receives the monthly digest. Bound from <c>Digest</c>; a <c>Recipients</c> table can add more.</summary>
public sealed class DigestOptions
{
    public const string Section = "Digest";

    public List<DigestRecipient> Recipients { get; set; } = [];
}

/// <summary>A regulator (with the region it oversees) or an enterprise (with its USCC).</summary>
public sealed class DigestRecipient
{
    [Required]
    [EmailAddress]
    public string Email { get; set; } = string.Empty;

    public string? Name { get; set; }

    /// <summary>For a regulator: the GB/T 2260 code it oversees (510000 sees all of Sichuan).</summary>
    [RegularExpression("^[0-9]{6}$")]
    public string? Region { get; set; }

    /// <summary>For an enterprise: its unified social credit code.</summary>
    [RegularExpression("^[0-9A-Z]{18}$")]
    public string? Uscc { get; set; }

    /// <summary>The ledger key part: audience and address, hashed into a key-safe id by the service.</summary>
    public string Audience => Region is not null ? $"regulator:{Region}" : $"enterprise:{Uscc}";
}

/// <summary>The mail server. The password is read from configuration (Key Vault reference in Azure) and never logged.</summary>
public sealed class SmtpOptions
{
    public const string Section = "Smtp";

    [Required]
    public string Host { get; set; } = "127.0.0.1";

    [Range(1, 65535)]
    public int Port { get; set; } = 25;

    /// <summary><c>None</c>, <c>StartTls</c>, <c>SslOnConnect</c> or <c>Auto</c> (MailKit's SecureSocketOptions).</summary>
    public string Security { get; set; } = "Auto";

    public string? UserName { get; set; }

    public string? Password { get; set; }

    [Required]
    [EmailAddress]
    public string From { get; set; } = "digest@compliancefunctions.local";

    public override string ToString() => $"{Host}:{Port} ({Security}, user {(UserName is null ? "none" : "set")})";
}
