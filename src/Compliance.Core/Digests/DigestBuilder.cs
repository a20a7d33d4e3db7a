using Compliance.Core.Filings;

namespace Compliance.Core.Digests;

/// <summary>
/// Computes the month's digests from plain data. A regulator of a region sees the region and everything
/// under it: 510000 (四川省) sees 51xxxx, 510100 (成都市) sees 5101xx, 510104 sees only itself — GB/T 2260
/// codes nest by dropping trailing "00" pairs.
/// </summary>
public static class DigestBuilder
{
    public const int TopEnterpriseCount = 10;

    /// <summary>How many months before the digest's its backlog covers: the months the workspace's backlog by age shows.</summary>
    public const int BacklogMonths = 11;

    /// <summary>The code prefix a regulator's region covers; 000000 (national) covers every region.</summary>
    public static string RegionPrefix(string region)
    {
        var prefix = region;
        while (prefix.Length > 0 && prefix.EndsWith("00", StringComparison.Ordinal))
        {
            prefix = prefix[..^2];
        }

        return prefix;
    }

    public static bool Covers(string regulatorRegion, string region) => region.StartsWith(RegionPrefix(regulatorRegion), StringComparison.Ordinal);

    public static RegulatorDigest ForRegulator(DigestInput input, string region)
    {
        ArgumentNullException.ThrowIfNull(input);
        var covered = input.Violations.Where(v => Covers(region, v.Region)).ToList();
        var mine = covered.Where(v => !v.Superseded).ToList();
        var corrected = covered.Count - mine.Count;
        var before = input.PreviousMonth.Where(v => Covers(region, v.Region) && !v.Superseded).ToList();
        var lastPairs = before.Select(v => (v.Uscc, v.Rule)).ToHashSet();
        var nowPairs = mine.Select(v => (v.Uscc, v.Rule)).ToHashSet();
        var filings = input.Filings.Where(f => f.EffectiveRegions.Any(r => Covers(region, r))).ToList();

        return new RegulatorDigest(
            input.Month,
            region,
            mine.Count,
            before.Count,
            [.. mine.GroupBy(v => v.Rule).Select(g => new DigestCount(g.Key, g.Count(), g.First().Citation)).OrderByDescending(c => c.Count).ThenBy(c => c.Key, StringComparer.Ordinal)],
            [.. mine.GroupBy(v => RegionNames.ChildOf(region, v.Region)).Select(g => new DigestCount(g.Key, g.Count())).OrderByDescending(c => c.Count).ThenBy(c => c.Key, StringComparer.Ordinal)],
            [.. mine.GroupBy(v => v.Uscc).Select(g => new DigestCount(g.Key, g.Count())).OrderByDescending(c => c.Count).ThenBy(c => c.Key, StringComparer.Ordinal).Take(TopEnterpriseCount)],
            mine.Count(v => !lastPairs.Contains((v.Uscc, v.Rule))),
            mine.Count(v => lastPairs.Contains((v.Uscc, v.Rule))),
            lastPairs.Count(p => !nowPairs.Contains(p)) + corrected,
            input.Earlier.Where(c => Covers(region, c.Region) && c.Month >= input.Month.AddMonths(-BacklogMonths) && c.Month < input.Month).Sum(c => c.Outstanding),
            [.. TrendMonths(input.Month).Select(m => (m, m == input.Month ? mine.Count : input.Earlier.Where(c => c.Month == m && Covers(region, c.Region)).Sum(c => c.Findings)))],
            [.. mine.OrderBy(v => v.Uscc, StringComparer.Ordinal).ThenBy(v => v.FilingName, StringComparer.Ordinal).ThenBy(v => v.Row)],
            input.EnterpriseNames)
        {
            FilingsReceived = filings.Count,
            FilingsChecked = filings.Count(f => f.Checked),
            FilingsRejected = filings.Count(f => !f.Checked),
            RuleTitles = input.RuleTitles,
        };
    }

    /// <summary>One digest per enterprise that has violations in the month.</summary>
    public static IReadOnlyList<EnterpriseDigest> ForEnterprises(DigestInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return
        [
            .. input.Violations.Where(v => !v.Superseded).GroupBy(v => v.Uscc).OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => new EnterpriseDigest(input.Month, g.Key, input.EnterpriseNames.TryGetValue(g.Key, out var name) ? name : g.Key, [.. g.OrderBy(v => v.FilingName, StringComparer.Ordinal).ThenBy(v => v.Row)])),
        ];
    }

    /// <summary>The six months ending with <paramref name="month"/>, oldest first.</summary>
    public static IReadOnlyList<Period> TrendMonths(Period month) =>
        [.. Enumerable.Range(0, 6).Select(i => month.AddMonths(i - 5))];

    public static Period Previous(Period month) => month.AddMonths(-1);
}
