namespace Compliance.Core.Filings;

/// <summary>
/// A GB/T 2260 administrative division code: six digits whose first two name a province-level division
/// (11 北京 … 65 新疆, 71 台湾, 81 香港, 82 澳门). The one rule every layer validates a region by.
/// </summary>
public readonly record struct RegionCode
{
    /// <summary>The scope of a national regulator: it covers every region, and is no region itself.</summary>
    public const string National = "000000";

    private static readonly HashSet<string> Provinces =
    [
        "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
        "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71", "81", "82",
    ];

    private RegionCode(string value) => Value = value;

    public string Value { get; }

    /// <summary>What a message says when a text is not a region code.</summary>
    public const string Expected = "a 6-digit GB/T 2260 administrative division code (for example 510100 for 成都市)";

    /// <summary>True when <paramref name="text"/> is six ASCII digits starting with a province-level division.</summary>
    public static bool TryParse(string? text, out RegionCode code)
    {
        code = default;
        if (text is not { Length: 6 } || !text.All(char.IsAsciiDigit) || !Provinces.Contains(text[..2]))
        {
            return false;
        }

        code = new RegionCode(text);
        return true;
    }

    /// <summary>A regulator's scope: a region code, or <see cref="National"/>.</summary>
    public static bool IsScope(string? text) => text == National || TryParse(text, out _);

    /// <summary>The registration authority's division, characters 3–8 of a USCC (GB 32100-2015), where it names a province.</summary>
    public static bool TryFromUscc(string? uscc, out RegionCode code)
    {
        code = default;
        return uscc is { Length: 18 } && TryParse(uscc[2..8], out code);
    }

    public override string ToString() => Value;
}
