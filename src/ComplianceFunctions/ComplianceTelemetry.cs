using Azure.Identity;
using Azure.Monitor.OpenTelemetry.Exporter;
using Compliance.Pipeline;
using Microsoft.Azure.Functions.Worker.OpenTelemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;

namespace ComplianceFunctions;

/// <summary>
/// The app's traces and metrics through OpenTelemetry: the Functions worker's own spans and the pipeline's
/// (<see cref="PipelineTelemetry"/>), exported to the Application Insights resource the deployment wires in.
/// </summary>
public static class ComplianceTelemetry
{
    public static IServiceCollection AddComplianceTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var telemetry = services.AddOpenTelemetry()
            .UseFunctionsWorkerDefaults()
            .WithTracing(tracing => tracing.AddSource(PipelineTelemetry.Name))
            .WithMetrics(metrics => metrics.AddMeter(PipelineTelemetry.Name));
        if (!string.IsNullOrEmpty(configuration["APPLICATIONINSIGHTS_CONNECTION_STRING"]))
        {
            // Local authentication is off on the Application Insights resource (infra/modules/monitoring.bicep):
            // the app's managed identity signs the exports. The exporters read the connection string themselves.
            var credential = new DefaultAzureCredential();
            telemetry
                .WithTracing(tracing => tracing.AddAzureMonitorTraceExporter(o => o.Credential = credential))
                .WithMetrics(metrics => metrics.AddAzureMonitorMetricExporter(o => o.Credential = credential));
        }

        return services;
    }
}
