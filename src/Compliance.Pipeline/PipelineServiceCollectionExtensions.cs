using Compliance.Core.Checking;
using Compliance.Core.Policies;
using Compliance.Pipeline;
using Compliance.Pipeline.Digests;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the checking pipeline and the layers under it.</summary>
public static class PipelineServiceCollectionExtensions
{
    public static IServiceCollection AddCompliancePipeline(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddComplianceStorage(configuration);
        services.AddOptions<PipelineOptions>()
            .BindConfiguration(PipelineOptions.Section)
            .Validate(o => o.CatalogPath is null || File.Exists(o.CatalogPath), "Compliance:CatalogPath names a file that does not exist.")
            .Validate(o => o.ClaimLifetime >= TimeSpan.FromSeconds(3), "Compliance:ClaimLifetime must be at least 3 seconds (it is renewed every third of it).")
            .Validate(o => o.ReconcileGrace >= TimeSpan.Zero, "Compliance:ReconcileGrace must not be negative.")
            .ValidateOnStart();

        // Loaded (and so validated) once; a bad catalog stops the host at start, not at the first upload.
        services.AddSingleton(provider => provider.GetRequiredService<IOptions<PipelineOptions>>().Value.CatalogPath is { } path
            ? PolicyCatalog.LoadFile(path)
            : PolicyCatalog.LoadEmbedded());
        services.AddSingleton(provider => new FilingChecker(provider.GetRequiredService<PolicyCatalog>()));
        services.AddMetrics();
        services.AddSingleton<PipelineTelemetry>();
        services.AddSingleton<FilingProcessor>();
        services.AddSingleton<FilingReconciler>();
        services.AddSingleton<FindingMigration>();
        services.AddSingleton<KeyMigration>();
        services.AddSingleton<Compliance.Pipeline.Rechecks.RecheckService>();

        services.AddOptions<DigestOptions>().BindConfiguration(DigestOptions.Section).ValidateOnStart();
        services.AddOptions<SmtpOptions>().BindConfiguration(SmtpOptions.Section).ValidateDataAnnotations()
            .Validate(o => Enum.TryParse<MailKit.Security.SecureSocketOptions>(o.Security, ignoreCase: true, out _), "Smtp:Security must be None, StartTls, SslOnConnect or Auto.")
            .ValidateOnStart();
        services.TryAddSingleton<IDigestSender, SmtpDigestSender>();
        services.AddSingleton<DigestService>();
        services.AddSingleton<Compliance.Pipeline.Review.ReviewService>();
        services.AddSingleton<FindingRecount>();
        services.AddSingleton<Compliance.Pipeline.Review.OverviewService>();
        services.AddSingleton<Compliance.Pipeline.Review.FilingQueries>();
        return services;
    }
}
