using System.Text.Json;
using System.Security.Claims;
using Compliance.Core.Policies;
using Compliance.Core.Templates;
using Compliance.Core.Texts;
using Compliance.Pipeline.Review;
using Compliance.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Compliance.Api;

/// <summary>The filters of <c>GET /api/violations</c>, bound from the query string.</summary>
public sealed record ViolationQuery(
    [property: FromQuery(Name = "period")] string? Period,
    [property: FromQuery(Name = "uscc")] string? Uscc,
    [property: FromQuery(Name = "rule")] string? Rule,
    [property: FromQuery(Name = "status")] string? Status,
    [property: FromQuery(Name = "region")] string? Region,
    [property: FromQuery(Name = "continuationToken")] string? ContinuationToken,
    [property: FromQuery(Name = "pageSize")] int? PageSize);

/// <summary>
/// The review API: one table of endpoints that both hosts serve (the local host maps it; the Functions app runs
/// the same pipeline behind its HTTP functions). Who may call what is declared on each endpoint by policy; a
/// handler reads its caller from the authenticated principal. Errors are RFC 9457 problem details: 400 for
/// invalid filters, bodies or reviews (never 500), 401 without a known caller, 403 for the wrong role, 404 for
/// anything outside the caller's scope, 412 for a stale If-Match, 413 for a body over 16 KiB, 428 without If-Match.
/// </summary>
public static class ReviewEndpoints
{
    /// <summary>Where the generated OpenAPI 3 document is served.</summary>
    public const string OpenApiPath = "/api/openapi.json";

    public static IServiceCollection AddReviewApi(this IServiceCollection services)
    {
        services.AddRouting();
        services.AddProblemDetails(o => o.CustomizeProblemDetails = context =>
        {
            // The framework's own 400s (a body or query value that does not bind) come without a word of why.
            if (context.ProblemDetails.Status == StatusCodes.Status400BadRequest && string.IsNullOrEmpty(context.ProblemDetails.Detail))
            {
                context.ProblemDetails.Detail = $"The body or a query value could not be read as this route expects; {OpenApiPath} describes every route's parameters and bodies.";
            }
        });
        services.AddOptions<ApiOptions>().BindConfiguration(ApiOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ApiOptions>, ApiOptionsValidator>();

        // A body that does not bind is the client's error: a 400 (with problem details from the status-code
        // pages), logged at Debug by the framework, not thrown and logged as an unhandled exception.
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = false);
        services.AddSingleton<CallerAuthentication>();
        services.AddComplianceAuthentication();
        services.AddSingleton<ApiPipeline>();

        // Routing's middleware needs the listener an ASP.NET Core host registers; a host that hands requests to
        // ApiPipeline may not be one. Same name as the web host's, so whichever registers first serves both.
        services.TryAddSingleton(_ => new System.Diagnostics.DiagnosticListener("Microsoft.AspNetCore"));
        services.TryAddSingleton<System.Diagnostics.DiagnosticSource>(sp => sp.GetRequiredService<System.Diagnostics.DiagnosticListener>());
        services.AddApiLanguages();
        services.AddOpenApi(o => o.AddDocumentTransformer<BearerSecurityTransformer>().AddOperationTransformer<BearerSecurityTransformer>());
        return services;
    }

    /// <summary>
    /// Largest request body the API reads: a review note or an upload request is a few hundred bytes, so
    /// 16 KiB leaves room for any real one and refuses a flood before it is buffered (413).
    /// </summary>
    public const int MaxBodyBytes = 16 * 1024;

    /// <summary>
    /// The whole HTTP pipeline of the API, the same in both hosts: response headers, problem details for
    /// exceptions and bare error statuses, routing, the body-size limit, authentication, authorization, the
    /// endpoints.
    /// </summary>
    public static IApplicationBuilder UseReviewApi(this IApplicationBuilder app)
    {
        app.Use((context, next) =>
        {
            ApiResponseHeaders.Apply(context);
            return next(context);
        });
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseApiLanguages();
        app.UseRouting();
        app.UseMiddleware<RequestBodyLimit>();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseEndpoints(endpoints => endpoints.MapReviewApi());
        return app;
    }

