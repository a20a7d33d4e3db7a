using Compliance.Core.Texts;

namespace Compliance.Core.Filings;

/// <summary>统一社会信用代码 (unified social credit code), checked as GB 32100-2015 prescribes.</summary>
public static class Uscc
{
    private const string Alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    private static readonly int[] Weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

    /// <summary>Normalises (NFKC, upper case) and validates; the reason says what is wrong in words a filer can act on.</summary>
    public static bool TryValidate(string? text, out string normalized, out UserMessage? reason)
    {
        normalized = text is null ? string.Empty : TextNormalizer.Normalize(text).ToUpperInvariant();
        if (normalized.Length != 18)
        {
            reason = UserMessage.Of(MessageCode.UsccLength, normalized, MessageArgs.Num(normalized.Length));
            return false;
        }

        var sum = 0;
        for (var i = 0; i < 17; i++)
        {
            var value = Alphabet.IndexOf(normalized[i], StringComparison.Ordinal);
            if (value < 0)
            {
                reason = UserMessage.Of(MessageCode.UsccCharacter, normalized, normalized[i].ToString(), MessageArgs.Num(i + 1));
                return false;
            }

            sum += value * Weights[i];
        }

        var expected = CheckCharacter(sum);
        if (normalized[17] != expected)
        {
            reason = UserMessage.Of(MessageCode.UsccCheck, normalized, expected.ToString(), normalized[17].ToString());
            return false;
        }

        reason = null;
        return true;
    }

    /// <summary>The check character for the first 17 characters of a code.</summary>
    public static char ComputeCheckCharacter(ReadOnlySpan<char> first17)
    {
        if (first17.Length != 17)
        {
            throw new ArgumentException("A code body has 17 characters.", nameof(first17));
        }

        var sum = 0;
        for (var i = 0; i < 17; i++)
        {
            var value = Alphabet.IndexOf(first17[i]);
            if (value < 0)
            {
                throw new ArgumentException($"'{first17[i]}' is not allowed in a code.", nameof(first17));
            }

            sum += value * Weights[i];
        }

        return CheckCharacter(sum);
    }

    private static char CheckCharacter(int sum)
    {
        var check = 31 - (sum % 31);
        return Alphabet[check == 31 ? 0 : check];
    }
}
