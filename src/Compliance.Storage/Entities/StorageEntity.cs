using Azure;
using Azure.Data.Tables;

namespace Compliance.Storage.Entities;

/// <summary>The four members every table entity carries; the entities add their own properties.</summary>
public abstract class StorageEntity : ITableEntity
{
    public string PartitionKey { get; set; } = string.Empty;

    public string RowKey { get; set; } = string.Empty;

    public DateTimeOffset? Timestamp { get; set; }

    public ETag ETag { get; set; }
}
