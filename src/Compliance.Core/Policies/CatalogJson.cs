using System.Text.Json;
using System.Text.Json.Serialization;
using Compliance.Core.Rules;

namespace Compliance.Core.Policies;

/// <summary>
/// The catalog's JSON contract, generated at compile time: the self-check ships trimmed as one file, where
/// reflection over the document's types would find their properties removed.
/// </summary>
[JsonSourceGenerationOptions(PropertyNameCaseInsensitive = true, ReadCommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true)]
[JsonSerializable(typeof(PolicyCatalog.CatalogDocument))]
[JsonSerializable(typeof(RateCeilingCheck.Parameters), TypeInfoPropertyName = "RateCeilingCheckParameters")]
[JsonSerializable(typeof(RateSumRangeCheck.Parameters), TypeInfoPropertyName = "RateSumRangeCheckParameters")]
[JsonSerializable(typeof(ExemptionParameters))]
[JsonSerializable(typeof(AbolishedItemCheck.Parameters), TypeInfoPropertyName = "AbolishedItemCheckParameters")]
[JsonSerializable(typeof(SoeDeductionCheck.Parameters), TypeInfoPropertyName = "SoeDeductionCheckParameters")]
[JsonSerializable(typeof(SafetyGradeCheck.Parameters), TypeInfoPropertyName = "SafetyGradeCheckParameters")]
internal sealed partial class CatalogJson : JsonSerializerContext;
