using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Compliance.Core.Checking;
using Compliance.Core.Reading;
using Compliance.Core.Tests.Reading;
using Compliance.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Compliance.Core.Tests.Checking;

/// <summary>
/// A large filing is typed on several threads and merged in file order: the report must be the same, byte for
/// byte as JSON, as the one thread makes — on the samples, the bad-input corpus and generated files many batches
/// long with violations, repeats across batch borders and rejections at the last row.
/// </summary>
[TestClass]
public sealed class ParallelCheckTests
{
    private static readonly CheckOptions OneThread = new() { MaxDegreeOfParallelism = 1 };
    private static readonly CheckOptions FourThreads = new() { MaxDegreeOfParallelism = 4, ProbeParallelism = false };

    public static IEnumerable<object[]> Samples =>
        Directory.GetFiles(Path.Combine(Repository.Root, "seeds", "samples")).Order(StringComparer.Ordinal).Select(f => new object[] { f });

    public static IEnumerable<object[]> CorpusFiles =>
        new BadInputCorpus(Repository.Root).Entries.Select(e => new object[] { Path.Combine(Repository.Root, "tests", "bad-inputs", e.File) });

    [TestMethod]
    [DynamicData(nameof(Samples))]
    public void Sample_ReportIsTheSameOnFourThreadsAsOnOne(string path) => AssertSameReport(File.ReadAllBytes(path), Path.GetFileName(path));

    [TestMethod]
    [DynamicData(nameof(CorpusFiles))]
    public void CorpusFile_ReportIsTheSameOnFourThreadsAsOnOne(string path) => AssertSameReport(File.ReadAllBytes(path), Path.GetFileName(path));

    /// <summary>Rows enough for several CSV chunks (about 110 bytes a row).</summary>
    private const int ManyChunks = 60_000;

    [TestMethod]
    public void GeneratedFileOfManyChunks_WithViolationsAndWarnings_IsCheckedTheSame()
    {
        var csv = Payroll(rows: ManyChunks + 17);
        using var report = AssertSameReport(csv, "payroll.csv");

        Assert.AreEqual(FilingStatus.Checked, report.Status, report.Error);
        Assert.AreEqual(ManyChunks + 17, report.Rows);
        Assert.IsGreaterThan(CsvFilingSource.ChunkBytes * 3, csv.Length, "the file is several chunks long");
        Assert.IsGreaterThan(500, report.Violations.Count);
        Assert.IsGreaterThan(500, report.WarningCount);
    }

    [TestMethod]
    public void GeneratedFileInGb18030_IsCheckedTheSame()
    {
        var text = Encoding.UTF8.GetString(Payroll(rows: ManyChunks)).Replace(",E", ",员工", StringComparison.Ordinal);
        using var report = AssertSameReport(TextEncodingDetector.Gb18030.GetBytes(text), "payroll.csv");

        Assert.AreEqual(FilingStatus.Checked, report.Status, report.Error);
        StringAssert.StartsWith(report.Violations.First().EmployeeId, "员工");
    }

    [TestMethod]
    public void EmployeeRepeatedChunksLater_IsRejectedTheSame()
    {
        using var report = AssertSameReport(Payroll(rows: ManyChunks, row => row == ManyChunks - 10 ? 3 : row), "payroll.csv");

        Assert.AreEqual(FilingStatus.Rejected, report.Status);
        Assert.AreEqual(ManyChunks - 9, report.ErrorRow);
        StringAssert.Contains(report.Error, "E0000003");
    }

