using System.Text.Json.Nodes;

namespace Compliance.Testing;

/// <summary>Policy catalogs as a catalog change would make them, written to temporary files a host can load.</summary>
public static class TestCatalogs
{
    /// <summary>The catalog in <c>seeds/</c> with the housing fund's cap (HF-RATE-CAP) lowered to <paramref name="max"/>% and its version marked <c>-hf{max}</c>.</summary>
    public static string LoweredHousingFund(int max)
    {
        var catalog = JsonNode.Parse(File.ReadAllText(Path.Combine(Repository.Root, "seeds", "policy-catalog.json")))!;
        catalog["catalogVersion"] = $"{catalog["catalogVersion"]!.GetValue<string>()}-hf{max}";
        foreach (var version in catalog["rules"]!.AsArray().Single(r => r!["id"]!.GetValue<string>() == "HF-RATE-CAP")!["versions"]!.AsArray())
        {
            version!["parameters"]!["max"] = max;
        }

        var path = Path.Combine(Directory.CreateTempSubdirectory("catalog-").FullName, "policy-catalog.json");
        File.WriteAllText(path, catalog.ToJsonString());
        return path;
    }
}
