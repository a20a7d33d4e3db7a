using System.Buffers;
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

    /// <summary>
    /// Threads a large filing is checked on (the report is the same whatever the number); 1 checks on the
    /// calling thread alone, as a host running several checks at once may prefer.
    /// </summary>
    public int MaxDegreeOfParallelism { get; init; } = Environment.ProcessorCount;

    /// <summary>
    /// Whether threads start only when typing rows outweighs reading them (timed on the first batches); tests
    /// of the merge turn it off to run every large file on threads.
    /// </summary>
    internal bool ProbeParallelism { get; init; } = true;

    /// <summary>Repeat keys held in memory past the first ones before they go to temporary files (tests put them on disk at once).</summary>
    internal long HeldKeyBytes { get; init; } = DuplicateRows.HeldBytes;

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
        // A file's size tells roughly how many employees its repeats are looked for among (none is under 32 bytes a row).
        using var run = new Run(this, fileName, options, expectedRows: content.CanSeek ? content.Length / 32 : 0);
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

    /// <summary>Rows of an XLSX filing read before they are typed, maybe on another thread (a CSV or JSON filing goes in chunks of bytes instead).</summary>
    internal const int BatchRows = 1024;

    /// <summary>
    /// The mutable state of one check, kept out of the checker so the checker stays shareable. Rows are typed
    /// and evaluated in batches (<see cref="RowWorker"/>, on several threads for a large file); everything that
    /// depends on the order of rows — counts, repeated employees, the lists of errors, warnings and violations —
    /// is merged here one batch at a time in file order, so a report is the same however many threads made it.
    /// </summary>
    private sealed class Run(FilingChecker owner, string fileName, CheckOptions options, long expectedRows) : IDisposable
    {
        private ViolationLog violations = new();
        private DuplicateRows? employees;
        private bool handedOver;
        private FilingSchema? schema;
        private CappedList<FilingWarning> warnings = new(options.MaxListedWarnings);
        private CappedList<RowError> errors = new(options.MaxListedErrors);
        private FilingScope scope = new();
        private PolicyRule[] rules = [];
        private RuleCounts[] counts = [];
        private string? kind;
        private int rows;
        private bool stopped;

        public void Read(IFilingSource source, CancellationToken cancellationToken)
        {
            while (true)
            {
                try
                {
                    ReadRows(source, cancellationToken);
                    return;
                }
                catch (RowsReadAgainException again)
                {
                    // The rows were read under half a header (its fields went on after them): all of it again, the
                    // threads being done with the rows (the batches are disposed by now). The whole header may still
                    // reject the file (a field given before the rows and again after them), as if on opening it.
                    Forget();
                    again.Rewind();
                }
            }
        }

        /// <summary>Everything the rows read so far made, gone: the run is as new.</summary>
        private void Forget()
        {
            violations.Dispose();
            violations = new ViolationLog();
            employees?.Dispose();
            employees = null;
            warnings = new(options.MaxListedWarnings);
            errors = new(options.MaxListedErrors);
            scope = new();
            (rows, stopped, schema, kind) = (0, false, null, null);
        }

        private void ReadRows(IFilingSource source, CancellationToken cancellationToken)
        {
            schema = source.Schema;
            kind = schema.Kind.ToContractName();
            rules = [.. owner.Catalog.RulesFor(schema.Kind)];
            counts = new RuleCounts[rules.Length];
            var headerWarnings = source.HeaderWarnings.Count;
            for (var i = 0; i < headerWarnings; i++)
            {
                warnings.Add(source.HeaderWarnings[i]);
            }

            // One row per employee and period (payroll), per province and year (safety assessments).
            var findsRepeats = schema.Kind is FilingKind.Payroll or FilingKind.SafetyAssessment;
            employees = findsRepeats ? new DuplicateRows(expectedKeys: expectedRows, heldBytes: options.HeldKeyBytes) : null;
            var plan = new RowPlan(
                schema,
                rules,
                options.ExpectedUscc is { } e ? TextNormalizer.Normalize(e).ToUpperInvariant() : null,
                schema.Find("period")?.Ordinal,
                schema.Find("region")?.Ordinal,
                findsRepeats);

            var chunked = source as IChunkedFilingSource;
            using (var batches = new OrderedBatches<RowBatch>(options.MaxDegreeOfParallelism, () => new RowBatch(plan), () => new RowWorker(plan, chunked), Merge, options.ProbeParallelism, release: b => b.Release()))
            {
                var batch = batches.Rent();
                try
                {
                    if (chunked is not null)
                    {
                        // Whole records cut from the bytes here; decoded, parsed and typed on the threads.
                        while (chunked.NextChunk(batch.Chunk))
                        {
                            cancellationToken.ThrowIfCancellationRequested();
                            batch.Chunked = true;
                            batches.Submit(batch);
                            batch = batches.Rent();
                        }
                    }
                    else
                    {
                        foreach (var raw in source.ReadRecords(cancellationToken))
                        {
                            batch.Add(raw);
                            if (batch.Full)
                            {
                                batches.Submit(batch);
                                batch = batches.Rent();
                            }
                        }

                        batches.Submit(batch);
                    }
                }
                catch (FilingRejectedException) when (!stopped)
                {
                    // The rows before the damage still count in the rejected report, as they were read (a chunk
                    // cut short is not whole records, so only rows already handed over are merged).
                    if (chunked is null)
                    {
                        batches.Submit(batch);
                    }

                    batches.Complete();
                    throw;
                }

                batches.Complete();
            }

            if (chunked is not null && rows == 0)
            {
                throw chunked.NoRecords();
            }

            // A JSON field no column has may first turn up in a later row: its warning comes after the rows'.
            for (var i = headerWarnings; i < source.HeaderWarnings.Count; i++)
            {
                warnings.Add(source.HeaderWarnings[i]);
            }

            // Repeats among keys that went to disk are only known now; they reject the file like any other.
            if (employees is { Spilled: true })
            {
                foreach (var (row, first) in employees.Finish(options.MaxDegreeOfParallelism))
                {
                    errors.Add(Duplicate(schema, row, first, null, null, null));
                }
            }
        }

        /// <summary>Takes one typed batch into the report, row by row in file order.</summary>
        private void Merge(RowBatch batch)
        {
            if (stopped)
            {
                // Past a damaged record nothing counts, whatever the threads have typed since.
                batch.Reset();
                return;
            }

            int warning = 0, error = 0, violation = 0;
            for (var i = 0; i < batch.Count; i++)
            {
                ref readonly var row = ref batch.Rows[i];
                rows++;
                for (; warning < row.WarningsEnd; warning++)
                {
                    warnings.Add(batch.Warnings[warning]);
                }

                for (; error < row.ErrorsEnd; error++)
                {
                    errors.Add(batch.Errors[error]);
                }

                if (row.Typed && row.HasKey && employees!.Add(row.Key, row.Row) is var first and > 0)
                {
                    errors.Add(Duplicate(schema!, row.Row, first, batch.Subject(row), row.Uscc, row.Period));
                }

                // Even an unreadable row usually names its period and region; the pipeline files the rejected
                // filing under them, so a regulator's monthly count includes it.
                scope.Add(row.Period, row.Uscc, row.Region);

                // A file with any unreadable row is rejected whole: its violations would never be reported.
                for (; violation < row.ViolationsEnd; violation++)
                {
                    if (errors.Count == 0)
                    {
                        violations.Add(batch.Violations[violation]);
                    }
                }
            }

            for (var k = 0; k < counts.Length; k++)
            {
                counts[k].Add(batch.Counts[k]);
            }

            var rejection = batch.Rejection;
            batch.Reset();
            if (rejection is not null)
            {
                stopped = true;
                throw rejection;
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

        public FilingReport Finish()
        {
            if (errors.Count > 0)
            {
                // Repeats found on disk come last; list in row order (a stable sort keeps each row's own order).
                errors.Order(e => e.Row);
                var first = errors.Listed[0];
                var error = errors.Count > 1 ? UserMessage.Of(MessageCode.MoreProblems, first.Text, Num(errors.Count)) : first.Text;
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
            Warnings = warnings.Listed,
            WarningCount = warnings.Count,
            Errors = errors.Listed,
            ErrorCount = errors.Count,
            Periods = [.. scope.Periods.Select(p => p.ToString())],
            Usccs = [.. scope.Usccs],
            Regions = [.. scope.Regions],
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
    }

    /// <summary>The first items listed (a report lists a hundred errors, not a million), every one counted.</summary>
    private sealed class CappedList<T>(int cap)
    {
        public List<T> Listed { get; } = [];

        public int Count { get; private set; }

        public void Add(T item)
        {
            Count++;
            if (Listed.Count < cap)
            {
                Listed.Add(item);
            }
        }

        public void Order<TKey>(Func<T, TKey> key)
        {
            var ordered = Listed.OrderBy(key).ToList();
            Listed.Clear();
            Listed.AddRange(ordered);
        }
    }

    /// <summary>
    /// The periods, enterprises and regions a filing's rows name. Rows of one filing nearly always share them:
    /// the sorted sets are only touched when a value differs from the row before.
    /// </summary>
    private sealed class FilingScope
    {
        private Period? lastPeriod;
        private string? lastUscc;
        private string? lastRegion;

        public SortedSet<Period> Periods { get; } = [];

        public SortedSet<string> Usccs { get; } = new(StringComparer.Ordinal);

        public SortedSet<string> Regions { get; } = new(StringComparer.Ordinal);

        public void Add(Period? period, string? uscc, string? region)
        {
            if (period is { } p && p != lastPeriod)
            {
                Periods.Add(p);
                lastPeriod = p;
            }

            if (uscc is not null && !ReferenceEquals(uscc, lastUscc))
            {
                Usccs.Add(uscc);
                lastUscc = uscc;
            }

            if (region is not null && !ReferenceEquals(region, lastRegion))
            {
                Regions.Add(region);
                lastRegion = region;
            }
        }
    }

    /// <summary>What every thread typing rows of one file shares: read-only.</summary>
    private sealed record RowPlan(FilingSchema Schema, PolicyRule[] Rules, string? ExpectedUscc, int? PeriodColumn, int? RegionColumn, bool FindsRepeats);

    /// <summary>What the merge needs of one row, as typed on a worker thread.</summary>
    private struct RowOutcome
    {
        public int Row;

        /// <summary>The row typed and belongs to the filer: its rules were evaluated.</summary>
        public bool Typed;

        /// <summary>The row names an employee (or province) whose repeat <see cref="Key"/> must be checked in file order.</summary>
        public bool HasKey;
        public UInt128 Key;
        public int SubjectStart;
        public int SubjectLength;
        public string? Uscc;
        public Period? Period;
        public string? Region;

        // Where this row's entries end in the batch's lists.
        public int WarningsEnd;
        public int ErrorsEnd;
        public int ViolationsEnd;
    }

    /// <summary>Rows read and not yet merged, with what typing and evaluating them produced. Reused.</summary>
    private sealed class RowBatch(RowPlan plan)
    {
        private readonly RawRecord[] raw = new RawRecord[BatchRows];
        private char[] subjects = new char[BatchRows * 16];
        private int subjectsUsed;
        private RowOutcome[] rows = ArrayPool<RowOutcome>.Shared.Rent(BatchRows);

        public int Count { get; private set; }

        public bool Full => Count == raw.Length;

        public RowOutcome[] Rows => rows;

        /// <summary>Whole records of the file's bytes, for a chunked source (the rows are then parsed by the worker).</summary>
        public FilingChunk Chunk { get; } = new();

        public bool Chunked { get; set; }

        /// <summary>The damaged record that ended the chunk, after the rows before it.</summary>
        public FilingRejectedException? Rejection { get; set; }

        /// <summary>The next row's outcome, for a row parsed from the chunk.</summary>
        public ref RowOutcome NextRow()
        {
            if (Count == rows.Length)
            {
                var more = ArrayPool<RowOutcome>.Shared.Rent(rows.Length * 2);
                rows.AsSpan(0, Count).CopyTo(more);
                ArrayPool<RowOutcome>.Shared.Return(rows, clearArray: true);
                rows = more;
            }

            return ref rows[Count++];
        }

        public List<RowError> Errors { get; } = [];

        public List<FilingWarning> Warnings { get; } = [];

        public List<Violation> Violations { get; } = [];

        public RuleCounts[] Counts { get; } = new RuleCounts[plan.Rules.Length];

        public RawRecord Raw(int i) => raw[i];

        /// <summary>Copies the reader's record (which it reuses) into the next row of the batch.</summary>
        public void Add(RawRecord record)
        {
            (raw[Count] ??= new RawRecord(plan.Schema, capacity: 128)).CopyFrom(record);
            Count++;
        }

        /// <summary>Keeps a row's subject for its repeat message (rare), so the key can be made off the merge thread.</summary>
        public (int Start, int Length) KeepSubject(ReadOnlySpan<char> subject)
        {
            if (subjects.Length - subjectsUsed < subject.Length)
            {
                Array.Resize(ref subjects, Math.Max(subjects.Length * 2, subjectsUsed + subject.Length));
            }

            subject.CopyTo(subjects.AsSpan(subjectsUsed));
            var start = subjectsUsed;
            subjectsUsed += subject.Length;
            return (start, subject.Length);
        }

        public string Subject(in RowOutcome row) => new(subjects, row.SubjectStart, row.SubjectLength);

        /// <summary>
        /// Gives the large arrays (a chunk's bytes, its rows' outcomes) back to the shared pools once the check is
        /// done with the batch: allocated afresh by each check, on several threads they set off a full collection.
        /// </summary>
        public void Release()
        {
            ArrayPool<RowOutcome>.Shared.Return(rows, clearArray: true);
            rows = [];
            Chunk.Release();
        }

        /// <summary>Empties the merged batch for its next rows.</summary>
        public void Reset()
        {
            Count = 0;
            Chunked = false;
            Rejection = null;
            Errors.Clear();
            Warnings.Clear();
            Violations.Clear();
            Array.Clear(Counts);
            subjectsUsed = 0;
        }
    }

    /// <summary>Types and evaluates the rows of a batch; one per thread (its parser and rule bindings cache per file).</summary>
    private sealed class RowWorker(RowPlan plan, IChunkedFilingSource? chunked) : IBatchWorker<RowBatch>
    {
        private readonly RecordParser parser = new(plan.Schema, plan.ExpectedUscc);
        private readonly Dictionary<Period, RulesInForce> rulesByPeriod = [];
        private RawRecord? chunkRecord;
        private (string? Uscc, Period Period, long Scope) lastScope;
        private Period evaluatedPeriod;
        private RulesInForce? evaluated;

        public void Process(RowBatch batch)
        {
            if (!batch.Chunked)
            {
                for (var i = 0; i < batch.Count; i++)
                {
                    Row(batch, batch.Raw(i), ref batch.Rows[i]);
                }

                return;
            }

            try
            {
                foreach (var raw in chunked!.ParseChunk(batch.Chunk, chunkRecord ??= new RawRecord(plan.Schema)))
                {
                    Row(batch, raw, ref batch.NextRow());
                }
            }
            catch (FilingRejectedException ex)
            {
                batch.Rejection = ex;
            }
        }

        // One call per row rather than one long loop: the per-row code is then compiled like any hot method
        // (tiered, with profile data) instead of once per file through on-stack replacement.
        private void Row(RowBatch batch, RawRecord raw, ref RowOutcome outcome)
        {
            outcome = default;
            outcome.Row = raw.Row;
            var record = parser.Parse(raw, batch.Errors, batch.Warnings);
            if (record is not null && plan.ExpectedUscc is { } expected && record.Uscc != expected)
            {
                batch.Errors.Add(new RowError(record.Row, "uscc", UserMessage.Of(MessageCode.AtCell, Num(record.Row), "uscc", UserMessage.Of(MessageCode.SubmitterMismatch, record.Uscc, expected))));
                record = null;
            }

            if (record is null)
            {
                if (plan.PeriodColumn is { } pc && Period.TryParse(raw.CellText(pc), out var rowPeriod))
                {
                    outcome.Period = rowPeriod;
                }

                if (plan.RegionColumn is { } rc && raw.CellText(rc) is { } rowRegion && RegionCode.TryParse(TextNormalizer.Normalize(rowRegion), out var code))
                {
                    outcome.Region = code.Value;
                }
            }
            else
            {
                outcome.Typed = true;
                outcome.Uscc = record.Uscc;
                outcome.Period = record.Period;
                outcome.Region = record.Region;
                if (plan.FindsRepeats && record.SubjectSpan is { IsEmpty: false } subject)
                {
                    outcome.HasKey = true;
                    outcome.Key = DuplicateRows.Key(ScopeOf(record.Uscc, record.Period), subject);
                    (outcome.SubjectStart, outcome.SubjectLength) = batch.KeepSubject(subject);
                }

                Evaluate(record, batch);
            }

            outcome.WarningsEnd = batch.Warnings.Count;
            outcome.ErrorsEnd = batch.Errors.Count;
            outcome.ViolationsEnd = batch.Violations.Count;
        }

        /// <summary>The repeat keys' seed for the row's enterprise and period, made again only when they change.</summary>
        private long ScopeOf(string uscc, Period period)
        {
            if (period != lastScope.Period || !string.Equals(uscc, lastScope.Uscc, StringComparison.Ordinal))
            {
                lastScope = (uscc, period, DuplicateRows.Scope(uscc, period));
            }

            return lastScope.Scope;
        }

        private void Evaluate(FilingRecord record, RowBatch batch)
        {
            // The rule versions in force are resolved once per period, not per row.
            var inForce = evaluated;
            if (inForce is null || record.Period != evaluatedPeriod)
            {
                if (!rulesByPeriod.TryGetValue(record.Period, out inForce))
                {
                    inForce = RulesInForce.For(plan.Rules, record.Period);
                    rulesByPeriod[record.Period] = inForce;
                }

                (evaluatedPeriod, evaluated) = (record.Period, inForce);
            }

            var counts = batch.Counts;
            for (var k = 0; k < inForce.Checks.Length; k++)
            {
                ref var count = ref counts[inForce.Indices[k]];
                switch (inForce.Checks[k].Evaluate(record, inForce.Hits[k], batch.Violations))
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
                [.. active.Select(v => new RuleHit(v.Rule, v.Version!, period))],
                [.. versions.Where(v => v.Version is null).Select(v => v.Index)]);
        }
    }

    private struct RuleCounts
    {
        public int Checked;
        public int Violated;
        public int NotApplicable;
        public int NotInForce;

        public void Add(in RuleCounts other)
        {
            Checked += other.Checked;
            Violated += other.Violated;
            NotApplicable += other.NotApplicable;
            NotInForce += other.NotInForce;
        }
    }
}