    [TestMethod]
    public void EmployeesRepeatedPastTheKeyTable_AreRejectedTheSame_KeysHeldInMemoryOrOnDisk()
    {
        // Past the table's keys the repeats are found at the end, from the partitions, which stay in memory up to
        // their bound and go to files beyond it: the report is the same either way, on one thread or four.
        var rows = DuplicateRows.InMemoryKeys + 5_000;
        var repeats = new Dictionary<int, int> { [rows - 4_000] = 7, [rows - 3_000] = rows - 3_500, [rows - 10] = 7 };
        var content = Payroll(rows, row => repeats.GetValueOrDefault(row, row));
        using var held = AssertSameReport(content, "payroll.csv");
        using var onDisk = Checks.Run(content, "payroll.csv", OneThread with { HeldKeyBytes = 0 });
        using var onDiskFourThreads = Checks.Run(content, "payroll.csv", FourThreads with { HeldKeyBytes = 0 });

        Assert.AreEqual(ReportJson.ToJson([held]), ReportJson.ToJson([onDisk]));
        Assert.AreEqual(ReportJson.ToJson([held]), ReportJson.ToJson([onDiskFourThreads]));
        Assert.AreEqual(FilingStatus.Rejected, held.Status);
        Assert.AreEqual(3, held.ErrorCount);
        CollectionAssert.AreEqual(new[] { rows - 3_999, rows - 2_999, rows - 9 }, held.Errors.Select(e => e.Row).ToArray());
        StringAssert.Contains(held.Errors[0].Message, "row 8");
    }

    [TestMethod]
    public void BytesThatAreNotTextDeepInTheFile_AreRejectedTheSameNamingTheLine()
    {
        var bytes = Payroll(rows: ManyChunks);
        var at = 0;
        for (var line = 1; line < 40_000; at++)
        {
            line += bytes[at] == '\n' ? 1 : 0;
        }

        bytes[at + 3] = 0xFF;
        using var report = AssertSameReport(bytes, "payroll.csv");

        Assert.AreEqual(FilingStatus.Rejected, report.Status);
        StringAssert.Contains(report.Error, "after line 39999");
        Assert.AreEqual(39_998, report.Rows, $"the rows before the damaged line are counted, those of its chunk too: {report.Rows}");
    }

    [TestMethod]
    public void UnreadableLastRow_IsRejectedTheSame()
    {
        var rows = ManyChunks + 3;
        using var report = AssertSameReport(Payroll(rows, badRateAt: rows), "payroll.csv");

        Assert.AreEqual(FilingStatus.Rejected, report.Status);
        Assert.AreEqual(rows + 1, report.ErrorRow);
    }

    [TestMethod]
    public void DamagedLineInTheMiddle_IsRejectedTheSameWithTheRowsBeforeIt()
    {
        var lines = Encoding.UTF8.GetString(Payroll(ManyChunks)).Split("\r\n");
        lines[30_005] += ",extra";
        using var report = AssertSameReport(Encoding.UTF8.GetBytes(string.Join("\r\n", lines)), "payroll.csv");

        Assert.AreEqual(FilingStatus.Rejected, report.Status);
        Assert.AreEqual(30_006, report.ErrorRow);
        Assert.AreEqual(30_004, report.Rows, "the rows before the damaged line are counted");
    }

    [TestMethod]
    public void LinesEndedEveryWayAcrossManyChunks_AreNumberedAsTheEditorShowsThem()
    {
        // CR LF, LF and lone CRs mixed over many chunks, with a quoted cell in some: a read without a quote is counted
        // in whole-block passes, one with a quote stop by stop, and the line numbers must agree either way.
        var lines = Encoding.UTF8.GetString(Payroll(ManyChunks)).Split("\r\n");
        for (var i = 20_000; i < 20_010; i++)
        {
            lines[i] = lines[i].Replace(",E", ",\"E", StringComparison.Ordinal).Replace(",8000", "\",8000", StringComparison.Ordinal);
        }

        static byte[] Joined(string[] lines) => Encoding.UTF8.GetBytes(string.Concat(lines.Select((line, i) => line + (i % 7 == 3 ? "\r" : i % 5 == 1 ? "\n" : "\r\n"))));

        using var checkedReport = AssertSameReport(Joined(lines), "payroll.csv");
        Assert.AreEqual(FilingStatus.Checked, checkedReport.Status, checkedReport.Error);
        Assert.IsGreaterThan(500, checkedReport.Violations.Count);
        foreach (var violation in checkedReport.Violations)
        {
            StringAssert.Contains(lines[violation.Row - 1], $",{violation.EmployeeId},", $"row {violation.Row}");
        }

        lines[50_000] += ",extra";
        using var rejected = AssertSameReport(Joined(lines), "payroll.csv");
        Assert.AreEqual(50_001, rejected.ErrorRow);
        Assert.AreEqual(49_999, rejected.Rows, "the rows before the damaged line are counted");
    }

