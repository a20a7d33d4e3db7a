using System.Text.Json;
using System.Text.Json.Nodes;
using Compliance.Core.Digests;

namespace Compliance.Pipeline.Review;

/// <summary>
/// Cuts a filing's result document down to what a regulator of one region may read, where the filing also names
/// regions outside it (a Sichuan enterprise with staff in Guizhou, read by Guizhou): the violations of its own
/// regions and none of the others' rows. Warnings and row errors name a row but not its region, so they are
/// withheld from such a partial reader (their counts stay), and so is a rejection reason that quotes a row.
/// Enterprises, and regulators covering every region the filing names, read the document as stored.
/// </summary>
public static class ResultScope
{
    /// <summary>The field added to a cut document, saying what was left out and why.</summary>
    public const string ScopeField = "scope";

    /// <summary>Whether <paramref name="region"/>'s regulator reads the document of a filing naming <paramref name="filingRegions"/> as stored.</summary>
    public static bool IsWholeFor(string region, IReadOnlyCollection<string> filingRegions)
    {
        ArgumentNullException.ThrowIfNull(filingRegions);
        return filingRegions.Count > 0 && filingRegions.All(r => DigestBuilder.Covers(region, r));
    }

    /// <summary>The document cut to <paramref name="region"/>'s rows and findings, and how many of each it keeps.</summary>
    public static (string Json, int Violations, int Findings) CutToRegion(string json, string region)
    {
        var document = JsonNode.Parse(json) ?? throw new JsonException("The result document is empty.");
        var kept = 0;
        var keptFindings = 0;
        foreach (var file in document["files"]?.AsArray() ?? [])
        {
            if (file is not JsonObject entry)
            {
                continue;
            }

            if (entry["violations"] is JsonArray violations)
            {
                foreach (var other in violations.Where(v => !(v?["region"]?.GetValue<string>() is { } r && DigestBuilder.Covers(region, r))).ToList())
                {
                    violations.Remove(other);
                }

                kept += violations.Count;
            }

            // A finding names its region like its rows do: another region's finding goes with them.
            if (entry["findings"] is JsonArray findings)
            {
                foreach (var other in findings.Where(f => !(f?["region"]?.GetValue<string>() is { } r && DigestBuilder.Covers(region, r))).ToList())
                {
                    findings.Remove(other);
                }

                keptFindings += findings.Count;
            }

            entry["warnings"] = new JsonArray();
            entry["errors"] = new JsonArray();
            if (entry["error_row"] is not null && entry["error"] is not null)
            {
                entry["error"] = "The file was rejected for a reason in one of its rows; the reason is shown to the filer and to regulators of every region the filing names.";
                entry["error_column"] = null;
            }

            entry[ScopeField] = $"Rows in regions outside {region} are left out: violations and findings of other regions, and the warnings and row errors (their counts are whole-file).";
        }

        return (document.ToJsonString(Options), kept, keptFindings);
    }

    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
}
