using Compliance.Pipeline;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Compliance.LocalStack;

/// <summary>
/// The pipeline's traces and metrics on a laptop: to an OTLP endpoint when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is
/// set (a collector, Aspire's dashboard, Jaeger), to the console when <c>Telemetry:Console</c> is true, and
/// nowhere otherwise.
/// </summary>
public static class LocalTelemetry
{
    public static IServiceCollection AddLocalTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var telemetry = services.AddOpenTelemetry()
            .WithTracing(tracing => tracing.AddSource(PipelineTelemetry.Name))
            .WithMetrics(metrics => metrics.AddMeter(PipelineTelemetry.Name));
        if (!string.IsNullOrEmpty(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            telemetry.UseOtlpExporter();
        }

        if (configuration.GetValue<bool>("Telemetry:Console"))
        {
            telemetry
                .WithTracing(tracing => tracing.AddConsoleExporter())
                .WithMetrics(metrics => metrics.AddConsoleExporter());
        }

        return services;
    }
}
