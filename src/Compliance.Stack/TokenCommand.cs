using System.Buffers.Text;
using System.CommandLine;
using System.Security.Cryptography;
using Compliance.Api;
using Compliance.Cli;

namespace Compliance.Stack;

/// <summary>
/// <c>compliance-stack token</c>: makes a bearer token for the review API and prints the two settings that grant it.
/// The token is shown once and stored nowhere; the settings hold only its SHA-256 (<see cref="ApiOptions"/>).
/// </summary>
internal static class TokenCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var grant = new Option<string>("--grant")
        {
            Description = $"Who the token stands for: {CallerAuthentication.GrantForm}.",
            Required = true,
        };
        var index = new Option<int>("--index")
        {
            Description = "Its entry number under Api:Tokens (0, 1, 2, ...): one entry per token.",
            DefaultValueFactory = _ => 0,
        };
        var command = new Command(
            "token",
            """
            Make a bearer token for the review API. Prints the token (give it to the caller; it is stored nowhere)
            and the two settings that grant it, which hold only the token's SHA-256: set them as environment
            variables, in local.settings.json or as app settings (a Key Vault reference works for either).
            """)
        {
            grant,
            index,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var value = parse.GetValue(grant)!.Trim();
            var entry = parse.GetValue(index);
            if (CallerAuthentication.Parse(value) is null || entry < 0)
            {
                await error.WriteLineAsync(entry < 0
                    ? "--index: an entry number, 0 or more."
                    : $"--grant '{value}' is not {CallerAuthentication.GrantForm}.");
                return ExitCodes.Usage;
            }

            // 256 random bits, URL-safe: fits an Authorization header and a shell line unquoted.
            var token = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
            await output.WriteLineAsync($"Token (give it to the caller; it is shown once and stored nowhere): {token}");
            await output.WriteLineAsync("Settings (environment variables; in JSON settings use ':' for '__'):");
            await output.WriteLineAsync($"Api__Tokens__{entry}__Sha256={ApiToken.HashOf(token)}");
            await output.WriteLineAsync($"Api__Tokens__{entry}__Grant={value}");
            return ExitCodes.Clean;
        });
        return command;
    }
}
