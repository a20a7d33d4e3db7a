using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Compliance.Api;

/// <summary>
/// The API's settings (section <c>Api</c>). Bearer tokens are held as SHA-256 hashes with their grant, so
/// settings, logs of settings and configuration dumps never carry a usable token:
/// <c>Api:Tokens:0:Sha256</c> = hex of SHA-256(UTF-8 token), <c>Api:Tokens:0:Grant</c> = <c>role|scope|name</c>.
/// <c>compliance-stack token --grant …</c> makes a token and prints both settings.
/// </summary>
public sealed class ApiOptions
{
    public const string Section = "Api";

    /// <summary>
    /// True only where App Service authentication fronts the app: then <c>X-MS-CLIENT-PRINCIPAL</c> names the
    /// caller. Anywhere else anyone could send that header.
    /// </summary>
    public bool TrustAppServiceAuthentication { get; set; }

    public List<ApiToken> Tokens { get; set; } = [];
}

/// <summary>One bearer token, by the hash of its text, and the caller it stands for.</summary>
public sealed class ApiToken
{
    /// <summary>SHA-256 of the token's UTF-8 bytes, 64 hex digits.</summary>
    public string Sha256 { get; set; } = string.Empty;

    /// <summary><c>regulator|{6-digit region}|{name}</c> or <c>enterprise|{USCC}|{name}</c>.</summary>
    public string Grant { get; set; } = string.Empty;

    /// <summary>Whether <see cref="Sha256"/> is 64 hex digits, as a SHA-256 is.</summary>
    public bool HasWellFormedHash => Sha256.Length == 64 && Sha256.All(char.IsAsciiHexDigit);

    /// <summary>The hash as the settings line wants it: lower-case hex.</summary>
    public static string HashOf(string token) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
}

/// <summary>
/// Refuses to start with settings that would let a caller in by mistake: a grant that does not parse, a hash
/// that is not one, the same hash twice, or a token written as a configuration key (the old
/// <c>Api:Tokens:{token}</c> form, which also matched regardless of letter case).
/// </summary>
public sealed class ApiOptionsValidator(IConfiguration configuration) : IValidateOptions<ApiOptions>
{
    public ValidateOptionsResult Validate(string? name, ApiOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        foreach (var child in configuration.GetSection($"{ApiOptions.Section}:Tokens").GetChildren())
        {
            if (!int.TryParse(child.Key, NumberStyles.None, CultureInfo.InvariantCulture, out _) || child.Value is not null)
            {
                // The key may be the token itself (the old form): name it by two characters only.
                failures.Add($"{ApiOptions.Section}:Tokens:{child.Key[..Math.Min(2, child.Key.Length)]}… is not a numbered entry with Sha256 and Grant. Tokens are never configuration keys; run 'compliance-stack token --grant \"role|scope|name\"' and set the two lines it prints.");
            }
        }

        for (var i = 0; i < options.Tokens.Count; i++)
        {
            var token = options.Tokens[i];
            if (!token.HasWellFormedHash)
            {
                failures.Add($"{ApiOptions.Section}:Tokens:{i}:Sha256 must be the 64 hex digits of the token's SHA-256.");
            }

            if (CallerAuthentication.Parse(token.Grant) is null)
            {
                failures.Add($"{ApiOptions.Section}:Tokens:{i}:Grant '{token.Grant}' is not {CallerAuthentication.GrantForm}.");
            }
        }

        foreach (var twice in options.Tokens.GroupBy(t => t.Sha256, StringComparer.OrdinalIgnoreCase).Where(g => g.Key.Length > 0 && g.Count() > 1))
        {
            failures.Add($"{ApiOptions.Section}:Tokens: the same token hash is listed {twice.Count()} times; one token names one caller.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
