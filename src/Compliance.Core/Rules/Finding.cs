using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Compliance.Core.Policies;

namespace Compliance.Core.Rules;

/// <summary>
/// Violations that break one limit the same way, grouped: what a regulator reviews once. Rows with the same
/// declared rate are one finding (the employer set that rate for everyone); values computed from each row's
/// amounts make one finding per rule and field with the range observed. The rows themselves stay in the
/// report's violations, each naming its finding by <see cref="Id"/>.
/// </summary>
public sealed record Finding
{
    /// <summary>How many of a finding's rows it lists itself; the rest are in the report's violations.</summary>
    public const int FirstRowsListed = 5;

    /// <summary>
    /// Stable for the same subject in any version of a filing: a hash of the rule, field, clause, enterprise,
    /// month, region and (for a declared rate) the value. Sixteen hex digits.
    /// </summary>
    public required string Id { get; init; }

    public required string Rule { get; init; }

    public required Severity Severity { get; init; }

    public required string Uscc { get; init; }

    public required string Period { get; init; }

    public required string Region { get; init; }

    public required string Field { get; init; }

    public required string Limit { get; init; }

    public required string Citation { get; init; }

    /// <summary>The declared rate every row of the finding carries; null where the values vary row by row.</summary>
    public decimal? Observed { get; init; }

    public required decimal ObservedMin { get; init; }

    public required decimal ObservedMax { get; init; }

    /// <summary>Violating rows in the finding; over a report's findings these add up to its violations.</summary>
    public required int RowCount { get; init; }

    /// <summary>Distinct employees among those rows (a payroll filing names each employee once per month).</summary>
    public required int EmployeeCount { get; init; }

    /// <summary>The first <see cref="FirstRowsListed"/> rows, in file order.</summary>
    public required IReadOnlyList<int> FirstRows { get; init; }

    /// <summary>The employee or item of the first row, as a finding of one names it.</summary>
    public string? EmployeeId { get; init; }

    public string? Item { get; init; }

    /// <summary>The first row's message, which for a declared rate says it for every row.</summary>
    public required string FirstMessage { get; init; }

    /// <summary>What the finding says in one sentence: the first row's words, or the count and range where rows differ.</summary>
    public string Message => RowCount == 1 ? FirstMessage
        : Observed is not null ? string.Create(CultureInfo.InvariantCulture, $"{RowCount} rows: {FirstMessage}")
        : string.Create(CultureInfo.InvariantCulture, $"{RowCount} rows with {Field} from {Number(ObservedMin)} to {Number(ObservedMax)} against {Limit}; the first: {FirstMessage}");

    /// <summary>The id of the finding with this subject (see <see cref="Id"/>).</summary>
    public static string IdOf(string rule, string field, string citation, string uscc, string period, string region, decimal? declared)
    {
        var subject = string.Join('\u001f', rule, field, citation, uscc, period, region, declared is { } d ? Number(d) : string.Empty);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(subject)).AsSpan(0, 8));
    }

    /// <summary>A value as reports print it: 13 and 13.00 are the same rate.</summary>
    public static string Number(decimal value) => value.ToString("0.############", CultureInfo.InvariantCulture);
}

/// <summary>
/// Builds the findings of one file as its violations stream past, holding one small record per finding and
/// never the rows. A field whose declared values are many (more than <see cref="MaxDeclaredValues"/> — no
/// employer sets that many rates) is no policy: its further values join the field's varying finding.
/// </summary>
public sealed class FindingSet
{
    /// <summary>Distinct declared values of one rule and field grouped on their own before the rest count as varying.</summary>
    public const int MaxDeclaredValues = 50;

    private readonly Dictionary<GroupKey, Group> groups = [];
    private readonly Dictionary<GroupKey, int> declaredValues = [];
    private readonly List<Group> ordered = [];

    public int Count => ordered.Count;

    public void Add(Violation violation)
    {
        ArgumentNullException.ThrowIfNull(violation);
        var group = Lookup(violation, create: true)!;
        group.Add(violation);
    }

    /// <summary>The id of the finding a violation already added belongs to.</summary>
    public string IdOf(Violation violation)
    {
        ArgumentNullException.ThrowIfNull(violation);
        return (Lookup(violation, create: false) ?? throw new InvalidOperationException($"Row {violation.Row} ({violation.Rule}) was not added to the findings.")).Id;
    }

    /// <summary>The findings in the order of their first rows.</summary>
    public IReadOnlyList<Finding> ToList() => [.. ordered.Select(g => g.ToFinding())];

    private Group? Lookup(Violation v, bool create)
    {
        var field = new GroupKey(v.Rule, v.Field, v.Limit, v.Citation, v.Uscc, v.Period, v.Region, null);
        if (v.Declared)
        {
            var declared = field with { Declared = v.Observed };
            if (groups.TryGetValue(declared, out var same))
            {
                return same;
            }

            // A declared value not seen before gets its own finding while the field has few of them.
            var seen = declaredValues.GetValueOrDefault(field);
            if (create && seen < MaxDeclaredValues)
            {
                declaredValues[field] = seen + 1;
                return Create(declared, v);
            }
        }

        return groups.TryGetValue(field, out var group) ? group : create ? Create(field, v) : null;
    }

    private Group Create(GroupKey key, Violation first)
    {
        var group = new Group(key, Finding.IdOf(key.Rule, key.Field, key.Citation, key.Uscc, key.Period, key.Region, key.Declared), first);
        groups[key] = group;
        ordered.Add(group);
        return group;
    }

    /// <summary>Decimal equality ignores scale (13 == 13.00), so one declared rate is one key however it was written.</summary>
    private readonly record struct GroupKey(string Rule, string Field, string Limit, string Citation, string Uscc, string Period, string Region, decimal? Declared);

    private sealed class Group(GroupKey key, string id, Violation first)
    {
        private readonly List<int> firstRows = [];
        private decimal min = first.Observed;
        private decimal max = first.Observed;
        private int rows;
        private int employees;
        private int lastRow = -1;

        public string Id { get; } = id;

        public void Add(Violation v)
        {
            min = Math.Min(min, v.Observed);
            max = Math.Max(max, v.Observed);
            if (v.Row == lastRow)
            {
                return;
            }

            lastRow = v.Row;
            rows++;
            if (v.EmployeeId is not null)
            {
                employees++;
            }

            if (firstRows.Count < Finding.FirstRowsListed)
            {
                firstRows.Add(v.Row);
            }
        }

        public Finding ToFinding() => new()
        {
            Id = Id,
            Rule = first.Rule,
            Severity = first.Severity,
            Uscc = key.Uscc,
            Period = key.Period,
            Region = key.Region,
            Field = key.Field,
            Limit = key.Limit,
            Citation = key.Citation,
            Observed = key.Declared,
            ObservedMin = min,
            ObservedMax = max,
            RowCount = rows,
            EmployeeCount = employees,
            FirstRows = [.. firstRows],
            EmployeeId = first.EmployeeId,
            Item = first.Item,
            FirstMessage = first.Message,
        };
    }
}
