using System.Diagnostics.Metrics;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace Compliance.Pipeline.Tests;

/// <summary>What an operator's dashboard reads from the pipeline's meter for uploads, on a real Azurite.</summary>
[TestClass]
public sealed class TelemetryTests
{
    [TestMethod]
    public async Task AnUploadAndARejection_AreCountedWithTheirViolationsAndDurations()
    {
        await using var harness = new PipelineHarness();
        var meters = harness.Get<IMeterFactory>();
        using var filings = new MetricCollector<long>(meters, PipelineTelemetry.Name, "compliance.filings");
        using var violations = new MetricCollector<long>(meters, PipelineTelemetry.Name, "compliance.violations");
        using var durations = new MetricCollector<double>(meters, PipelineTelemetry.Name, "compliance.check.duration");

        await harness.UploadSampleAsync(PipelineHarness.OtherUscc, "payroll-2016-06-jingyang-gbk.csv");
        await harness.Processor.ProcessAsync(PipelineHarness.OtherUscc, "payroll-2016-06-jingyang-gbk.csv", CancellationToken.None);
        await harness.UploadAsync(PipelineHarness.Uscc, "garbage.csv", "not,a,filing\r\n1,2,3\r\n");
        await harness.Processor.ProcessAsync(PipelineHarness.Uscc, "garbage.csv", CancellationToken.None);

        var counted = filings.GetMeasurementSnapshot().Select(m => $"{m.Value} {m.Tags["status"]} {m.Tags["kind"]}").ToArray();
        CollectionAssert.AreEqual(new[] { "1 checked payroll", "1 rejected unknown" }, counted);
        Assert.AreEqual(3, violations.GetMeasurementSnapshot().Where(m => (string?)m.Tags["kind"] == "payroll").Sum(m => m.Value), "the sample's three violations");
        Assert.AreEqual(2, durations.GetMeasurementSnapshot().Count, "a duration for each verdict");
        Assert.IsTrue(durations.GetMeasurementSnapshot().All(m => m.Value >= 0));
    }

    [TestMethod]
    public async Task AVersionAlreadyChecked_IsNotCountedAgain()
    {
        await using var harness = new PipelineHarness();
        using var filings = new MetricCollector<long>(harness.Get<IMeterFactory>(), PipelineTelemetry.Name, "compliance.filings");
        await harness.UploadSampleAsync(PipelineHarness.OtherUscc, "payroll-2016-06-jingyang-gbk.csv");

        await harness.Processor.ProcessAsync(PipelineHarness.OtherUscc, "payroll-2016-06-jingyang-gbk.csv", CancellationToken.None);
        await harness.Processor.ProcessAsync(PipelineHarness.OtherUscc, "payroll-2016-06-jingyang-gbk.csv", CancellationToken.None);

        Assert.AreEqual(1, filings.GetMeasurementSnapshot().Sum(m => m.Value), "a redelivered trigger is no second filing");
    }
}
