using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Compliance.Pipeline;

/// <summary>
/// What an operator watches: filing versions checked and rejected, violations found, how long a check takes and
/// how fast it reads, digests sent — one meter and one activity source, both named <see cref="Name"/>. The hosts
/// export them (Azure Monitor in Azure; the console or OTLP locally); nothing here knows where they go.
/// </summary>
public sealed class PipelineTelemetry
{
    public const string Name = "Compliance.Pipeline";

    /// <summary>Spans around the work of a trigger: one per filing version checked.</summary>
    public static readonly ActivitySource Source = new(Name);

    public PipelineTelemetry(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        var meter = meters.Create(Name);
        Filings = meter.CreateCounter<long>("compliance.filings", "{filing}", "Filing versions given a verdict, by status (checked, rejected) and kind.");
        Violations = meter.CreateCounter<long>("compliance.violations", "{violation}", "Violations found in checked filing versions, by kind.");
        CheckDuration = meter.CreateHistogram<double>("compliance.check.duration", "s", "From trigger to stored verdict, per filing version.");
        RowsPerSecond = meter.CreateHistogram<double>("compliance.check.rows_per_second", "{row}/s", "Rows read and checked per second of checking, per filing version.");
        DigestsSent = meter.CreateCounter<long>("compliance.digests.sent", "{digest}", "Digest mails sent, by audience (regulator, enterprise).");
    }

    public Counter<long> Filings { get; }

    public Counter<long> Violations { get; }

    public Histogram<double> CheckDuration { get; }

    public Histogram<double> RowsPerSecond { get; }

    public Counter<long> DigestsSent { get; }
}
