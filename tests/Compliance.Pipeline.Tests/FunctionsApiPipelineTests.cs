using System.Text;
using System.Text.Json;
using Compliance.Api;
using Compliance.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Compliance.Pipeline.Tests;

/// <summary>
/// The Functions app's HTTP functions only hand the request to <see cref="ApiPipeline"/>. No Functions host runs
/// here, so this drives that same pipeline in-process over the services the app's Program.cs registers, and
/// checks it answers as the local host does: routes, policies, the 401 challenge, the body limit, headers.
/// </summary>
[TestClass]
public sealed class FunctionsApiPipelineTests
{
    private static readonly CapturingLoggerProvider Logs = new();
    private static ServiceProvider? services;

    [ClassInitialize]
    public static void Build(TestContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var settings = ApiSettings.Isolated("fn", Guid.NewGuid().ToString("N")[..8]);
        settings["AzureWebJobsStorage"] = AzuriteFixture.ConnectionString;
        settings[StorageConnection.Name] = AzuriteFixture.ConnectionString;
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();

        // As src/ComplianceFunctions/Program.cs registers them, over what the worker's generic host provides.
        services = new ServiceCollection()
            .AddSingleton<IConfiguration>(configuration)
            .AddSingleton<Microsoft.Extensions.Hosting.IHostEnvironment>(new Microsoft.Extensions.Hosting.Internal.HostingEnvironment { ApplicationName = "ComplianceFunctions", EnvironmentName = "Production", ContentRootPath = AppContext.BaseDirectory })
            .AddLogging(b => b.AddProvider(Logs))
            .AddCompliancePipeline(configuration)
            .AddReviewApi()
            .BuildServiceProvider();
    }

    [ClassCleanup]
    public static async Task DisposeAsync()
    {
        if (services is not null)
        {
            await services.DisposeAsync();
        }
    }

    [TestMethod]
    public async Task ARouteOfTheTable_IsServedWithItsPolicy()
    {
        var (status, headers, body) = await SendAsync("GET", "/api/rules", "ent-dy");

        Assert.AreEqual(200, status, body);
        Assert.AreEqual(9, JsonDocument.Parse(body).RootElement.GetArrayLength());
        Assert.AreEqual("nosniff", headers.XContentTypeOptions.ToString());
        Assert.AreEqual("no-store", headers.CacheControl.ToString());
    }

    [TestMethod]
    public async Task NoCaller_Is401WithTheChallenge_AndTheWrongRoleIs403()
    {
        var (unauthenticated, headers, body) = await SendAsync("GET", "/api/violations", null);
        var (forbidden, _, forbiddenBody) = await SendAsync("POST", "/api/uploads", "reg-sc", """{"fileName":"x.csv"}""");

        Assert.AreEqual(401, unauthenticated, body);
        Assert.AreEqual("Bearer realm=\"compliance\"", headers.WWWAuthenticate.ToString());
        Assert.AreEqual(401, JsonDocument.Parse(body).RootElement.GetProperty("status").GetInt32());
        Assert.AreEqual(403, forbidden, forbiddenBody);
    }

    [TestMethod]
    public async Task ABodyOverTheLimit_Is413WithoutADeclaredLength()
    {
        var (status, _, body) = await SendAsync("POST", "/api/violations/x.y/review", "reg-sc", $$"""{"note":"{{new string('a', ReviewEndpoints.MaxBodyBytes)}}"}""", declareLength: false);

        Assert.AreEqual(413, status, body);
    }

    [TestMethod]
    public async Task ThePageAndTheOpenApiDocument_AreServedToo()
    {
        var (page, pageHeaders, html) = await SendAsync("GET", "/", null);
        var (openApi, _, document) = await SendAsync("GET", ReviewEndpoints.OpenApiPath, null);

        Assert.AreEqual(200, page);
        StringAssert.StartsWith(pageHeaders.ContentSecurityPolicy.ToString(), "default-src 'none'; script-src 'self' 'sha256-", "its own script and the chart library it serves, nothing inline but the hashed script");
        StringAssert.Contains(html, "<html");
        Assert.AreEqual(200, openApi, string.Join(Environment.NewLine, Logs.Messages));
        StringAssert.Contains(document, "\"/api/violations/{id}/review\"");
    }

    private static async Task<(int Status, IHeaderDictionary Headers, string Body)> SendAsync(string method, string path, string? token, string? json = null, bool declareLength = true)
    {
        await using var scope = services!.CreateAsyncScope();
        var context = new DefaultHttpContext { RequestServices = scope.ServiceProvider };
        context.Features.Set<Microsoft.AspNetCore.Http.Features.IHttpRequestBodyDetectionFeature>(new BodyDetection(json is not null));
        context.Request.Method = method;
        context.Request.Path = path;
        context.Request.Scheme = "http";
        context.Request.Host = new HostString("127.0.0.1");
        if (token is not null)
        {
            context.Request.Headers.Authorization = $"Bearer {token}";
        }

        if (json is not null)
        {
            var bytes = Encoding.UTF8.GetBytes(json);
            context.Request.ContentType = "application/json";
            context.Request.Body = new MemoryStream(bytes);
            context.Request.ContentLength = declareLength ? bytes.Length : null;
            context.Request.Headers.IfMatch = ApiSettings.WellFormedETag;
        }

        using var response = new MemoryStream();
        context.Response.Body = response;
        await scope.ServiceProvider.GetRequiredService<ApiPipeline>().InvokeAsync(context);
        return (context.Response.StatusCode, context.Response.Headers, Encoding.UTF8.GetString(response.ToArray()));
    }

    /// <summary>What a server tells the app about the request body; a bare DefaultHttpContext says nothing.</summary>
    private sealed class BodyDetection(bool canHaveBody) : Microsoft.AspNetCore.Http.Features.IHttpRequestBodyDetectionFeature
    {
        public bool CanHaveBody { get; } = canHaveBody;
    }
}
