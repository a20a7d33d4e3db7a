using Compliance.Core.Filings;
using Compliance.Core.Policies;
using Compliance.Core.Reading;
using Compliance.Core.Rules;
using Compliance.Core.Texts;
using static Compliance.Core.Texts.MessageArgs;

namespace Compliance.Core.Checking;

/// <summary>Per-call choices for <see cref="FilingChecker"/>.</summary>
public sealed record CheckOptions
{
    /// <summary>When set, every row must carry this USCC (the uploader's own); others are rejected as a submitter mismatch.</summary>
    public string? ExpectedUscc { get; init; }

    /// <summary>Row errors listed in a report; the count covers all of them.</summary>
    public int MaxListedErrors { get; init; } = 100;

    /// <summary>Warnings listed in a report; the count covers all of them.</summary>
    public int MaxListedWarnings { get; init; } = 500;

    public static CheckOptions Default { get; } = new();
}

/// <summary>
/// The check itself, shared by the command line and the cloud: streams a filing's rows, applies to each
/// row the rule versions in force for the row's own period, and reports violations with their clauses.
/// A file with any unreadable row is rejected as a whole (listing every such row), because a partial
/// verdict on a partial filing would mislead both the filer and the regulator.
/// </summary>
public sealed class FilingChecker(PolicyCatalog catalog, ReaderLimits? limits = null)
{
    public PolicyCatalog Catalog { get; } = catalog;

    /// <summary>The bounds this checker reads under; the pipeline applies the size bound before it downloads.</summary>
    public ReaderLimits Limits { get; } = limits ?? ReaderLimits.Default;

    /// <summary>
    /// Checks one file. The stream is consumed and disposed. Only problems with the file itself become a
    /// rejected report; I/O failures of the stream propagate, so a caller can retry them.
    /// </summary>
    public FilingReport Check(Stream content, string fileName, CheckOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= CheckOptions.Default;
        using var run = new Run(this, fileName, options);
        try
        {
            using var source = FilingOpener.Open(content, fileName, Limits);
            run.Read(source, cancellationToken);
        }
        catch (FilingRejectedException ex)
        {
            return run.Rejected(ex.Text, ex.Row, ex.Column);
        }

        return run.Finish();
    }

    /// <summary>The mutable state of one check, kept out of the checker so the checker stays shareable.</summary>
    private sealed class Run(FilingChecker owner, string fileName, CheckOptions options) : IDisposable
    {
        private readonly ViolationLog violations = new();
        private DuplicateRows? employees;
        private bool handedOver;
        private readonly Dictionary<Period, RulesInForce> rulesByPeriod = [];
        private readonly List<RowError> rowErrors = [];
        private readonly List<FilingWarning> rowWarnings = [];
        private Period evaluatedPeriod;
        private RulesInForce? evaluated;
        private RecordParser? parser;
        private int? periodColumn;
        private int? regionColumn;
        private string? expected;
        private string? lastUscc;
        private string? lastRegion;
        private Period? lastPeriod;
        private readonly List<FilingWarning> warnings = [];
        private readonly List<RowError> errors = [];
        private readonly SortedSet<Period> periods = [];
        private readonly SortedSet<string> usccs = new(StringComparer.Ordinal);
        private readonly SortedSet<string> regions = new(StringComparer.Ordinal);
        private PolicyRule[] rules = [];
        private RuleCounts[] counts = [];
        private string? kind;
        private int rows;
        private int warningCount;
        private int errorCount;

