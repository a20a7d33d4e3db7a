using Compliance.Core.Policies;
using Compliance.Pipeline.Review;
using Compliance.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Compliance.Api;

/// <summary>An upload request: the name the file will have under the caller's own folder.</summary>
public sealed record UploadBody(string? FileName);

/// <summary>The review body: the new status, why, and for an exemption its last day.</summary>
public sealed record ReviewBody(string? Status, string? Note, DateOnly? ExemptUntil);

/// <summary>
/// The review API. Errors are RFC 7807 problem details: 400 for invalid filters or reviews (never 500),
/// 401 without a known caller, 403 for the wrong role, 404 for anything outside the caller's scope, 412
/// for a stale If-Match.
/// </summary>
public static class ReviewEndpoints
{
    public static IServiceCollection AddReviewApi(this IServiceCollection services)
    {
        services.AddProblemDetails();
        services.AddOptions<ApiOptions>().BindConfiguration(ApiOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ApiOptions>, ApiOptionsValidator>();

        // A body that does not bind is the client's error: a 400 (with problem details from the status-code
        // pages), logged at Debug by the framework, not thrown and logged as an unhandled exception.
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = false);
        services.AddSingleton<CallerAuthentication>();
        return services;
    }

    /// <summary>
    /// The middleware in front of the endpoints on a plain ASP.NET Core host: the response headers of
    /// <see cref="ApiResponseHeaders"/>, problem details for an unexpected exception (never a stack trace), and
    /// problem details for every error status that has no body of its own (404 route, 405, a 400 from binding).
    /// </summary>
    public static IApplicationBuilder UseReviewApiResponses(this IApplicationBuilder app)
    {
        app.Use((context, next) =>
        {
            ApiResponseHeaders.Apply(context);
            return next(context);
        });
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        return app;
    }

    /// <summary>
    /// Largest request body the API reads: a review note or an upload request is a few hundred bytes, so
    /// 16 KiB leaves room for any real one and refuses a flood before it is buffered (413).
    /// </summary>
    public const int MaxBodyBytes = 16 * 1024;

