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

    /// <summary>The digest of <paramref name="region"/> from a month held in memory (<see cref="RegulatorDigestAccumulator"/> over the input's lists).</summary>
    public static RegulatorDigest ForRegulator(DigestInput input, string region)
    {
        ArgumentNullException.ThrowIfNull(input);
        using var accumulator = new RegulatorDigestAccumulator(input.Month, region, input.EnterpriseNames, input.RuleTitles, spill: false);
        foreach (var violation in input.PreviousMonth)
        {
            accumulator.AddPrevious(violation);
        }

        foreach (var violation in input.Violations)
        {
            accumulator.Add(violation);
        }

        foreach (var filing in input.Filings)
        {
            accumulator.AddFiling(filing);
        }

        return accumulator.Build(input.Earlier);
    }

    /// <summary>One digest per enterprise that has violations in the month.</summary>
    public static IReadOnlyList<EnterpriseDigest> ForEnterprises(DigestInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return
        [
            .. input.Violations.Where(v => !v.Superseded).GroupBy(v => v.Uscc).OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => ForEnterprise(input.Month, g.Key, input.EnterpriseNames, g)!),
        ];
    }

    /// <summary>An enterprise's digest from its findings of the month (those a corrected version dropped left out); null when none remain.</summary>
    public static EnterpriseDigest? ForEnterprise(Period month, string uscc, IReadOnlyDictionary<string, string> names, IEnumerable<DigestViolation> violations)
    {
        ArgumentNullException.ThrowIfNull(names);
        List<DigestViolation> standing = [.. violations.Where(v => !v.Superseded).OrderBy(v => v.FilingName, StringComparer.Ordinal).ThenBy(v => v.Row)];
        return standing.Count == 0 ? null : new EnterpriseDigest(month, uscc, names.TryGetValue(uscc, out var name) ? name : uscc, standing);
    }

    /// <summary>
    /// The order a digest lists its findings in: by region (those without a usable one last), enterprise, filing and
    /// first row — the month's index keys them by region and enterprise, so a month read in key order is listed as it
    /// streams, without a sort over the month (<see cref="SpilledViolations"/>).
    /// </summary>
    public static IOrderedEnumerable<DigestViolation> ListOrder(IEnumerable<DigestViolation> violations) =>
        violations.OrderBy(v => ListRegion(v.Region), StringComparer.Ordinal).ThenBy(v => v.Uscc, StringComparer.Ordinal)
            .ThenBy(v => v.FilingName, StringComparer.Ordinal).ThenBy(v => v.Row);

    /// <summary>The region a finding is listed under: its code, or "~" (after every code) without a usable one, as the index files it.</summary>
    public static string ListRegion(string region) => RegionCode.TryParse(region, out _) && region != RegionCode.National ? region : "~";

    /// <summary>The six months ending with <paramref name="month"/>, oldest first.</summary>
    public static IReadOnlyList<Period> TrendMonths(Period month) =>
        [.. Enumerable.Range(0, 6).Select(i => month.AddMonths(i - 5))];

    public static Period Previous(Period month) => month.AddMonths(-1);
}