    [TestMethod]
    public void RowsOfJsonInManyChunks_AreCheckedTheSame()
    {
        using var report = AssertSameReport(PayrollJson(12_005), "payroll.json");

        Assert.AreEqual(FilingStatus.Checked, report.Status, report.Error);
        Assert.AreEqual(12_005, report.Rows);
        Assert.HasCount((12_005 / 97) + (12_005 / 89) - 1, report.Violations, "the cap broken on every 97th row, paid against declared on every 89th, both on row 8,633");
    }

    [TestMethod]
    public void EmployeeRepeatedChunksLaterInJson_IsRejectedTheSame()
    {
        using var report = AssertSameReport(PayrollJson(12_000, employeeOf: row => row == 9_000 ? 10 : row), "payroll.json");

        Assert.AreEqual(FilingStatus.Rejected, report.Status);
        Assert.AreEqual(9_000, report.ErrorRow);
        StringAssert.Contains(report.Error, "E0000010");
    }

    [TestMethod]
    public void JsonFieldsNoColumnHas_FirstMetInLaterChunks_AreWarnedOnceEachInRowOrder()
    {
        // "bonus" turns up first in a late chunk, "note" in an earlier one and again later; the header follows the rows.
        using var report = AssertSameReport(
            PayrollJson(12_000, extra: row => row switch { 11_000 => "\"bonus\":1,", 4_000 or 10_000 => "\"note\":\"x\",", _ => string.Empty }, headerLast: true),
            "payroll.json");

        Assert.AreEqual(FilingStatus.Checked, report.Status, report.Error);
        CollectionAssert.AreEqual(new int?[] { 4_000, 11_000 }, report.Warnings.Where(w => w.Code == "UNKNOWN_COLUMN").Select(w => w.Row).ToList());
        Assert.AreEqual("2016-06", report.Periods.Single(), "the header after the rows applies to them");
    }

    [TestMethod]
    public void JsonCommentsInSomeChunksOnly_AreSkipped_TheReportAsWithoutThem()
    {
        // Comments in the rows of one chunk only: the chunks without a '/' are read by a reader that does not look for them.
        using var plain = AssertSameReport(PayrollJson(12_000), "payroll.json");
        using var commented = AssertSameReport(PayrollJson(12_000, extra: row => row is > 7_000 and <= 7_100 ? "/* 注 */" : string.Empty), "payroll.json");

        Assert.AreEqual(FilingStatus.Checked, commented.Status, commented.Error);
        Assert.AreEqual(ReportJson.ToJson([plain]), ReportJson.ToJson([commented]));
    }

    [TestMethod]
    [DataRow(5_000, "{\"employee_id\":", DisplayName = "a row cut off mid-file")]
    [DataRow(5_000, "7,", DisplayName = "a number where a row belongs")]
    [DataRow(11_999, "{\"employee_id\":\"E1\",\"employee_id\":\"E2\"},", DisplayName = "a field twice in the last rows")]
    public void DamagedJsonRowDeepInTheFile_IsRejectedTheSameWithTheRowsBeforeIt(int at, string damage)
    {
        using var report = AssertSameReport(PayrollJson(12_000, extra: row => row == at ? damage : string.Empty), "payroll.json");

        Assert.AreEqual(FilingStatus.Rejected, report.Status);
        Assert.AreEqual(at, report.ErrorRow, report.Error);
        Assert.AreEqual(at - 1, report.Rows, "the rows before the damaged one are counted");
    }

    [TestMethod]
    public void JsonCutOffInsideItsRows_IsRejectedTheSameNamingTheRow()
    {
        var whole = PayrollJson(12_000);
        using var report = AssertSameReport(whole[..(whole.Length * 2 / 3)], "payroll.json");

        Assert.AreEqual(FilingStatus.Rejected, report.Status);
        StringAssert.Contains(report.Error, "rows[");
        Assert.IsNotNull(report.ErrorRow);
    }

