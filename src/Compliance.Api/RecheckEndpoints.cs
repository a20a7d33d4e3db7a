using Compliance.Core.Filings;
using Compliance.Pipeline.Rechecks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using System.Security.Claims;

namespace Compliance.Api;

/// <summary>The body of <c>POST /api/rechecks</c>.</summary>
/// <param name="Period">The filing month to re-check, <c>yyyy-MM</c>.</param>
/// <param name="Rule">Only filings of the kind this rule applies to (say <c>HF-RATE-CAP</c>: payroll filings); every filing when absent.</param>
public sealed record RecheckBody(string? Period, string? Rule);

/// <summary>How many filings ended each way.</summary>
/// <param name="Checked">Checked again; their findings brought up to date.</param>
/// <param name="Rejected">Unreadable, as before; the reason is stored again.</param>
/// <param name="Current">Already checked under the catalog in force: nothing done.</param>
/// <param name="Gone">Deleted since they were listed.</param>
public sealed record RecheckOutcomes(int Checked, int Rejected, int Current, int Gone);

/// <summary>A filing whose re-check failed on every delivery; its message is in the poison queue.</summary>
public sealed record RecheckFailureItem(string Filing, string? Error, int Attempts, DateTimeOffset At);

/// <summary>A re-check and its progress.</summary>
/// <param name="State"><c>planning</c> (still queuing the month's filings), <c>running</c>, <c>completed</c> or <c>completed_with_failures</c>.</param>
/// <param name="Queued">Filings queued so far (all of the month's once planning is over).</param>
/// <param name="Done">Filings finished, whatever the check found (see <paramref name="Outcomes"/>).</param>
/// <param name="Failed">Filings that failed on every delivery (see <paramref name="Failures"/>, the first 20).</param>
/// <param name="Remaining">Queued and neither done nor failed.</param>
public sealed record RecheckItem(
    string Id,
    string Period,
    string? Rule,
    string RequestedBy,
    DateTimeOffset RequestedAt,
    string CatalogVersion,
    string State,
    int Queued,
    int Done,
    int Failed,
    int Remaining,
    RecheckOutcomes Outcomes,
    IReadOnlyList<RecheckFailureItem> Failures);

/// <summary>
/// Re-checking a month's stored filings under the catalog now in force (<see cref="RecheckService"/>): a national
/// operation, so only the regulator of the whole country may start or follow one (policy
/// <see cref="CompliancePolicies.NationalRegulator"/>).
/// </summary>
public static class RecheckEndpoints
{
    public static RouteGroupBuilder MapRecheckApi(this RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        api.MapPost("/rechecks", StartAsync).RequireAuthorization(CompliancePolicies.NationalRegulator)
            .WithMetadata(new RequestSizeLimitAttribute(ReviewEndpoints.MaxBodyBytes))
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status413PayloadTooLarge);
        api.MapGet("/rechecks/{id}", GetAsync).RequireAuthorization(CompliancePolicies.NationalRegulator)
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound);
        return api;
    }

    /// <summary>
    /// POST /api/rechecks: queues every stored filing of the month (of the rule's kind, if a rule is named) to be
    /// checked again; 202 with where to follow it. 409 names the re-check of the same month and rule still running.
    /// </summary>
    public static async Task<Results<Accepted<RecheckItem>, ProblemHttpResult>> StartAsync(ClaimsPrincipal user, RecheckService rechecks, RecheckBody body, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rechecks);
        ArgumentNullException.ThrowIfNull(body);
        if (!Period.TryParse(body.Period, out var period))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid request", detail: "Give \"period\" as yyyy-MM, the filing month to re-check.");
        }

        var rule = string.IsNullOrWhiteSpace(body.Rule) ? null : body.Rule.Trim();
        return await rechecks.StartAsync(CompliancePolicies.CallerOf(user).Name, period.Value, rule, cancellationToken) switch
        {
            RecheckStart.Started started => TypedResults.Accepted(Location(started.Progress.Id), Item(started.Progress)),
            RecheckStart.AlreadyRunning running => TypedResults.Problem(
                statusCode: StatusCodes.Status409Conflict,
                title: "Already being re-checked",
                detail: $"Re-check {running.Progress.Id} of {running.Progress.Period} is still {Name(running.Progress.State)}: follow it at {Location(running.Progress.Id)}.",
                extensions: new Dictionary<string, object?> { ["recheck"] = running.Progress.Id }),
            RecheckStart.UnknownRule unknown => TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid request", detail: $"The catalog in force has no rule '{unknown.Rule}'; GET /api/rules lists them."),
            _ => throw new InvalidOperationException("An outcome of starting a re-check is not handled."),
        };
    }

    /// <summary>GET /api/rechecks/{id}: the re-check's progress — queued, done (by outcome), failed and remaining.</summary>
    public static async Task<Results<Ok<RecheckItem>, ProblemHttpResult>> GetAsync(RecheckService rechecks, string id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rechecks);
        return await rechecks.ProgressAsync(id, cancellationToken) is { } progress
            ? TypedResults.Ok(Item(progress))
            : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: $"No re-check '{id}'.");
    }

    private static string Location(string id) => $"/api/rechecks/{id}";

    private static RecheckItem Item(RecheckProgress p) => new(
        p.Id, p.Period.ToString(), p.Rule, p.RequestedBy, p.RequestedAt, p.CatalogVersion, Name(p.State), p.Queued, p.Done, p.Failed, p.Remaining,
        new RecheckOutcomes(p.Checked, p.Rejected, p.Current, p.Gone),
        [.. p.Failures.Select(f => new RecheckFailureItem(f.BlobName, f.Error, f.Attempts, f.At))]);

    private static string Name(RecheckState state) => state switch
    {
        RecheckState.Planning => "planning",
        RecheckState.Running => "running",
        RecheckState.Completed => "completed",
        _ => "completed_with_failures",
    };
}
