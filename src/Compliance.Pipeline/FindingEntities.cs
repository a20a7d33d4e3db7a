using System.Globalization;
using Compliance.Core.Checking;
using Compliance.Core.Rules;
using Compliance.Storage;
using Compliance.Storage.Entities;

namespace Compliance.Pipeline;

/// <summary>A finding as the Violations table stores it: the one mapping the pipeline and the migration to findings share.</summary>
public static class FindingEntities
{
    /// <summary>The finding's entity, <c>open</c>, keyed by the finding's id, so the same subject has the same key in every version.</summary>
    public static ViolationEntity Of(Finding finding, string uscc, string blobPath, string filingId, string etag, string kind, DateTimeOffset detectedAt)
    {
        ArgumentNullException.ThrowIfNull(finding);
        return new ViolationEntity
        {
            PartitionKey = uscc,
            RowKey = StorageKeys.Finding(filingId, finding.Id),
            FindingId = finding.Id,
            Rule = finding.Rule,
            Severity = ReportJson.SeverityName(finding.Severity),
            Uscc = finding.Uscc,
            Period = finding.Period,
            Region = finding.Region,
            Row = finding.FirstRows[0],
            RowCount = finding.RowCount,
            EmployeeCount = finding.EmployeeCount,
            FirstRows = string.Join(',', finding.FirstRows),
            EmployeeId = finding.EmployeeId,
            Item = finding.Item,
            Field = finding.Field,
            Declared = finding.Observed is not null,
            Observed = Double(finding.Observed ?? finding.ObservedMax),
            ObservedMin = Double(finding.ObservedMin),
            ObservedMax = Double(finding.ObservedMax),
            Limit = finding.Limit,
            Citation = finding.Citation,
            Message = finding.Message,
            FilingName = blobPath,
            FilingId = filingId,
            FilingETag = etag,
            Kind = kind,
            Status = ViolationEntity.OpenStatus,
            DetectedAt = detectedAt,
        };
    }

    /// <summary>Through the invariant text, so 0.6m is stored as the double 0.6 rather than its nearest binary neighbour's long form.</summary>
    private static double Double(decimal value) => double.Parse(value.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
}