    [TestMethod]
    public void JsonRowLargerThanAChunk_IsReadWhole()
    {
        using var report = AssertSameReport(PayrollJson(3_000, extra: row => row == 1_500 ? $"\"note\":\"{new string('x', 600_000)}\"," : string.Empty), "payroll.json");

        Assert.AreEqual(FilingStatus.Checked, report.Status, report.Error);
        Assert.AreEqual(3_000, report.Rows);
    }

    [TestMethod]
    public void Batches_AreProcessedOnSeveralThreadsAndMergedInOrder()
    {
        var threads = new ConcurrentDictionary<int, bool>();
        var merged = new List<int>();
        var next = 0;
        using (var batches = new OrderedBatches<int[]>(4, () => new int[1], () => new RecordingWorker(threads), b => merged.Add(b[0])))
        {
            for (var i = 0; i < 200; i++)
            {
                var batch = batches.Rent();
                batch[0] = next++;
                batches.Submit(batch);
            }

            batches.Complete();
        }

        CollectionAssert.AreEqual(Enumerable.Range(0, 200).ToList(), merged);
        Assert.IsGreaterThan(1, threads.Count, "the batches were processed on more than one thread");
    }

    [TestMethod]
    public void Batches_AreReleasedOnceEach_OnlyWhenNoThreadHoldsOne()
    {
        var released = new List<int[]>();
        var created = new List<int[]>();
        int[] last;
        using (var batches = new OrderedBatches<int[]>(
            4,
            () =>
            {
                var batch = new int[1];
                created.Add(batch);
                return batch;
            },
            () => new RecordingWorker(new ConcurrentDictionary<int, bool>()),
            _ => Assert.IsEmpty(released, "released while batches were still being merged"),
            probe: false,
            release: released.Add))
        {
            for (var i = 0; i < 50; i++)
            {
                batches.Submit(batches.Rent());
            }

            // The caller's last batch, rented and never submitted (a reader at the end of its file), is released too.
            last = batches.Rent();
            batches.Complete();
            Assert.IsEmpty(released);
        }

        Assert.IsGreaterThan(1, created.Count);
        CollectionAssert.AreEquivalent(created, released);
        CollectionAssert.Contains(released, last);
    }

    [TestMethod]
    public void ChunkBuffers_GoBackToThePoolForTheNextCheck_ButNotOnesSetFromOutside()
    {
        var first = new FilingChunk();
        first.StartWith("a,b\n"u8, CsvFilingSource.ChunkBytes + 4);
        var rented = first.Bytes;
        first.Release();

        var next = new FilingChunk();
        next.StartWith([], CsvFilingSource.ChunkBytes + 4);
        Assert.AreSame(rented, next.Bytes, "the next check's chunk takes the buffer given back (on the same thread)");
        next.Release();

        // A buffer the pool never lent (a test's, or one set by hand) is dropped, not pushed on the pool.
        var own = new FilingChunk { Bytes = new byte[1000] };
        own.Grow(CsvFilingSource.ChunkBytes, filled: 1000);
        own.Release();
        Assert.IsEmpty(own.Bytes);
    }

    [TestMethod]
    public void SlowFirstMerges_DoNotKeepALongFileOnOneThread()
    {
        // Typing a batch takes 2 ms and merging it 0.1 ms, but the first two merges take 30 ms each (a check's
        // fresh key table faulted in). Added up from the start, that cost outweighed the typing until the 48th
        // batch; asked on the batches since the last asking, the 6th says threads pay.
        var clock = new FakeTimeProvider();
        var merged = 0;
        using var batches = new OrderedBatches<int[]>(
            2,
            () => new int[1],
            () => new ClockedWorker(clock, TimeSpan.FromMilliseconds(2)),
            _ => clock.Advance(TimeSpan.FromMilliseconds(++merged is 2 or 3 ? 30 : 0.1)),
            time: clock);
        SubmitAll(batches, 100);

        Assert.AreEqual(100, merged);
        Assert.AreEqual(OrderedBatches<int[]>.ProbeBatches * 2 + 1, batches.ParallelFrom, "the threads start after the second asking");
    }

