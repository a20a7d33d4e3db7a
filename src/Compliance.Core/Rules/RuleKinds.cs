using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Compliance.Core.Filings;
using Compliance.Core.Policies;

namespace Compliance.Core.Rules;

/// <summary>
/// The rule kinds the code knows. A catalog rule names one; its parameters (fields, limits, item lists)
/// are data, checked here against the filing kind's columns when the catalog loads.
/// </summary>
internal static class RuleKinds
{
    private static readonly Dictionary<string, Func<FilingSchema, JsonElement, string, IRuleCheck>> Factories = new(StringComparer.Ordinal)
    {
        ["rate-ceiling"] = (schema, p, where) => new RateCeilingCheck(schema, Read(p, CatalogJson.Default.RateCeilingCheckParameters, where), where),
        ["rate-sum-range"] = (schema, p, where) => new RateSumRangeCheck(schema, Read(p, CatalogJson.Default.RateSumRangeCheckParameters, where), where),
        ["exemption-charged"] = (schema, p, where) => new ExemptionChargedCheck(schema, Read(p, CatalogJson.Default.ExemptionParameters, where), where),
        ["exemption-ineligible"] = (schema, p, where) => new ExemptionIneligibleCheck(schema, Read(p, CatalogJson.Default.ExemptionParameters, where), where),
        ["abolished-item"] = (schema, p, where) => new AbolishedItemCheck(schema, Read(p, CatalogJson.Default.AbolishedItemCheckParameters, where), where),
        ["soe-deduction-range"] = (schema, p, where) => new SoeDeductionCheck(schema, Read(p, CatalogJson.Default.SoeDeductionCheckParameters, where), where),
        ["safety-grade"] = (schema, p, where) => new SafetyGradeCheck(schema, Read(p, CatalogJson.Default.SafetyGradeCheckParameters, where), where),
    };

    public static IEnumerable<string> Names => Factories.Keys;

    public static bool IsKnown(string? kind) => kind is not null && Factories.ContainsKey(kind);

    public static IRuleCheck Compile(string kind, FilingSchema schema, JsonElement parameters, string where) => Factories[kind](schema, parameters, where);

    private static T Read<T>(JsonElement element, JsonTypeInfo<T> contract, string where)
        where T : class
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new PolicyCatalogException($"{where}: \"parameters\" must be an object.");
        }

        try
        {
            return element.Deserialize(contract) ?? throw new PolicyCatalogException($"{where}: \"parameters\" is empty.");
        }
        catch (JsonException ex)
        {
            throw new PolicyCatalogException($"{where}: parameters do not fit the rule kind: {ex.Message}");
        }
    }

    /// <summary>Resolves a field a catalog names, insisting it exists in the kind and has the expected type.</summary>
    public static ColumnDefinition Column(FilingSchema schema, string? name, ColumnType type, string where)
    {
        var column = name is null ? null : schema.Find(name);
        if (column is null || column.Name != name)
        {
            throw new PolicyCatalogException($"{where}: '{name}' is not a column of {schema.Kind.ToContractName()} filings.");
        }

        if (column.Type != type)
        {
            throw new PolicyCatalogException($"{where}: column '{name}' is a {column.Type}, the rule needs a {type}.");
        }

        return column;
    }

    /// <summary>The canonical value a catalog names for a choice column (一般/较大/重大, a grade), in any spelling the column accepts.</summary>
    public static string Choice(ColumnDefinition column, string? value, string where) =>
        value is not null && column.Choices.TryGetValue(TextNormalizer.Key(value), out var canonical)
            ? canonical
            : throw new PolicyCatalogException($"{where}: '{value}' is not a {column.Name} ({string.Join(", ", column.Choices.Values.Distinct())}).");

    public static decimal Required(decimal? value, string name, string where) =>
        value ?? throw new PolicyCatalogException($"{where}: parameter \"{name}\" is required.");

    public static string Number(decimal value) => value.ToString("0.####", System.Globalization.CultureInfo.InvariantCulture);
}
