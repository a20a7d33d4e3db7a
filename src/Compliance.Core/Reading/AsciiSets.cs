using System.Buffers;

namespace Compliance.Core.Reading;

/// <summary>
/// The ASCII ranges cells are tested against, as <see cref="SearchValues{T}"/>. The generic
/// <c>ContainsAnyExceptInRange</c> boxes every character until the JIT has optimised its caller, which is the whole
/// of a fresh command line's first file (measured: 100 bytes a row); these do not.
/// </summary>
internal static class AsciiSets
{
    public static SearchValues<char> Digits { get; } = SearchValues.Create("0123456789");

    /// <summary>'!' to '~': printable ASCII without the space.</summary>
    public static SearchValues<char> Visible { get; } = SearchValues.Create(string.Concat(Enumerable.Range('!', '~' - '!' + 1).Select(c => (char)c)));
}