        public void Read(IFilingSource source, CancellationToken cancellationToken)
        {
            kind = source.Schema.Kind.ToContractName();
            rules = [.. owner.Catalog.RulesFor(source.Schema.Kind)];
            counts = new RuleCounts[rules.Length];
            foreach (var warning in source.HeaderWarnings)
            {
                AddWarning(warning);
            }

            expected = options.ExpectedUscc is { } e ? TextNormalizer.Normalize(e).ToUpperInvariant() : null;
            parser = new RecordParser(source.Schema, expected);
            periodColumn = source.Schema.Find("period")?.Ordinal;
            regionColumn = source.Schema.Find("region")?.Ordinal;

            // One row per employee and period (payroll), per province and year (safety assessments).
            employees = source.Schema.Kind is FilingKind.Payroll or FilingKind.SafetyAssessment ? new DuplicateRows() : null;

            // One call per row rather than one long loop: the per-row code is then compiled like any hot
            // method (tiered, with profile data) instead of once per file through on-stack replacement.
            foreach (var raw in source.ReadRecords(cancellationToken))
            {
                Row(raw);
            }

            // Repeats among keys that went to disk are only known now; they reject the file like any other.
            if (employees is { Spilled: true })
            {
                foreach (var (row, first) in employees.Finish())
                {
                    AddError(Duplicate(source.Schema, row, first, null, null, null));
                }
            }
        }

        private void Row(RawRecord raw)
        {
            rows++;
            rowErrors.Clear();
            rowWarnings.Clear();
            var record = parser!.Parse(raw, rowErrors, rowWarnings);
            if (record is not null && expected is not null && record.Uscc != expected)
            {
                rowErrors.Add(new RowError(record.Row, "uscc", UserMessage.Of(MessageCode.AtCell, Num(record.Row), "uscc", UserMessage.Of(MessageCode.SubmitterMismatch, record.Uscc, expected))));
                record = null;
            }

            if (record is not null && employees is not null && !record.SubjectSpan.IsEmpty
                && employees.Add(record.Uscc, record.Period, record.SubjectSpan, record.Row) is var first and > 0)
            {
                rowErrors.Add(Duplicate(record.Schema, record.Row, first, record.Subject, record.Uscc, record.Period));
                record = null;
            }

            if (rowWarnings.Count > 0)
            {
                foreach (var warning in rowWarnings)
                {
                    AddWarning(warning);
                }
            }

            if (rowErrors.Count > 0)
            {
                foreach (var error in rowErrors)
                {
                    AddError(error);
                }
            }

            if (record is null)
            {
                // Even an unreadable row usually names its period and region; the pipeline files the
                // rejected filing under them, so a regulator's monthly count includes it.
                if (periodColumn is { } pc && Period.TryParse(raw.CellText(pc), out var rowPeriod))
                {
                    periods.Add(rowPeriod.Value);
                }

                if (regionColumn is { } rc && raw.CellText(rc) is { } rowRegion && RegionCode.TryParse(TextNormalizer.Normalize(rowRegion), out var code))
                {
                    regions.Add(code.Value);
                }

                return;
            }

            // Rows of one filing nearly always share their enterprise, period and region: the sorted sets
            // are only touched when a value differs from the row before.
            if (record.Period != lastPeriod)
            {
                periods.Add(record.Period);
                lastPeriod = record.Period;
            }

            if (!ReferenceEquals(record.Uscc, lastUscc))
            {
                usccs.Add(record.Uscc);
                lastUscc = record.Uscc;
            }

            if (!ReferenceEquals(record.Region, lastRegion))
            {
                regions.Add(record.Region);
                lastRegion = record.Region;
            }

            if (errorCount == 0)
            {
                Evaluate(record);
            }
        }

        // Repeats found on disk (subject null) no longer know whose row it was, only where the first one is.
        private static RowError Duplicate(FilingSchema schema, int row, int first, string? subject, string? uscc, Period? period)
        {
            var column = schema.Kind == FilingKind.SafetyAssessment ? "region" : "employee_id";
            var text = (schema.Kind, subject, period) switch
            {
                (FilingKind.SafetyAssessment, { } province, { } p) => UserMessage.Of(MessageCode.DuplicateProvince, province, Num(first), Num(p.Year)),
                (FilingKind.SafetyAssessment, _, _) => UserMessage.Of(MessageCode.DuplicateProvinceSpilled, Num(first)),
                (_, { } employee, { } p) when uscc is not null => UserMessage.Of(MessageCode.DuplicateEmployee, employee, Num(first), uscc, p.ToString()),
                _ => UserMessage.Of(MessageCode.DuplicateEmployeeSpilled, Num(first)),
            };
            return new(row, column, UserMessage.Of(MessageCode.AtCell, Num(row), schema.Find(column)!.Display, text));
        }

