using Compliance.Api;
using ComplianceFunctions;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
builder.Services.AddCompliancePipeline(builder.Configuration);
builder.Services.AddReviewApi();
builder.Services.AddComplianceTelemetry(builder.Configuration);
builder.Build().Run();
