using System.Globalization;
using Compliance.Core.Filings;
using Compliance.Core.Policies;

namespace Compliance.Core.Rules;

/// <summary>
/// <c>safety-grade</c> (国办发〔2016〕64号): the declared grade must be the one the score earns — bands whose
/// lower bound is included and upper bound excluded (第八条 "以上包括本数，以下不包括本数"), on the score plus
/// any bonus points (第七条) when the catalog says bonus counts — except that a special major accident
/// means the veto grade whatever the score (第九条, "一票否决"); and the self-assessment report is due by a
/// day of the following year (第十条, 1月底). Each part cites its own article.
/// </summary>
internal sealed class SafetyGradeCheck : IRuleCheck
{
    private readonly ColumnDefinition score;
    private readonly ColumnDefinition? bonus;
    private readonly ColumnDefinition grade;
    private readonly ColumnDefinition accident;
    private readonly ColumnDefinition year;
    private readonly ColumnDefinition reportDate;
    private readonly List<Band> bands;
    private readonly string vetoGrade;
    private readonly (int Month, int Day) due;
    private readonly Citation? bandsCitation;
    private readonly Citation? vetoCitation;
    private readonly Citation? dueCitation;

    public SafetyGradeCheck(FilingSchema schema, Parameters parameters, string where)
    {
        score = RuleKinds.Column(schema, parameters.ScoreField ?? "score", ColumnType.Score, where);
        bonus = parameters.BonusCounts ? RuleKinds.Column(schema, parameters.BonusField ?? "bonus", ColumnType.Score, where) : null;
        grade = RuleKinds.Column(schema, parameters.GradeField ?? "grade", ColumnType.Choice, where);
        accident = RuleKinds.Column(schema, parameters.VetoField ?? "special_major_accident", ColumnType.YesNo, where);
        year = RuleKinds.Column(schema, parameters.YearField ?? "year", ColumnType.Year, where);
        reportDate = RuleKinds.Column(schema, parameters.ReportDateField ?? "self_report_date", ColumnType.Date, where);
        if (parameters.Bands is not { Count: > 0 })
        {
            throw new PolicyCatalogException($"{where}: parameter \"bands\" lists no grades.");
        }

        bands = [.. parameters.Bands.Select(b => new Band(RuleKinds.Choice(grade, b.Grade, where), RuleKinds.Required(b.Min, "bands[].min", where))).OrderByDescending(b => b.Min)];
        if (bands[^1].Min != 0)
        {
            throw new PolicyCatalogException($"{where}: the lowest band must start at 0, so every score has a grade.");
        }

        vetoGrade = RuleKinds.Choice(grade, parameters.VetoGrade, where);
        due = (parameters.ReportDueMonth ?? 1, parameters.ReportDueDay ?? 31);
        if (due.Month is < 1 or > 12 || due.Day < 1 || due.Day > DateTime.DaysInMonth(2001, due.Month))
        {
            throw new PolicyCatalogException($"{where}: the report due date {due.Month}-{due.Day} is not a day of the year.");
        }

        bandsCitation = parameters.BandsCitation?.ToCitation("the bands", where);
        vetoCitation = parameters.VetoCitation?.ToCitation("the veto", where);
        dueCitation = parameters.ReportDueCitation?.ToCitation("the report due date", where);
    }

    public string Summary =>
        $"grade by score{(bonus is null ? string.Empty : " + bonus")}: {string.Join(", ", bands.Select(b => $">= {RuleKinds.Number(b.Min)} {b.Grade}"))}; special major accident → {vetoGrade}; self report by {due.Month:D2}-{due.Day:D2} of the next year";

    public RuleOutcome Evaluate(FilingRecord record, RuleHit hit, ICollection<Violation> violations)
    {
        if (record.Number(score) is not { } points || record.Text(grade) is not { } declared)
        {
            return RuleOutcome.NotApplicable;
        }

        var violated = false;
        var total = points + (bonus is null ? 0 : record.Number(bonus) ?? 0);
        var vetoed = record.Number(accident) == 1;
        var earned = vetoed ? vetoGrade : GradeFor(total);
        if (declared != earned)
        {
            violated = true;
            var why = vetoed
                ? $"a special major accident means {vetoGrade} whatever the score (一票否决)"
                : $"a score of {RuleKinds.Number(total)}{(bonus is not null && total != points ? $" ({RuleKinds.Number(points)} + {RuleKinds.Number(total - points)} bonus)" : string.Empty)} earns {earned}";
            violations.Add(hit.Violation(record, grade.Name, total, $"= {earned}", $"Graded {declared}, but {why}.", vetoed ? vetoCitation : bandsCitation));
        }

        if (record.Number(reportDate) is { } sent && record.Number(year) is { } assessed)
        {
            var deadline = ((int)assessed + 1) * 10000 + (due.Month * 100) + due.Day;
            if (sent > deadline)
            {
                violated = true;
                violations.Add(hit.Violation(record, reportDate.Name, sent, $"<= {Date(deadline)}",
                    $"The self-assessment report for {assessed} was sent on {Date((int)sent)}, after {Date(deadline)}.", dueCitation));
            }
        }

        return violated ? RuleOutcome.Violated : RuleOutcome.Passed;
    }

    private static string Date(int yyyymmdd) => DateTime.ParseExact(yyyymmdd.ToString(CultureInfo.InvariantCulture), "yyyyMMdd", CultureInfo.InvariantCulture).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private sealed record Band(string Grade, decimal Min);

    /// <summary>The grade of the highest band the total reaches (bands run from the highest minimum down).</summary>
    private string GradeFor(decimal total)
    {
        // A loop, not First(lambda): the lambda's closure over the total would be allocated on every row.
        foreach (var band in bands)
        {
            if (total >= band.Min)
            {
                return band.Grade;
            }
        }

        throw new InvalidOperationException($"No grade band reaches down to a score of {total}.");
    }

    internal sealed class Parameters
    {
        public string? ScoreField { get; set; }

        public string? BonusField { get; set; }

        public string? GradeField { get; set; }

        public string? VetoField { get; set; }

        public string? YearField { get; set; }

        public string? ReportDateField { get; set; }

        /// <summary>Whether 第七条's bonus points count towards the grade.</summary>
        public bool BonusCounts { get; set; }

        public List<BandParameters>? Bands { get; set; }

        public string? VetoGrade { get; set; }

        public int? ReportDueMonth { get; set; }

        public int? ReportDueDay { get; set; }

        public PolicyCatalog.CitationDocument? BandsCitation { get; set; }

        public PolicyCatalog.CitationDocument? VetoCitation { get; set; }

        public PolicyCatalog.CitationDocument? ReportDueCitation { get; set; }
    }

    internal sealed class BandParameters
    {
        public string? Grade { get; set; }

        /// <summary>The lowest score of the band, included ("以上包括本数").</summary>
        public decimal? Min { get; set; }
    }
}