    [TestMethod]
    public void ReadingSlowerThanTyping_KeepsEveryBatchOnTheCallersThread()
    {
        // An XLSX's XML: reading a batch (5 ms) outweighs typing it (1 ms) at every asking, so no thread starts.
        var clock = new FakeTimeProvider();
        var merged = 0;
        using var batches = new OrderedBatches<int[]>(2, () => new int[1], () => new ClockedWorker(clock, TimeSpan.FromMilliseconds(1)), _ => merged++, time: clock);
        SubmitAll(batches, 200, read: () => clock.Advance(TimeSpan.FromMilliseconds(5)));

        Assert.AreEqual(200, merged);
        Assert.AreEqual(0, batches.ParallelFrom);
    }

    private static void SubmitAll(OrderedBatches<int[]> batches, int count, Action? read = null)
    {
        for (var i = 0; i < count; i++)
        {
            var batch = batches.Rent();
            read?.Invoke();
            batches.Submit(batch);
        }

        batches.Complete();
    }

    [TestMethod]
    [DataRow(1)]
    [DataRow(4)]
    public void JsonHeaderAfterRows_ReportIsTheSameAsWithTheHeaderBefore(int threads)
    {
        var options = threads == 1 ? OneThread : FourThreads;
        using var before = Checks.Run(PayrollJson(12_000, RepeatAt9000, UnknownFields), "payroll.json", options);
        using var after = Checks.Run(PayrollJson(12_000, RepeatAt9000, UnknownFields, headerLast: true), "payroll.json", options);

        Assert.AreEqual(ReportJson.ToJson([before]), ReportJson.ToJson([after]));
    }

    [TestMethod]
    [DataRow(1)]
    [DataRow(4)]
    public void JsonRowsThatLookLastButAreNot_AreReadAgain_LeavingNothingOfTheFirstRead(int threads)
    {
        // Both files give "rows" twice (which rejects them, once the rows are read). The first names its kind before
        // the rows and ends "]}" as if they came last: it is read in one pass until the first array closes, then
        // again in two. The second names its kind after the rows and is read in two passes from the start. Nothing
        // of the first read may stay: the rows are counted once and the repeat is listed once.
        var options = threads == 1 ? OneThread : FourThreads;
        var rows = Encoding.UTF8.GetString(PayrollJson(12_000, RepeatAt9000, UnknownFields));
        rows = rows[rows.IndexOf("\"rows\"", StringComparison.Ordinal)..^1];
        const string header = "\"period\":\"2016-06\",\"region\":\"510100\",\"uscc\":\"91510100A4C12H3B1Y\"";

        using var reread = Checks.Run(Encoding.UTF8.GetBytes($"{{\"kind\":\"payroll\",{header},{rows},\"rows\":[]}}"), "payroll.json", options);
        using var twoPasses = Checks.Run(Encoding.UTF8.GetBytes($"{{{header},{rows},\"kind\":\"payroll\",\"rows\":[]}}"), "payroll.json", options);

        Assert.AreEqual(ReportJson.ToJson([twoPasses]), ReportJson.ToJson([reread]));
        Assert.AreEqual(FilingStatus.Rejected, reread.Status);
        StringAssert.Contains(reread.Error, "\"rows\" twice");
        Assert.AreEqual(12_000, reread.Rows);
        Assert.AreEqual(1, reread.ErrorCount, "the repeat on row 9,000, once");
    }

    [TestMethod]
    [DataRow(false, "", 1)]
    [DataRow(true, "", 2)]
    [DataRow(false, ",\"tags\":[]", 3)]
    public void JsonRows_AreReadOnceUnlessSomethingFollowsThem(bool headerLast, string afterRows, int passes)
    {
        var content = PayrollJson(12_000, headerLast: headerLast);
        content = [.. content[..^1], .. Encoding.UTF8.GetBytes(afterRows + "}")];
        using var stream = new ReadCountingStream(new MemoryStream(content));

        using var report = new FilingChecker(Checks.Catalog).Check(stream, "payroll.json", FourThreads);

        Assert.AreEqual(12_000, report.Rows, report.Error);

        // Each pass reads the file once (the header's reader up to a block, 64 KB, past the rows' start; a chunk of
        // rows past the array's end); 1.2 MB of rows.
        Assert.IsInRange(passes * content.Length, passes * (content.Length + (2 * CsvFilingSource.ChunkBytes)), stream.BytesRead);
    }

