namespace Compliance.Storage.Entities;

/// <summary>
/// A re-check of a month's stored filings (table Rechecks, PartitionKey <see cref="RecheckEntity.Partition"/>, RowKey
/// the id): what was asked, and how far the fan-out has listed the month's filings. The planner advances it a page at
/// a time with its ETag, so two planners of one re-check cannot both count a page.
/// </summary>
public sealed class RecheckEntity : StorageEntity
{
    /// <summary>All re-checks live in one partition: a handful a year, listed newest first by their ids.</summary>
    public const string Partition = "recheck";

    /// <summary>The filing month (<c>yyyy-MM</c>) whose stored filings are re-checked.</summary>
    public string Period { get; set; } = string.Empty;

    /// <summary>Only filings of the kind this rule applies to; null for every filing of the month.</summary>
    public string? Rule { get; set; }

    public string RequestedBy { get; set; } = string.Empty;

    public DateTimeOffset RequestedAt { get; set; }

    /// <summary>The catalog in force where the re-check was asked for (the one the checks are expected to run under).</summary>
    public string CatalogVersion { get; set; } = string.Empty;

    /// <summary>True until every page of the month's filings has been queued.</summary>
    public bool Planning { get; set; } = true;

    /// <summary>Filings queued so far: one per filing (all its versions are one blob), counted once per page.</summary>
    public int Queued { get; set; }

    /// <summary>Where the next page of the month's filing index starts (the service's continuation token); null at the start.</summary>
    public string? Continuation { get; set; }

    /// <summary>The last filing queued: a filing's versions are adjacent in the index, and may straddle two pages.</summary>
    public string? LastFilingId { get; set; }

    public DateTimeOffset? PlannedAt { get; set; }
}

/// <summary>
/// One re-check's tally over the filings of one shard (PartitionKey <c>{id}_{shard}</c>, RowKey
/// <see cref="CounterRow"/>): written in the same transaction as the filing's own row, so a filing is counted
/// exactly once however often its message is delivered.
/// </summary>
public sealed class RecheckCounterEntity : StorageEntity
{
    public const string CounterRow = "counts";

    public int Checked { get; set; }

    public int Rejected { get; set; }

    /// <summary>Already checked under the catalog in force: nothing to do.</summary>
    public int Current { get; set; }

    /// <summary>The blob was deleted since: nothing to check.</summary>
    public int Gone { get; set; }

    public int Failed { get; set; }
}

/// <summary>What a re-check did to one filing (PartitionKey <c>{id}_{shard}</c>, RowKey the filing id); failures are also listed under <c>{id}_failed</c>.</summary>
public sealed class RecheckFilingEntity : StorageEntity
{
    public string BlobName { get; set; } = string.Empty;

    /// <summary><c>checked</c>, <c>rejected</c>, <c>current</c>, <c>gone</c> or <c>failed</c>.</summary>
    public string Outcome { get; set; } = string.Empty;

    /// <summary>For a failure: the last attempt's error (the message itself is in the poison queue).</summary>
    public string? Error { get; set; }

    public int Attempts { get; set; }

    public DateTimeOffset At { get; set; }
}