    public static IEndpointRouteBuilder MapReviewApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/", ReviewPage).ExcludeFromDescription();
        endpoints.MapGet("/portal", PortalPage).ExcludeFromDescription();

        endpoints.MapGet("/echarts.min.js", ChartLibrary).ExcludeFromDescription();

        // Browsers ask for it on every page; "no content" rather than a 404 in every console.
        endpoints.MapGet("/favicon.ico", () => TypedResults.NoContent()).ExcludeFromDescription();
        var api = endpoints.MapGroup("/api").AddEndpointFilter(ProblemsFromServiceErrors).ProducesProblem(StatusCodes.Status401Unauthorized);
        api.MapGet("/violations", ListAsync).RequireAuthorization(CompliancePolicies.AnyCaller).ProducesProblem(StatusCodes.Status400BadRequest);
        api.MapGet("/violations/export", ExportAsync).RequireAuthorization(CompliancePolicies.AnyCaller)
            .Produces(StatusCodes.Status200OK, typeof(byte[]), FilingTemplates.ContentType(TemplateFormat.Xlsx), "text/csv")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        api.MapGet("/violations/{id}", GetAsync).RequireAuthorization(CompliancePolicies.AnyCaller).ProducesProblem(StatusCodes.Status404NotFound);
        api.MapGet("/violations/{id}/rows", RowsAsync).RequireAuthorization(CompliancePolicies.AnyCaller)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status410Gone).ProducesProblem(StatusCodes.Status412PreconditionFailed);
        api.MapPost("/violations/{id}/review", ReviewAsync).RequireAuthorization(CompliancePolicies.Regulator)
            .WithMetadata(new RequestSizeLimitAttribute(MaxBodyBytes))
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed).ProducesProblem(StatusCodes.Status413PayloadTooLarge).ProducesProblem(StatusCodes.Status428PreconditionRequired);
        api.MapPost("/violations/reviews", BulkReviewAsync).RequireAuthorization(CompliancePolicies.Regulator)
            .WithMetadata(new RequestSizeLimitAttribute(MaxBulkBodyBytes))
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status413PayloadTooLarge);
        api.MapPost("/violations/{id}/responses", RespondAsync).RequireAuthorization(CompliancePolicies.Enterprise)
            .WithMetadata(new RequestSizeLimitAttribute(MaxBodyBytes))
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge);
        api.MapGet("/overview", OverviewAsync).RequireAuthorization(CompliancePolicies.Regulator)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status403Forbidden);
        api.MapGet("/rules", Rules).RequireAuthorization(CompliancePolicies.AnyCaller);
        api.MapGet("/labels", Labels).AllowAnonymous();
        api.MapGet("/me", Me).AllowAnonymous();
        api.MapGet("/templates", Templates).AllowAnonymous();
        api.MapGet("/templates/{kind}", Template).AllowAnonymous()
            .Produces(StatusCodes.Status200OK, typeof(byte[]), FilingTemplates.ContentType(TemplateFormat.Xlsx), "text/csv")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);
        api.MapGet("/filings", FilingsAsync).RequireAuthorization(CompliancePolicies.AnyCaller).ProducesProblem(StatusCodes.Status400BadRequest);
        api.MapGet("/filings/{id}", FilingAsync).RequireAuthorization(CompliancePolicies.AnyCaller).ProducesProblem(StatusCodes.Status404NotFound);
        api.MapGet("/filings/{id}/violations", ViolationsFileAsync).RequireAuthorization(CompliancePolicies.AnyCaller)
            .Produces(StatusCodes.Status200OK, typeof(byte[]), FilingTemplates.ContentType(TemplateFormat.Xlsx), "text/csv")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);
        api.MapPost("/uploads", UploadAsync).RequireAuthorization(CompliancePolicies.Enterprise)
            .WithMetadata(new RequestSizeLimitAttribute(MaxBodyBytes))
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        api.MapRecheckApi();
        endpoints.MapOpenApi(OpenApiPath);
        return endpoints;
    }

    /// <summary>GET /api/violations: one page of the violations the caller may see.</summary>
    public static async Task<Ok<ViolationPage>> ListAsync(ClaimsPrincipal user, ReviewService reviews, [AsParameters] ViolationQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reviews);
        ArgumentNullException.ThrowIfNull(query);
        var page = await reviews.ListAsync(CompliancePolicies.CallerOf(user), new ViolationFilter(query.Period, query.Uscc, query.Rule, query.Status, query.Region), query.ContinuationToken, query.PageSize ?? 50, cancellationToken);
        return TypedResults.Ok(new ViolationPage([.. page.Items.Select(Item)], page.ContinuationToken));
    }

    /// <summary>Findings one export carries at most: a spreadsheet's limit, far above a month of a province.</summary>
    public const int MaxExportRows = 1_000_000;

    private static readonly string[] ExportHeader =
    [
        "企业 USCC", "所属期 Period", "地区代码 Region", "地区 Region name", "规则 Rule", "规定 Requirement", "字段 Field", "实际 Observed", "限值 Limit",
        "行数 Rows", "职工数 Employees", "依据 Clause", "条款原文 Quote", "复核状态 Review", "复核人 Reviewed by", "复核时间 Reviewed at", "豁免至 Exempt until", "文件 Filing", "编号 Id",
    ];

    /// <summary>
    /// GET /api/violations/export?format=xlsx|csv&amp;encoding=…&amp;period=…: the filtered list (the same filters and scope
    /// as <c>GET /api/violations</c>, every page) as a workbook or CSV with Chinese headers, the clause's text and the
    /// review state. Written to a temporary file page by page and sent from it, so a month of a province is never
    /// held in memory; a bad filter is a 400 before anything is sent.
    /// </summary>
    public static async Task<Results<FileStreamHttpResult, ProblemHttpResult>> ExportAsync(ClaimsPrincipal user, ReviewService reviews, PolicyCatalog catalog, [AsParameters] ViolationQuery query, string? format, string? encoding, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reviews);
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(query);
        if (!FilingTemplates.TryParseFormat(format ?? "xlsx", encoding, out var fileFormat))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid request", detail: $"Use {FilingTemplates.Expected}.");
        }

        var rows = reviews.AllAsync(CompliancePolicies.CallerOf(user), new ViolationFilter(query.Period, query.Uscc, query.Rule, query.Status, query.Region), cancellationToken)
            .Select(v => (IReadOnlyList<string>)ExportRow(v, catalog));
        var file = new FileStream(Path.GetTempFileName(), FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
        try
        {
            await SheetWriter.WriteAsync("违规事项", ExportHeader, rows, fileFormat, file, MaxExportRows, cancellationToken);
            file.Position = 0;
        }
        catch
        {
            await file.DisposeAsync();
            throw;
        }

        var name = $"violations{(query.Period is null ? string.Empty : "-" + query.Period)}.{(fileFormat == TemplateFormat.Xlsx ? "xlsx" : "csv")}";
        return TypedResults.File(file, FilingTemplates.ContentType(fileFormat), name);
    }

    private static string[] ExportRow(ViolationView v, PolicyCatalog catalog)
    {
        var f = v.Violation;
        var rule = catalog.Find(f.Rule);
        var version = Core.Filings.Period.TryParse(f.Period, out var period) ? rule?.VersionFor(period.Value) : null;
        string Text(double value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);
        string? Time(DateTimeOffset? at) => at is { } t ? t.ToOffset(Core.Filings.ChinaTime.Offset).ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture) : null;
        return
        [
            f.Uscc, f.Period, f.Region, Core.Filings.RegionNames.Of(f.Region).Zh, f.Rule, rule?.Title.Zh ?? string.Empty, f.Field,
            f.IsFinding && !f.Declared && f.ObservedMin != f.ObservedMax ? $"{Text(f.ObservedMin)}–{Text(f.ObservedMax)}" : Text(f.Observed), f.Limit,
            f.RowCount.ToString(System.Globalization.CultureInfo.InvariantCulture), f.EmployeeCount.ToString(System.Globalization.CultureInfo.InvariantCulture),
            f.Citation, version?.Citation.Quote ?? string.Empty, v.EffectiveStatus, f.ReviewedBy ?? string.Empty, Time(f.ReviewedAt) ?? string.Empty,
            f.ExemptUntil is { } until ? Core.Filings.ChinaTime.Today(until.AddTicks(-1)).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) : string.Empty,
            f.FilingName, v.Id,
        ];
    }

    /// <summary>GET /api/violations/{id}: the violation with its history; its ETag in the response header.</summary>
    public static async Task<Results<Ok<ViolationDetail>, ProblemHttpResult>> GetAsync(HttpContext context, ClaimsPrincipal user, ReviewService reviews, PolicyCatalog catalog, string id)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(reviews);
        if (await reviews.GetAsync(CompliancePolicies.CallerOf(user), id, context.RequestAborted) is not { } view)
        {
            return NotFound(id);
        }

        context.Response.Headers.ETag = view.Violation.ETag.ToString("H");
        return TypedResults.Ok(Detail(view, catalog));
    }

    /// <summary>GET /api/violations/{id}/rows: one page of the finding's rows, in file order, from its filing's result document.</summary>
    public static async Task<Results<Ok<FindingRowPage>, ProblemHttpResult>> RowsAsync(ClaimsPrincipal user, ReviewService reviews, string id, string? continuationToken, int? pageSize, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reviews);
        if (await reviews.RowsAsync(CompliancePolicies.CallerOf(user), id, continuationToken, pageSize ?? 200, cancellationToken) is not { } rows)
        {
            return NotFound(id);
        }

        return TypedResults.Ok(new FindingRowPage(
            Item(rows.Finding),
            [.. rows.Page.Rows.Select(r => new FindingRowItem(r.Row, r.Region, r.Field, r.Observed, r.Message, r.EmployeeId, Core.Digests.EmployeeIds.Mask(r.EmployeeId), r.Item))],
            rows.ContinuationToken));
    }

    /// <summary>A bulk review's body: a thousand ids and ETags of about 150 bytes each, with room to spare.</summary>
    public const int MaxBulkBodyBytes = 256 * 1024;

    /// <summary>
    /// POST /api/violations/reviews: one decision for up to 1,000 violations, each reviewed on its own (its ETag
    /// checked, its own audit entry). Always 200 once the decision itself is valid: the report says item by item
    /// what was written and what was not.
    /// </summary>
    public static async Task<Results<Ok<BulkReviewReport>, ProblemHttpResult>> BulkReviewAsync(ClaimsPrincipal user, ReviewService reviews, BulkReviewBody body, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reviews);
        ArgumentNullException.ThrowIfNull(body);
        var items = body.Items ?? [];
        if (items.Any(i => string.IsNullOrEmpty(i?.Id)))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid request", detail: "Every item needs the violation's id.");
        }

        // An item without a version is that item's failure, not the request's: the others still go through.
        var outcomes = await reviews.ReviewManyAsync(
            CompliancePolicies.CallerOf(user),
            [.. items.Select(i => (i.Id!, i.Version))],
            new ReviewRequest(body.Status ?? string.Empty, body.Note ?? string.Empty, body.ExemptUntil),
            cancellationToken);
        List<BulkReviewOutcomeItem> report = [.. outcomes.Select(o => new BulkReviewOutcomeItem(
            o.Id, Snake(o.Result), o.Violation is { } v ? StorageKeys.VersionOf(v) : null, o.Violation is { } w ? reviews.EffectiveStatus(w) : null))];
        var reviewed = report.Count(r => r.Result == "reviewed");
        return TypedResults.Ok(new BulkReviewReport(reviewed, report.Count - reviewed, report));

        static string Snake(BulkReviewResult result) => result switch
        {
            BulkReviewResult.Reviewed => "reviewed",
            BulkReviewResult.Stale => "stale",
            BulkReviewResult.NotFound => "not_found",
            _ => "invalid",
        };
    }

    /// <summary>POST /api/violations/{id}/review: records a regulator's decision, if If-Match is the current ETag.</summary>
    public static async Task<Results<Ok<ViolationDetail>, ProblemHttpResult>> ReviewAsync(HttpContext context, ClaimsPrincipal user, ReviewService reviews, PolicyCatalog catalog, string id, ReviewBody body)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(reviews);
        ArgumentNullException.ThrowIfNull(body);
        if (context.Request.Headers.IfMatch.Count == 0)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status428PreconditionRequired, title: "If-Match required", detail: "Send the ETag from GET /api/violations/{id} in If-Match.");
        }

        if (!IfMatch.TryParse(context.Request.Headers.IfMatch, out var ifMatch))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid If-Match", detail: IfMatch.Expected);
        }

        var view = await reviews.ReviewAsync(CompliancePolicies.CallerOf(user), id, new ReviewRequest(body.Status ?? string.Empty, body.Note ?? string.Empty, body.ExemptUntil), ifMatch, context.RequestAborted);
        if (view is null)
        {
            return NotFound(id);
        }

        context.Response.Headers.ETag = view.Violation.ETag.ToString("H");
        return TypedResults.Ok(Detail(view, catalog));
    }

    /// <summary>POST /api/violations/{id}/responses: the enterprise's explanation of its own finding, added to the history; the status stays.</summary>
    public static async Task<Results<Ok<ViolationDetail>, ProblemHttpResult>> RespondAsync(ClaimsPrincipal user, ReviewService reviews, PolicyCatalog catalog, string id, ResponseBody body, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reviews);
        ArgumentNullException.ThrowIfNull(body);
        return await reviews.RespondAsync(CompliancePolicies.CallerOf(user), id, body.Text ?? string.Empty, cancellationToken) is { } view
            ? TypedResults.Ok(Detail(view, catalog))
            : NotFound(id);
    }

    /// <summary>GET /api/filings?uscc=: an enterprise's filing versions (the caller's own, for an enterprise).</summary>
    public static async Task<Ok<FilingPage>> FilingsAsync(ClaimsPrincipal user, FilingQueries filings, string? uscc, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filings);
        return TypedResults.Ok(new FilingPage([.. (await filings.ListAsync(CompliancePolicies.CallerOf(user), uscc, cancellationToken)).Select(ToItem)]));
    }

    /// <summary>GET /api/filings/{id}: status, counts and the result document.</summary>
    public static async Task<Results<Ok<FilingDetail>, ProblemHttpResult>> FilingAsync(ClaimsPrincipal user, FilingQueries filings, string id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filings);
        if (await filings.GetAsync(CompliancePolicies.CallerOf(user), id, cancellationToken) is not { } view)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: $"No filing '{id}' for you.");
        }

        using var result = view.Result is null ? null : System.Text.Json.JsonDocument.Parse(view.Result);
        return TypedResults.Ok(new FilingDetail(ToItem(view), result?.RootElement.Clone(), Problems(view, result?.RootElement)));
    }

    /// <summary>
    /// GET /api/filings/{id}/violations?format=xlsx|csv&amp;encoding=…: the version's violating rows as a workbook or CSV to fix
    /// in Excel (employees masked as in the digest; a regulator gets its regions' rows).
    /// </summary>
    public static async Task<Results<FileContentHttpResult, ProblemHttpResult>> ViolationsFileAsync(ClaimsPrincipal user, FilingQueries filings, string id, string? format, string? encoding, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filings);
        if (!FilingTemplates.TryParseFormat(format ?? "xlsx", encoding, out var fileFormat))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid request", detail: $"Use {FilingTemplates.Expected}.");
        }

        if (await filings.ViolationRowsAsync(CompliancePolicies.CallerOf(user), id, cancellationToken) is not { } found)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: $"No filing '{id}' for you.");
        }

        using var content = new MemoryStream();
        ViolationSheet.Write(found.Rows.Select(r => new ViolationLine(r.Row, r.EmployeeId, r.Item, r.Rule, r.Field, r.Observed, r.Limit, r.Citation, r.Message)), fileFormat, content);
        var name = $"{Path.GetFileNameWithoutExtension(found.Filing.FileName)}-violations.{(fileFormat == TemplateFormat.Xlsx ? "xlsx" : "csv")}";
        return TypedResults.File(content.ToArray(), FilingTemplates.ContentType(fileFormat), name);
    }

    /// <summary>POST /api/uploads: a write-only URL, valid 15 minutes, for one file under the caller's own folder.</summary>
    public static async Task<Ok<UploadGrant>> UploadAsync(ClaimsPrincipal user, FilingQueries filings, UploadBody body, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filings);
        ArgumentNullException.ThrowIfNull(body);
        var uri = await filings.GrantUploadAsync(CompliancePolicies.CallerOf(user), body.FileName, cancellationToken);
        return TypedResults.Ok(new UploadGrant(uri.ToString(), (int)FilingQueries.UploadGrantLifetime.TotalSeconds, "PUT", new Dictionary<string, string> { ["x-ms-blob-type"] = "BlockBlob" }));
    }

    /// <summary>GET /api/templates: the filing kinds a template exists for, with their Chinese names (no sign-in).</summary>
    public static Ok<IReadOnlyList<TemplateItem>> Templates() =>
        TypedResults.Ok<IReadOnlyList<TemplateItem>>([.. Core.Filings.FilingKindNames.All.Select(Core.Filings.FilingSchema.For).Select(s => new TemplateItem(
            Core.Filings.FilingKindNames.ToContractName(s.Kind),
            s.ChineseName,
            [.. s.Columns.Select(c => new ColumnItem(c.Name, c.ChineseName, c.Required))]))]);

    /// <summary>
    /// GET /api/templates/{kind}?format=xlsx|csv&amp;encoding=utf-8|gb18030: the kind's template (模板), generated from
    /// the contract and the catalog. No sign-in: a template holds nothing but the contract, and an accountant may
    /// want it before having an account.
    /// </summary>
    public static Results<FileContentHttpResult, ProblemHttpResult> Template(PolicyCatalog catalog, string kind, string? format, string? encoding)
    {
        if (!Core.Filings.FilingKindNames.TryParse(kind, out var filingKind))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: $"No template '{kind}': the kinds are {Core.Filings.FilingKindNames.Listed}.");
        }

        if (!FilingTemplates.TryParseFormat(format ?? "xlsx", encoding, out var templateFormat))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid request", detail: $"Use {FilingTemplates.Expected}.");
        }

        using var content = new MemoryStream();
        FilingTemplates.Write(filingKind, templateFormat, catalog, content);
        return TypedResults.File(content.ToArray(), FilingTemplates.ContentType(templateFormat), FilingTemplates.FileName(filingKind, templateFormat));
    }

    /// <summary>GET /api/overview?month=yyyy-MM&amp;region=: a month of the caller's region (or a region under it) at a glance, from the kept counts.</summary>
    public static async Task<Results<Ok<OverviewReport>, ProblemHttpResult>> OverviewAsync(ClaimsPrincipal user, OverviewService overviews, PolicyCatalog catalog, string? month, string? region, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(overviews);
        ArgumentNullException.ThrowIfNull(catalog);
        if (!Core.Filings.Period.TryParse(month, out var period))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid request", detail: "month must be yyyy-MM, for example 2016-09.");
        }

        var overview = await overviews.GetAsync(CompliancePolicies.CallerOf(user), period.Value, region, cancellationToken);
        string Name(string code) => ApiLanguages.Text(Core.Filings.RegionNames.Of(code));
        OverviewRule Rule(RuleTally tally)
        {
            var rule = catalog.Find(tally.Rule);
            return new OverviewRule(tally.Rule, rule is null ? tally.Rule : ApiLanguages.Text(rule.Title), rule?.VersionFor(period.Value)?.Citation.ToString(), tally.Findings, tally.Rows, tally.Outstanding, tally.Resolved);
        }

        return TypedResults.Ok(new OverviewReport(
            overview.Month,
            overview.Region,
            Name(overview.Region),
            [.. overview.ByRule.Select(Rule)],
            [.. overview.BySubRegion.Select(r => new OverviewRegion(r.Region, Name(r.Region), r.Findings, r.Outstanding))],
            [.. overview.Trend.Select(m => new OverviewMonth(m.Month, m.Findings, m.Outstanding, m.Resolved, m.Recurring, m.Findings - m.Recurring))],
            [.. overview.TopEnterprises.Select(e => new OverviewEnterprise(e.Uscc, e.Region, Name(e.Region), e.Findings, e.Outstanding))],
            [.. overview.Backlog.Select(b => new OverviewBacklog(b.FromMonths, b.ToMonths, b.Oldest, b.Newest, b.Outstanding))],
            overview.EntitiesRead));
    }

    /// <summary>
    /// GET /api/labels: the words the self-check's reports use (rule, clause, rows, checked, rejected …) in the
    /// caller's language, by key; the enterprise portal takes its shared terms from here, so the portal and the
    /// <c>compliance</c> command read the same <c>Labels</c> resources. No sign-in: they are the product's words.
    /// </summary>
    public static Ok<IReadOnlyDictionary<string, string>> Labels() => TypedResults.Ok(ReportLabels.All(ApiLanguages.Current));

    /// <summary>GET /api/rules: the catalog with windows, limits and citations.</summary>
    public static Ok<IReadOnlyList<RuleItem>> Rules(PolicyCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return TypedResults.Ok<IReadOnlyList<RuleItem>>([.. catalog.Rules.Select(r => new RuleItem(
            r.Id,
            new Bilingual(r.Title.Zh, r.Title.En),
            new Bilingual(r.Remedy.Zh, r.Remedy.En),
            ApiLanguages.Text(r.Title),
            ApiLanguages.Text(r.Remedy),
            [.. r.Versions.Select(v => new RuleVersion(v.Window.From?.ToString(), v.Window.To?.ToString(), v.Summary, v.Citation.ToString(), v.Citation.Quote))]))]);
    }

    private static readonly Lazy<byte[]> ChartScript = new(() =>
    {
        using var stream = typeof(ReviewEndpoints).Assembly.GetManifestResourceStream("Compliance.Api.echarts.min.js")
            ?? throw new InvalidOperationException("echarts.min.js is not embedded: the build installs it with npm ci.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    });

    /// <summary>GET /echarts.min.js: Apache ECharts (from npm, embedded at build time), which the review page draws its charts with. Cached for a day.</summary>
    public static FileContentHttpResult ChartLibrary(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Response.Headers.CacheControl = "public, max-age=86400";
        return TypedResults.File(ChartScript.Value, "text/javascript; charset=utf-8");
    }

    /// <summary>GET /: the review page (plain HTML and script, no build step). Its own script policy replaces the API's deny-all one; the other headers are the pipeline's (<see cref="ApiResponseHeaders"/>).</summary>
    public static ContentHttpResult ReviewPage(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return ReviewPageHtml.Value.Serve(context, connectTo: null, sameOriginScripts: true);
    }

    /// <summary>
    /// GET /portal: the enterprise portal — templates, upload straight to Blob storage under a write-only grant, the
    /// verdict. It may also connect to the filings container's origin, where the browser sends the file.
    /// </summary>
    public static ContentHttpResult PortalPage(HttpContext context, FilingBlobs blobs)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(blobs);
        return PortalPageHtml.Value.Serve(context, connectTo: blobs.Container.Uri.GetLeftPart(UriPartial.Authority));
    }

    private static readonly Lazy<StaticPage> ReviewPageHtml = new(() => StaticPage.Load("Compliance.Api.index.html"));

    private static readonly Lazy<StaticPage> PortalPageHtml = new(() => StaticPage.Load("Compliance.Api.portal.html"));

    /// <summary>
    /// GET /api/me: who the API takes the caller to be, whichever way the caller signed in (a token, or App Service
    /// authentication in Azure) — or that nobody is signed in: a page asks before it shows its sign-in form, and
    /// that question is not an error.
    /// </summary>
    public static Ok<CallerItem> Me(ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (user.Identity?.IsAuthenticated != true)
        {
            return TypedResults.Ok(new CallerItem(null, null, null, null));
        }

        var caller = CompliancePolicies.CallerOf(user);
        return TypedResults.Ok(new CallerItem(CallerAuthentication.RoleName(caller.Role), caller.Name, caller.Region, caller.Uscc));
    }

    /// <summary>The service's refusals as problem details: the one place they map to status codes.</summary>
    private static async ValueTask<object?> ProblemsFromServiceErrors(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context);
        }
        catch (ReviewValidationException ex)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid request", detail: ex.Message);
        }
        catch (ReviewForbiddenException ex)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden", detail: ex.Message);
        }
        catch (StaleReviewException ex)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status412PreconditionFailed, title: "Stale ETag", detail: ex.Message);
        }
        catch (FindingRowsGoneException ex)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status410Gone, title: "Rows no longer stored", detail: ex.Message);
        }
    }

    private static ProblemHttpResult NotFound(string id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: $"No violation '{id}' for you.");

    private static ViolationItem Item(ViolationView v) => new(
        v.Id, v.Violation.Rule, v.Violation.Uscc, v.Violation.Period, v.Violation.Region, v.Violation.Row, v.Violation.Field,
        v.Violation.Observed, v.Violation.Limit, v.Violation.Citation, v.EffectiveStatus, v.Violation.FilingName, StorageKeys.VersionOf(v.Violation),
        v.Violation.RowCount, v.Violation.EmployeeCount, v.Violation.Declared,
        v.Violation.IsFinding ? v.Violation.ObservedMin : v.Violation.Observed, v.Violation.IsFinding ? v.Violation.ObservedMax : v.Violation.Observed,
        v.Violation.IsFinding ? [.. v.Violation.FirstRows.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(r => int.Parse(r, System.Globalization.CultureInfo.InvariantCulture))] : [v.Violation.Row],
        v.Violation.FindingId,
        v.Violation.ResolvedByVersion);

    private static ViolationDetail Detail(ViolationView v, PolicyCatalog catalog)
    {
        var rule = catalog.Find(v.Violation.Rule);
        return new(
            Item(v),
            v.Violation.Message,
            Core.Filings.Period.TryParse(v.Violation.Period, out var period) ? rule?.VersionFor(period.Value)?.Citation.Quote : null,
            rule is null ? null : ApiLanguages.Text(rule.Title),
            rule is null ? null : ApiLanguages.Text(rule.Remedy),
            v.Violation.EmployeeId,
            v.Violation.Item,
            v.Violation.ExemptUntil,
            v.Violation.ResolvedByVersion,
            [.. v.History.Select(h => new HistoryEntry(h.Who, h.At, h.FromStatus, h.ToStatus, h.Note, h.ExemptUntil, h.Version, h.Rows, h.Kind))]);
    }

    /// <summary>
    /// A rejected version's problems in the caller's language: the result document's row errors (each with its
    /// code and arguments), or the one error of a file turned away whole. A checked version has none.
    /// </summary>
    private static List<ProblemItem> Problems(FilingView view, JsonElement? result)
    {
        if (Core.Checking.FilingStatusNames.IsChecked(view.Filing.Status))
        {
            return [];
        }

        var file = result is { } document && document.TryGetProperty("files", out var files) && files.ValueKind == JsonValueKind.Array && files.GetArrayLength() > 0
            ? files[0]
            : (JsonElement?)null;
        var problems = new List<ProblemItem>();
        if (file is { } f && f.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Array)
        {
            foreach (var error in errors.EnumerateArray())
            {
                problems.Add(new ProblemItem(
                    Number(error, "row"),
                    String(error, "column"),
                    String(error, "code"),
                    ApiLanguages.Text(error, "code", "args", String(error, "message")) ?? string.Empty));
            }
        }

        if (problems.Count == 0)
        {
            problems.Add(new ProblemItem(
                view.Filing.ErrorRow,
                file is { } g ? String(g, "error_column") : null,
                view.Filing.ErrorCode,
                ApiLanguages.Text(view.Filing.ErrorCode, view.Filing.ErrorArgs, view.Filing.Error) ?? string.Empty));
        }

        return problems;

        static string? String(JsonElement e, string name) => e.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;
        static int? Number(JsonElement e, string name) => e.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.Number && p.TryGetInt32(out var n) ? n : null;
    }

    private static FilingItem ToItem(FilingView view) => new(
        view.Id, view.Filing.Uscc, view.Filing.FileName, view.Filing.Kind, view.Filing.Status, view.Filing.Rows, view.Filing.ViolationCount, view.Filing.FindingCount,
        view.Filing.WarningCount, ApiLanguages.Text(view.Filing.ErrorCode, view.Filing.ErrorArgs, view.Filing.Error), view.Filing.ErrorCode, view.Filing.Periods, view.Filing.UploadedAt, view.Filing.CheckedAt, view.Filing.BlobETag, StorageKeys.VersionId(view.Filing.BlobETag));
}