    public static IEndpointRouteBuilder MapReviewApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/", ReviewPage);
        var api = endpoints.MapGroup("/api");
        api.MapGet("/violations", ListAsync);
        api.MapGet("/violations/{id}", GetAsync);
        api.MapPost("/violations/{id}/review", ReviewAsync).WithMetadata(new RequestSizeLimitAttribute(MaxBodyBytes));
        api.MapGet("/rules", RulesAsync);
        api.MapGet("/filings", FilingsAsync);
        api.MapGet("/filings/{id}", FilingAsync);
        api.MapPost("/uploads", UploadAsync).WithMetadata(new RequestSizeLimitAttribute(MaxBodyBytes));
        return endpoints;
    }

    /// <summary>GET /api/violations. Public so the Functions app's HTTP triggers call the very same code.</summary>
    public static Task<IResult> ListAsync(HttpContext context, ReviewService reviews, string? period, string? uscc, string? rule, string? status, string? region, string? continuationToken, int? pageSize) =>
        AuthenticatedAsync(context, async caller =>
        {
            var page = await reviews.ListAsync(caller, new ViolationFilter(period, uscc, rule, status, region), continuationToken, pageSize ?? 50, context.RequestAborted);
            return Results.Ok(new { items = page.Items.Select(Item), continuationToken = page.ContinuationToken });
        });

    /// <summary>GET /api/violations/{id}.</summary>
    public static Task<IResult> GetAsync(HttpContext context, ReviewService reviews, string id) =>
        AuthenticatedAsync(context, async caller =>
        {
            if (await reviews.GetAsync(caller, id, context.RequestAborted) is not { } view)
            {
                return NotFound(id);
            }

            context.Response.Headers.ETag = view.Violation.ETag.ToString("H");
            return Results.Ok(Detail(view, context.RequestServices.GetRequiredService<PolicyCatalog>()));
        });

    /// <summary>POST /api/violations/{id}/review.</summary>
    public static Task<IResult> ReviewAsync(HttpContext context, ReviewService reviews, string id, ReviewBody body) =>
        AuthenticatedAsync(context, async caller =>
        {
            if (context.Request.Headers.IfMatch.Count == 0)
            {
                return Results.Problem(statusCode: StatusCodes.Status428PreconditionRequired, title: "If-Match required", detail: "Send the ETag from GET /api/violations/{id} in If-Match.");
            }

            if (!IfMatch.TryParse(context.Request.Headers.IfMatch, out var ifMatch))
            {
                return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid If-Match", detail: IfMatch.Expected);
            }

            var view = await reviews.ReviewAsync(caller, id, new ReviewRequest(body.Status ?? string.Empty, body.Note ?? string.Empty, body.ExemptUntil), ifMatch, context.RequestAborted);
            if (view is null)
            {
                return NotFound(id);
            }

            context.Response.Headers.ETag = view.Violation.ETag.ToString("H");
            return Results.Ok(Detail(view, context.RequestServices.GetRequiredService<PolicyCatalog>()));
        });

    /// <summary>GET /api/filings?uscc=: an enterprise's filing versions (the caller's own, for an enterprise).</summary>
    public static Task<IResult> FilingsAsync(HttpContext context, FilingQueries filings, string? uscc) =>
        AuthenticatedAsync(context, async caller => Results.Ok(new
        {
            items = (await filings.ListAsync(caller, uscc, context.RequestAborted)).Select(f => FilingItem(f)),
        }));

    /// <summary>GET /api/filings/{id}: status, counts and the result document.</summary>
    public static Task<IResult> FilingAsync(HttpContext context, FilingQueries filings, string id) =>
        AuthenticatedAsync(context, async caller => await filings.GetAsync(caller, id, context.RequestAborted) is { } view
            ? Results.Ok(new { filing = FilingItem(view), result = view.Result is null ? (System.Text.Json.JsonElement?)null : System.Text.Json.JsonDocument.Parse(view.Result).RootElement })
            : Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: $"No filing '{id}' for you."));

    /// <summary>POST /api/uploads: a write-only URL, valid 15 minutes, for one file under the caller's own folder.</summary>
    public static Task<IResult> UploadAsync(HttpContext context, FilingQueries filings, UploadBody body) =>
        AuthenticatedAsync(context, async caller =>
        {
            var uri = await filings.GrantUploadAsync(caller, body.FileName, context.RequestAborted);
            return Results.Ok(new { url = uri.ToString(), expires_in_seconds = (int)FilingQueries.UploadGrantLifetime.TotalSeconds, method = "PUT", headers = new Dictionary<string, string> { ["x-ms-blob-type"] = "BlockBlob" } });
        });

    private static object FilingItem(FilingView view) => new
    {
        id = view.Id,
        uscc = view.Filing.Uscc,
        file = view.Filing.FileName,
        kind = view.Filing.Kind,
        status = view.Filing.Status,
        rows = view.Filing.Rows,
        violations = view.Filing.ViolationCount,
        warnings = view.Filing.WarningCount,
        error = view.Filing.Error,
        periods = view.Filing.Periods,
        uploaded_at = view.Filing.UploadedAt,
        checked_at = view.Filing.CheckedAt,
    };

    /// <summary>GET /: the review page (plain HTML and script, no build step).</summary>
    public static IResult ReviewPage(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = Page.Value.Policy;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        return Results.Content(Page.Value.Html, "text/html; charset=utf-8");
    }

    /// <summary>
    /// The page and its Content-Security-Policy: only its own inline script and style (by hash) run, it talks
    /// to its own origin only, and nothing may frame it. The page already renders data as text; this is the
    /// second line, so that an injection that slipped through still could not run or call out.
    /// </summary>
    private static readonly Lazy<(string Html, string Policy)> Page = new(() =>
    {
        using var stream = typeof(ReviewEndpoints).Assembly.GetManifestResourceStream("Compliance.Api.index.html")!;
        using var reader = new StreamReader(stream);
        var html = reader.ReadToEnd();
        static string Hash(string html, string tag)
        {
            var start = html.IndexOf($"<{tag}>", StringComparison.Ordinal) + tag.Length + 2;
            var body = html[start..html.IndexOf($"</{tag}>", start, StringComparison.Ordinal)];
            return $"'sha256-{Convert.ToBase64String(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(body)))}'";
        }

        return (html, $"default-src 'none'; script-src {Hash(html, "script")}; style-src {Hash(html, "style")}; connect-src 'self'; img-src 'self'; form-action 'none'; base-uri 'none'; frame-ancestors 'none'");
    });

    /// <summary>GET /api/rules: the catalog with windows, limits and citations.</summary>
    public static Task<IResult> RulesAsync(HttpContext context, PolicyCatalog catalog) =>
        AuthenticatedAsync(context, _ => Task.FromResult(Results.Ok(catalog.Rules.Select(r => new
        {
            id = r.Id,
            title = r.Title,
            versions = r.Versions.Select(v => new { from = v.Window.From?.ToString(), to = v.Window.To?.ToString(), limit = v.Summary, citation = v.Citation.ToString(), quote = v.Citation.Quote }),
        }))));

    private static async Task<IResult> AuthenticatedAsync(HttpContext context, Func<Caller, Task<IResult>> handler)
    {
        if (context.RequestServices.GetRequiredService<CallerAuthentication>().Identify(context.Request) is not { } caller)
        {
            // RFC 6750: say which scheme, and whether the token sent was refused or none was sent.
            context.Response.Headers.WWWAuthenticate = CallerAuthentication.SentCredentials(context.Request)
                ? "Bearer realm=\"compliance\", error=\"invalid_token\""
                : "Bearer realm=\"compliance\"";
            return Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Sign in", detail: "Send a bearer token.");
        }

        try
        {
            return await handler(caller);
        }
        catch (ReviewValidationException ex)
        {
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid request", detail: ex.Message);
        }
        catch (ReviewForbiddenException ex)
        {
            return Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden", detail: ex.Message);
        }
        catch (StaleReviewException ex)
        {
            return Results.Problem(statusCode: StatusCodes.Status412PreconditionFailed, title: "Stale ETag", detail: ex.Message);
        }
    }

    private static IResult NotFound(string id) =>
        Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: $"No violation '{id}' for you.");

    private static object Item(ViolationView v) => new
    {
        id = v.Id,
        rule = v.Violation.Rule,
        uscc = v.Violation.Uscc,
        period = v.Violation.Period,
        region = v.Violation.Region,
        row = v.Violation.Row,
        field = v.Violation.Field,
        observed = v.Violation.Observed,
        limit = v.Violation.Limit,
        citation = v.Violation.Citation,
        status = v.EffectiveStatus,
        filing = v.Violation.FilingName,
    };

    private static object Detail(ViolationView v, PolicyCatalog catalog) => new
    {
        violation = Item(v),
        message = v.Violation.Message,
        quote = Core.Filings.Period.TryParse(v.Violation.Period, out var period)
            ? catalog.Rules.FirstOrDefault(r => r.Id == v.Violation.Rule)?.VersionFor(period.Value)?.Citation.Quote
            : null,
        employee_id = v.Violation.EmployeeId,
        item = v.Violation.Item,
        exempt_until = v.Violation.ExemptUntil,
        history = v.History.Select(h => new { who = h.Who, at = h.At, from = h.FromStatus, to = h.ToStatus, note = h.Note, exempt_until = h.ExemptUntil }),
    };
}
