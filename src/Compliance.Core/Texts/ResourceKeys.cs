namespace Compliance.Core.Texts;

/// <summary>How an enum member names its text in a resource file: <c>NotARate</c> is <c>NOT_A_RATE</c>.</summary>
internal static class ResourceKeys
{
    public static string Of<T>(T member)
        where T : struct, Enum =>
        string.Concat(member.ToString().Select((c, i) => i > 0 && char.IsUpper(c) ? "_" + c : c.ToString())).ToUpperInvariant();
}
