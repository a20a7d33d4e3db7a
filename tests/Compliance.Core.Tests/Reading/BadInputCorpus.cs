using System.Text.Json;

namespace Compliance.Core.Tests.Reading;

/// <summary>The corpus manifest, tests/bad-inputs/expected.json.</summary>
/// <remarks>Compiled into the core and the pipeline tests, which check the same files offline and through the blob trigger.</remarks>
internal sealed class BadInputCorpus(string repositoryRoot)
{
    public const string ManifestName = "expected.json";

    public string Folder { get; } = Path.Combine(repositoryRoot, "tests", "bad-inputs");

    public IReadOnlyList<Entry> Entries => field ??= Load(Folder);

    /// <param name="errorColumn">The column a rejection names; null where the caller does not keep it.</param>
    public static void AssertMatches(Entry expected, string status, string? error, int? errorRow, string? errorColumn, string[] violations, int warnings)
    {
        Assert.AreEqual(expected.Outcome, status, $"{expected.File} ({expected.About}): {error}");
        if (expected.Outcome == "rejected")
        {
            Assert.AreEqual(expected.Error, error, expected.File);
            Assert.AreEqual(expected.Row, errorRow, $"{expected.File}: the row the message names");
            if (errorColumn is not null || expected.Column is null)
            {
                Assert.AreEqual(expected.Column, errorColumn, $"{expected.File}: the column the message names");
            }
            Assert.IsEmpty(violations, "a rejected file has no findings");
        }
        else
        {
            CollectionAssert.AreEqual(expected.Violations, violations, expected.File);
            Assert.AreEqual(expected.Warnings, warnings, $"{expected.File}: warnings");
        }
    }

    private static List<Entry> Load(string folder)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(folder, ManifestName)));
        return [.. document.RootElement.GetProperty("files").EnumerateObject().Select(f => new Entry(
            f.Name,
            f.Value.GetProperty("about").GetString()!,
            f.Value.GetProperty("outcome").GetString()!,
            f.Value.TryGetProperty("error", out var e) ? e.GetString() : null,
            f.Value.TryGetProperty("row", out var r) ? r.GetInt32() : null,
            f.Value.TryGetProperty("column", out var c) ? c.GetString() : null,
            f.Value.TryGetProperty("violations", out var v) ? [.. v.EnumerateArray().Select(x => x.GetString()!)] : [],
            f.Value.TryGetProperty("warnings", out var w) ? w.GetInt32() : 0))];
    }

    internal sealed record Entry(string File, string About, string Outcome, string? Error, int? Row, string? Column, string[] Violations, int Warnings);
}
