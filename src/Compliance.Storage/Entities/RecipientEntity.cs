namespace Compliance.Storage.Entities;

/// <summary>
/// A digest recipient kept in storage: PartitionKey <c>regulator</c> (with <see cref="Region"/>) or
/// <c>enterprise</c> (with <see cref="Uscc"/> and <see cref="Name"/>); RowKey is free (the address, escaped).
/// </summary>
public sealed class RecipientEntity : StorageEntity
{
    public const string Regulator = "regulator";
    public const string Enterprise = "enterprise";

    public string Email { get; set; } = string.Empty;

    public string? Name { get; set; }

    public string? Region { get; set; }

    public string? Uscc { get; set; }
}