    private static int RepeatAt9000(int row) => row == 9_000 ? 10 : row;

    private static string UnknownFields(int row) => row switch { 11_000 => "\"bonus\":1,", 4_000 => "\"note\":\"x\",", _ => string.Empty };

    private static FilingReport AssertSameReport(byte[] content, string name)
    {
        using var one = Checks.Run(content, name, OneThread);
        using var four = Checks.Run(content, name, FourThreads);
        Assert.AreEqual(ReportJson.ToJson([one]), ReportJson.ToJson([four]), name);
        return Checks.Run(content, name, FourThreads);
    }

    /// <summary>
    /// A payroll month whose every 97th row breaks the housing-fund cap, every 89th pays more than it declares
    /// (a warning), with an optional repeat (<paramref name="employeeOf"/>) and an unreadable rate.
    /// </summary>
    private static byte[] Payroll(int rows, Func<int, int>? employeeOf = null, int badRateAt = 0)
    {
        var csv = new StringBuilder("uscc,period,region,employee_id,wage_base,pension_employer_rate,unemployment_employer_rate,unemployment_employee_rate,housing_fund_employer_rate,housing_fund_employee_rate,housing_fund_employer_amount\r\n");
        for (var row = 1; row <= rows; row++)
        {
            var rate = row % 97 == 0 ? "13" : "12";
            var amount = row % 89 == 0 ? "1000" : rate == "13" ? "1040" : "960";
            csv.Append(CultureInfo.InvariantCulture, $"91510100A4C12H3B1Y,2016-06,510100,E{(employeeOf?.Invoke(row) ?? row):D7},8000,19,1,0.5,{(row == badRateAt ? "twelve" : rate)},12,{amount}\r\n");
        }

        return Encoding.UTF8.GetBytes(csv.ToString());
    }

    /// <summary>
    /// The same month as JSON rows (numbered from 1), the enterprise in the header (before the rows, or after them as
    /// alphabetical serialisers write it), each row prefixed with <paramref name="extra"/>'s text (fields, or damage).
    /// About 130 bytes a row: 12,000 rows are six chunks.
    /// </summary>
    private static byte[] PayrollJson(int rows, Func<int, int>? employeeOf = null, Func<int, string>? extra = null, bool headerLast = false)
    {
        const string header = "\"period\":\"2016-06\",\"region\":\"510100\",\"uscc\":\"91510100A4C12H3B1Y\"";
        var json = new StringBuilder(headerLast ? "{\"kind\":\"payroll\",\"rows\":[" : $"{{\"kind\":\"payroll\",{header},\"rows\":[");
        for (var row = 1; row <= rows; row++)
        {
            var prefix = extra?.Invoke(row) ?? string.Empty;
            json.Append(row > 1 ? "," : string.Empty);
            if (prefix.StartsWith('{') || char.IsDigit(prefix.FirstOrDefault()))
            {
                // Damage standing where a row belongs, then the row.
                json.Append(prefix);
                prefix = string.Empty;
            }

            json.Append(CultureInfo.InvariantCulture,
                $$"""{{{prefix}}"employee_id":"E{{(employeeOf?.Invoke(row) ?? row):D7}}","wage_base":8000,"housing_fund_employer_rate":{{(row % 97 == 0 ? 13 : 12)}},"housing_fund_employer_amount":{{(row % 89 == 0 ? 1000 : 960)}}}""");
        }

        json.Append(headerLast ? $"],{header}}}" : "]}");
        return Encoding.UTF8.GetBytes(json.ToString());
    }

    /// <summary>Takes <paramref name="typing"/> of the fake clock per batch, on whichever thread processes it.</summary>
    private sealed class ClockedWorker(FakeTimeProvider clock, TimeSpan typing) : IBatchWorker<int[]>
    {
        public void Process(int[] batch) => clock.Advance(typing);
    }

    private sealed class RecordingWorker(ConcurrentDictionary<int, bool> threads) : IBatchWorker<int[]>
    {
        public void Process(int[] batch)
        {
            threads[Environment.CurrentManagedThreadId] = true;

            // Long enough that the reader gets ahead and hands batches to the other threads.
            Thread.Sleep(1);
        }
    }
}
