using Compliance.Core.Digests;
using Compliance.Core.Filings;
using Compliance.Storage;
using Compliance.Storage.Entities;

namespace Compliance.Pipeline.Review;

/// <summary>A rule's findings in the month: all, their rows, those still to be dealt with (open or confirmed), those resolved.</summary>
public sealed record RuleTally(string Rule, int Findings, long Rows, int Outstanding, int Resolved);

/// <summary>A region's findings in the month, one level below the overview's own.</summary>
public sealed record RegionTally(string Region, int Findings, int Outstanding);

/// <summary>One month of the trend: findings, still outstanding, resolved, and recurring (the enterprise had one of the same rule the month before).</summary>
public sealed record MonthTally(string Month, int Findings, int Outstanding, int Resolved, int Recurring);

/// <summary>
/// Findings still to be dealt with (open or confirmed) whose period is <see cref="FromMonths"/> to <see cref="ToMonths"/>
/// months before the overview's month, that is, of periods <see cref="Oldest"/> to <see cref="Newest"/>.
/// </summary>
public sealed record BacklogAge(int FromMonths, int ToMonths, string Oldest, string Newest, int Outstanding);

/// <summary>An enterprise with findings in the month, by how many are outstanding.</summary>
public sealed record EnterpriseTally(string Uscc, string Region, int Findings, int Outstanding);

/// <summary>The state of a region for a month, read from the counts alone; <see cref="EntitiesRead"/> says how many counters that took.</summary>
public sealed record Overview(
    string Month,
    string Region,
    IReadOnlyList<RuleTally> ByRule,
    IReadOnlyList<RegionTally> BySubRegion,
    IReadOnlyList<MonthTally> Trend,
    IReadOnlyList<EnterpriseTally> TopEnterprises,
    int EntitiesRead)
{
    /// <summary>The open backlog by age, from the trend's months: this month, the month before, 2–3, 4–6 and 7–11 months old.</summary>
    public IReadOnlyList<BacklogAge> Backlog { get; init; } = [];
}

/// <summary>
/// The regulators' overview: a month of a region by rule and by the regions under it, twelve months of trend, and
/// the enterprises with the most outstanding findings — all from <see cref="FindingCounts"/>, so its cost follows
/// the regions, rules and enterprises with findings, never the number of findings or rows.
/// </summary>
public sealed class OverviewService(FindingCounts counts, TimeProvider time)
{
    public const int TrendMonths = 12;

    /// <summary>The backlog's age brackets in months; together they cover the trend's twelve months.</summary>
    public static readonly IReadOnlyList<(int From, int To)> BacklogBrackets = [(0, 0), (1, 1), (2, 3), (4, 6), (7, TrendMonths - 1)];

    public async Task<Overview> GetAsync(Caller caller, Period month, string? region, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        if (caller.Role != CallerRole.Regulator || caller.Region is null)
        {
            throw new ReviewForbiddenException("The overview is for regulators.");
        }

        var scope = region ?? caller.Region;
        if (!RegionCode.IsScope(scope))
        {
            throw new ReviewValidationException($"region '{region}' is not {RegionCode.Expected}.");
        }

        if (!DigestBuilder.Covers(caller.Region, scope))
        {
            throw new ReviewForbiddenException($"Region {scope} is outside your region {caller.Region}.");
        }

        var prefix = DigestBuilder.RegionPrefix(scope);
        var months = Enumerable.Range(0, TrendMonths).Select(i => month.AddMonths(i - TrendMonths + 1).ToString()).ToList();
        var counters = new Dictionary<string, List<FindingCountEntity>>(StringComparer.Ordinal);
        var read = 0;

        // Statuses as of now: an exemption whose end has passed counts as open again, as the lists show it.
        foreach (var (m, rows) in await counts.CountersAsync(months, prefix, time.GetUtcNow(), cancellationToken).ConfigureAwait(false))
        {
            read += rows.Count;
            (counters.TryGetValue(m, out var list) ? list : counters[m] = []).AddRange(rows.Where(r => r.Findings != 0));
        }

        var enterprises = new List<EnterpriseCountEntity>();
        foreach (var p in FindingCounts.ProvincesOf(prefix))
        {
            enterprises.AddRange(await counts.EnterprisesAsync(month.ToString(), p, cancellationToken).ConfigureAwait(false));
        }

        var current = counters.GetValueOrDefault(month.ToString()) ?? [];
        var outstanding = months.Select(m => Outstanding(counters.GetValueOrDefault(m) ?? [])).ToList();
        return new Overview(
            month.ToString(),
            scope,
            [.. current.GroupBy(c => c.Rule).Select(g => new RuleTally(g.Key, g.Sum(c => c.Findings), g.Sum(c => c.Rows), Outstanding(g), g.Where(c => c.Status == ViolationEntity.ResolvedStatus).Sum(c => c.Findings)))
                .OrderByDescending(r => r.Findings).ThenBy(r => r.Rule, StringComparer.Ordinal)],
            [.. current.GroupBy(c => RegionNames.ChildOf(scope, c.Region)).Select(g => new RegionTally(g.Key, g.Sum(c => c.Findings), Outstanding(g)))
                .OrderByDescending(r => r.Findings).ThenBy(r => r.Region, StringComparer.Ordinal)],
            [.. months.Select(m => counters.GetValueOrDefault(m) ?? []).Select((list, i) => new MonthTally(
                months[i], list.Sum(c => c.Findings), Outstanding(list), list.Where(c => c.Status == ViolationEntity.ResolvedStatus).Sum(c => c.Findings), list.Sum(c => c.Recurring)))],
            [.. enterprises.GroupBy(e => e.Uscc).Select(g => new EnterpriseTally(g.Key, g.First().Region, g.Sum(e => e.Findings), g.Sum(e => e.Outstanding)))
                .Where(e => e.Outstanding > 0).OrderByDescending(e => e.Outstanding).ThenBy(e => e.Uscc, StringComparer.Ordinal).Take(DigestBuilder.TopEnterpriseCount)],
            read + enterprises.Count)
        {
            Backlog = [.. BacklogBrackets.Select(b => new BacklogAge(
                b.From, b.To, month.AddMonths(-b.To).ToString(), month.AddMonths(-b.From).ToString(),
                Enumerable.Range(b.From, b.To - b.From + 1).Sum(age => outstanding[TrendMonths - 1 - age])))],
        };
    }

    private static int Outstanding(IEnumerable<FindingCountEntity> counters) => counters.Where(c => FindingCounts.IsOutstanding(c.Status)).Sum(c => c.Findings);
}
