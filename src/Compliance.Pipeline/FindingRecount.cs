using Compliance.Core.Filings;
using Compliance.Storage;

namespace Compliance.Pipeline;

/// <summary>Rebuilds one month's finding counts from the month's findings (the repair behind <c>compliance-stack recount</c>).</summary>
public sealed class FindingRecount(FilingStore store, FindingCounts counts)
{
    /// <summary>Recounts the month; returns how many findings it counted.</summary>
    public async Task<int> RunAsync(Period month, CancellationToken cancellationToken)
    {
        await store.EnsureTablesAsync(cancellationToken).ConfigureAwait(false);
        var findings = (await store.ViolationsOfPeriodAsync(month.ToString(), cancellationToken).ConfigureAwait(false)).Where(f => f.IsFinding).ToList();
        return await counts.RebuildAsync(month.ToString(), findings, cancellationToken).ConfigureAwait(false);
    }
}
