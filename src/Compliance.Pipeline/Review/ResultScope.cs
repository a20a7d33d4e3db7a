using System.Text.Json;
using System.Text.Json.Nodes;
using Compliance.Core.Digests;

namespace Compliance.Pipeline.Review;

/// <summary>
/// Cuts a filing's result document down to what a regulator of one region may read. An enterprise reads its
/// own document whole; a regulator whose region covers every region the filing names does too. One whose
/// region covers only some of them (a Sichuan enterprise with staff in Guizhou, read by Guizhou) gets the
/// violations of its own regions and none of the others' rows. Warnings and row errors name a row but not
/// its region, so they are withheld from such a partial reader (their counts stay), and so is a rejection
/// reason that quotes a row.
/// </summary>
public static class ResultScope
{
    /// <summary>The field added to a cut document, saying what was left out and why.</summary>
    public const string ScopeField = "scope";

    /// <summary>The document as <paramref name="region"/>'s regulator may read it, and how many violations it keeps.</summary>
    public static (string Json, int Violations) ForRegulator(string json, string region, IReadOnlyCollection<string> filingRegions)
    {
        ArgumentNullException.ThrowIfNull(filingRegions);
        var document = JsonNode.Parse(json) ?? throw new JsonException("The result document is empty.");
        var whole = filingRegions.Count > 0 && filingRegions.All(r => DigestBuilder.Covers(region, r));
        var kept = 0;
        foreach (var file in document["files"]?.AsArray() ?? [])
        {
            if (file is not JsonObject entry)
            {
                continue;
            }

            if (entry["violations"] is JsonArray violations)
            {
                var mine = violations.Where(v => v?["region"]?.GetValue<string>() is { } r && DigestBuilder.Covers(region, r)).Select(v => v!.DeepClone()).ToList();
                kept += mine.Count;
                if (!whole)
                {
                    entry["violations"] = new JsonArray([.. mine]);
                }
            }

            if (whole)
            {
                continue;
            }

            entry["warnings"] = new JsonArray();
            entry["errors"] = new JsonArray();
            if (entry["error_row"] is not null && entry["error"] is not null)
            {
                entry["error"] = "The file was rejected for a reason in one of its rows; the reason is shown to the filer and to regulators of every region the filing names.";
                entry["error_column"] = null;
            }

            entry[ScopeField] = $"Rows in regions outside {region} are left out: violations of other regions, and the warnings and row errors (their counts are whole-file).";
        }

        return (whole ? json : document.ToJsonString(Options), kept);
    }

    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
}
