using Compliance.Core.Filings;
using Compliance.Core.Policies;

namespace Compliance.Core.Digests;

/// <summary>
/// A regulator's digest built from findings as they stream past, in any order: the month's, the month before's and
/// the month's filings. What it keeps is the tallies the digest prints (by rule, by region one level down, by
/// enterprise, enterprise × rule pairs for new and recurring) and the region's findings for the full list — in a
/// list, or, for a month too large to hold, in temporary files read back in the list's order
/// (<see cref="SpilledViolations"/>). <see cref="DigestBuilder.ForRegulator"/> is this over lists held in memory, so the
/// two cannot count differently.
/// </summary>
public sealed class RegulatorDigestAccumulator : IDisposable
{
    private readonly Period month;
    private readonly string region;
    private readonly IReadOnlyDictionary<string, string> names;
    private readonly IReadOnlyDictionary<string, LocalizedText> ruleTitles;
    private readonly List<DigestViolation>? held;
    private readonly SpilledViolations? spilled;
    private readonly Dictionary<string, (int Count, string Citation)> byRule = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> byChild = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> byEnterprise = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Uscc, string Rule), int> pairsNow = [];
    private readonly HashSet<(string Uscc, string Rule)> pairsBefore = [];
    private readonly Lock gate = new();
    private int total, corrected, previousTotal, rows, employees, received, checkedFilings;
    private bool built;

    /// <param name="spill">Keep the region's findings in a temporary file rather than in memory (a national month).</param>
    public RegulatorDigestAccumulator(Period month, string region, IReadOnlyDictionary<string, string> names, IReadOnlyDictionary<string, LocalizedText> ruleTitles, bool spill)
    {
        ArgumentNullException.ThrowIfNull(region);
        (this.month, this.region, this.names, this.ruleTitles) = (month, region, names, ruleTitles);
        if (spill)
        {
            spilled = new SpilledViolations();
        }
        else
        {
            held = [];
        }
    }

    /// <summary>A finding of the month; one outside the region is ignored.</summary>
    public void Add(DigestViolation violation) => Add(violation, 0);

    /// <summary>
    /// A finding of the month, from part <paramref name="part"/> of the list (a province partition of the month's
    /// index, read in key order): parts may be added from several threads at once, each part's findings in order.
    /// </summary>
    public void Add(DigestViolation violation, int part)
    {
        ArgumentNullException.ThrowIfNull(violation);
        if (!DigestBuilder.Covers(region, violation.Region))
        {
            return;
        }

        lock (gate)
        {
            if (!Count(violation))
            {
                return;
            }

            held?.Add(violation);
        }

        spilled?.PartAt(part).Add(violation);
    }

    /// <summary>Counts a finding of the region; false for one a corrected version dropped (not listed).</summary>
    private bool Count(DigestViolation violation)
    {

        if (violation.Superseded)
        {
            // A corrected version of its filing no longer has it: resolved, not a violation of the month.
            corrected++;
            return false;
        }

        total++;
        rows += violation.Rows;
        employees += violation.Employees;
        byRule[violation.Rule] = byRule.TryGetValue(violation.Rule, out var rule) ? (rule.Count + 1, rule.Citation) : (1, violation.Citation);
        var child = RegionNames.ChildOf(region, violation.Region);
        byChild[child] = byChild.GetValueOrDefault(child) + 1;
        byEnterprise[violation.Uscc] = byEnterprise.GetValueOrDefault(violation.Uscc) + 1;
        pairsNow[(violation.Uscc, violation.Rule)] = pairsNow.GetValueOrDefault((violation.Uscc, violation.Rule)) + 1;
        return true;
    }

    /// <summary>A finding of the month before; only whether it stood, and for which enterprise and rule, is kept.</summary>
    public void AddPrevious(DigestViolation violation)
    {
        ArgumentNullException.ThrowIfNull(violation);
        if (DigestBuilder.Covers(region, violation.Region) && !violation.Superseded)
        {
            lock (gate)
            {
                previousTotal++;
                pairsBefore.Add((violation.Uscc, violation.Rule));
            }
        }
    }

    /// <summary>A filing version received for the month; counted if any region it concerns is the regulator's.</summary>
    public void AddFiling(DigestFiling filing)
    {
        ArgumentNullException.ThrowIfNull(filing);
        if (filing.EffectiveRegions.Any(r => DigestBuilder.Covers(region, r)))
        {
            received++;
            checkedFilings += filing.Checked ? 1 : 0;
        }
    }

    /// <summary>
    /// The digest, with the trend's earlier months and the backlog from <paramref name="earlier"/> (the kept counts).
    /// A spilled digest owns its file until it is disposed.
    /// </summary>
    public RegulatorDigest Build(IReadOnlyList<DigestCell> earlier)
    {
        ArgumentNullException.ThrowIfNull(earlier);
        if (built)
        {
            throw new InvalidOperationException("A digest is built once from what was added.");
        }

        built = true;
        IReadOnlyCollection<DigestViolation> violations = spilled is not null ? spilled.Seal() : DigestBuilder.ListOrder(held!).ToList();
        var mine = earlier.Where(c => DigestBuilder.Covers(region, c.Region)).ToList();
        return new RegulatorDigest(
            month,
            region,
            total,
            previousTotal,
            [.. byRule.Select(r => new DigestCount(r.Key, r.Value.Count, r.Value.Citation)).OrderByDescending(c => c.Count).ThenBy(c => c.Key, StringComparer.Ordinal)],
            [.. byChild.Select(r => new DigestCount(r.Key, r.Value)).OrderByDescending(c => c.Count).ThenBy(c => c.Key, StringComparer.Ordinal)],
            [.. byEnterprise.Select(e => new DigestCount(e.Key, e.Value)).OrderByDescending(c => c.Count).ThenBy(c => c.Key, StringComparer.Ordinal).Take(DigestBuilder.TopEnterpriseCount)],
            pairsNow.Where(p => !pairsBefore.Contains(p.Key)).Sum(p => p.Value),
            pairsNow.Where(p => pairsBefore.Contains(p.Key)).Sum(p => p.Value),
            pairsBefore.Count(p => !pairsNow.ContainsKey(p)) + corrected,
            mine.Where(c => c.Month >= month.AddMonths(-DigestBuilder.BacklogMonths) && c.Month < month).Sum(c => c.Outstanding),
            [.. DigestBuilder.TrendMonths(month).Select(m => (m, m == month ? total : mine.Where(c => c.Month == m).Sum(c => c.Findings)))],
            violations,
            names)
        {
            FilingsReceived = received,
            FilingsChecked = checkedFilings,
            FilingsRejected = received - checkedFilings,
            RuleTitles = ruleTitles,
            ViolatingRows = rows,
            AffectedEmployees = employees,
        };
    }

    /// <summary>Drops the spilled file of a digest never built (one that was built owns it).</summary>
    public void Dispose()
    {
        if (!built)
        {
            spilled?.Dispose();
        }
    }
}