        private void AddError(RowError error)
        {
            errorCount++;
            if (errors.Count < options.MaxListedErrors)
            {
                errors.Add(error);
            }
        }

        private void Evaluate(FilingRecord record)
        {
            // The rule versions in force are resolved once per period, not per row.
            var inForce = evaluated;
            if (inForce is null || record.Period != evaluatedPeriod)
            {
                if (!rulesByPeriod.TryGetValue(record.Period, out inForce))
                {
                    inForce = RulesInForce.For(rules, record.Period);
                    rulesByPeriod[record.Period] = inForce;
                }

                (evaluatedPeriod, evaluated) = (record.Period, inForce);
            }

            for (var k = 0; k < inForce.Checks.Length; k++)
            {
                ref var count = ref counts[inForce.Indices[k]];
                switch (inForce.Checks[k].Evaluate(record, inForce.Hits[k], violations))
                {
                    case RuleOutcome.NotApplicable:
                        count.NotApplicable++;
                        break;
                    case RuleOutcome.Violated:
                        count.Checked++;
                        count.Violated++;
                        break;
                    default:
                        count.Checked++;
                        break;
                }
            }

            foreach (var i in inForce.NotInForce)
            {
                counts[i].NotInForce++;
            }
        }

        private void AddWarning(FilingWarning warning)
        {
            warningCount++;
            if (warnings.Count < options.MaxListedWarnings)
            {
                warnings.Add(warning);
            }
        }

        public FilingReport Finish()
        {
            if (errorCount > 0)
            {
                // Repeats found on disk come last; list in row order (a stable sort keeps each row's own order).
                var ordered = errors.OrderBy(e => e.Row).ToList();
                errors.Clear();
                errors.AddRange(ordered);
                var first = errors[0];
                var error = errorCount > 1 ? UserMessage.Of(MessageCode.MoreProblems, first.Text, Num(errorCount)) : first.Text;
                return Rejected(error, first.Row, first.Column);
            }

            handedOver = true;
            return Report(FilingStatus.Checked) with
            {
                Violations = violations,
                Rules = [.. rules.Select((r, i) => new RuleCoverage(r.Id, counts[i].Checked, counts[i].Violated, counts[i].NotApplicable, counts[i].NotInForce))],
            };
        }

        public FilingReport Rejected(UserMessage error, int? row, string? column) => Report(FilingStatus.Rejected) with
        {
            ErrorText = error,
            ErrorRow = row,
            ErrorColumn = column,
        };

        private FilingReport Report(FilingStatus status) => new()
        {
            File = fileName,
            Kind = kind,
            Status = status,
            Rows = rows,
            Warnings = warnings,
            WarningCount = warningCount,
            Errors = errors,
            ErrorCount = errorCount,
            Periods = [.. periods.Select(p => p.ToString())],
            Usccs = [.. usccs],
            Regions = [.. regions],
            CatalogVersion = owner.Catalog.Version,
        };

        public void Dispose()
        {
            employees?.Dispose();
            if (!handedOver)
            {
                violations.Dispose();
            }
        }

        /// <summary>The rules of one period bound to their versions, and the rules with no version then.</summary>
        private sealed record RulesInForce(int[] Indices, IRuleCheck[] Checks, RuleHit[] Hits, int[] NotInForce)
        {
            public static RulesInForce For(PolicyRule[] rules, Period period)
            {
                var versions = rules.Select((rule, index) => (Rule: rule, Index: index, Version: rule.VersionFor(period))).ToList();
                var active = versions.Where(v => v.Version is not null).ToList();
                return new(
                    [.. active.Select(v => v.Index)],
                    [.. active.Select(v => v.Version!.Check)],
                    [.. active.Select(v => new RuleHit(v.Rule, v.Version!))],
                    [.. versions.Where(v => v.Version is null).Select(v => v.Index)]);
            }
        }

        private struct RuleCounts
        {
            public int Checked;
            public int Violated;
            public int NotApplicable;
            public int NotInForce;
        }
    }
}
