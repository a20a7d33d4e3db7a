using System.Globalization;
using System.Text;
using Compliance.Core.Checking;
using Compliance.Core.Filings;
using Compliance.Core.Policies;
using Compliance.Core.Rules;

namespace Compliance.Core.Tests.Checking;

/// <summary>The structures that keep a check's memory flat, driven past their in-memory limits.</summary>
[TestClass]
public sealed class FlatMemoryTests
{
    private static readonly Period June = new(2016, 6);

    [TestMethod]
    public void DuplicateRows_BeforeSpilling_NamesTheFirstRowAtOnce()
    {
        using var keys = new DuplicateRows(inMemoryKeys: 100);

        Assert.AreEqual(0, keys.Add("91510100A4C12H3B1Y", June, "E1", 2));
        Assert.AreEqual(0, keys.Add("91510100A4C12H3B1Y", June, "E2", 3));
        Assert.AreEqual(0, keys.Add("91510100A4C12H3B1Y", new Period(2016, 7), "E1", 4));
        Assert.AreEqual(2, keys.Add("91510100A4C12H3B1Y", June, "E1", 5));
        Assert.IsFalse(keys.Spilled);
        Assert.IsEmpty(keys.Finish());
    }

    [TestMethod]
    [DataRow(DuplicateRows.HeldBytes, false)]
    [DataRow(0L, true)]
    [DataRow(40_000L, true)]
    public void DuplicateRows_AfterSpilling_FindsEveryRepeatAcrossTableAndPartitions(long heldBytes, bool onDisk)
    {
        // Enough keys to fill three blocks of every partition; with 40,000 bytes two blocks are held in memory and then
        // written to their files with the rest.
        using var keys = new DuplicateRows(inMemoryKeys: 8, heldBytes: heldBytes);
        for (var row = 2; row < 400_002; row++)
        {
            Assert.AreEqual(0, keys.Add("91510100A4C12H3B1Y", June, $"E{row}", row));
        }

        // Repeats of a key from before the spill, of one from after, of one from a partition's later blocks, and a
        // third occurrence.
        keys.Add("91510100A4C12H3B1Y", June, "E3", 500_000);
        keys.Add("91510100A4C12H3B1Y", June, "E4000", 500_001);
        keys.Add("91510100A4C12H3B1Y", June, "E3", 500_002);
        keys.Add("91510100MA6CA1XX2B", June, "E3", 500_003);
        keys.Add("91510100A4C12H3B1Y", June, "E150000", 500_004);

        Assert.IsTrue(keys.Spilled);
        Assert.AreEqual(onDisk, keys.OnDisk);
        CollectionAssert.AreEqual(new[] { (500_000, 3), (500_001, 4000), (500_002, 3), (500_004, 150_000) }, keys.Finish());
    }

    [TestMethod]
    public void DuplicateRows_ASheetOfExcelsLimit_IsCheckedWithoutATemporaryFile()
    {
        // 1,048,576 rows less the header; the keys are hashes, so random ones partition as real ones do.
        using var keys = new DuplicateRows();
        var random = new Random(1_048_576);
        for (var row = 2; row <= 1_048_576; row++)
        {
            keys.Add(new UInt128((ulong)random.NextInt64(), (ulong)random.NextInt64()), row);
        }

        Assert.IsTrue(keys.Spilled);
        Assert.IsFalse(keys.OnDisk);
        Assert.IsEmpty(keys.Finish());
    }

    [TestMethod]
    public void DuplicateRows_OfTheNextCheck_TakeTheTableAndBlocksTheLastGaveBack()
    {
        // Past the table into held blocks: anew, each check would allocate the 5 MB table and 6 MB of pinned blocks,
        // and the pinned heap's budget set off a collection of generation 2 every few checks.
        static void CheckKeys()
        {
            using var keys = new DuplicateRows(expectedKeys: 300_000);
            for (var row = 2; row < 300_002; row++)
            {
                keys.Add(new UInt128((ulong)row, (ulong)row * 0x9E3779B97F4A7C15), row);
            }

            Assert.IsTrue(keys.Spilled);
            Assert.IsEmpty(keys.Finish());
        }

        CheckKeys();
        var before = GC.GetAllocatedBytesForCurrentThread();
        CheckKeys();

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.IsLessThan(1L << 20, allocated, $"{allocated:N0} bytes");
    }

    [TestMethod]
    public void DuplicateRows_OfChecksAtOnce_EachFindOnlyTheirOwnRepeats()
    {
        // Four hosts' checks at once, again and again, taking and giving back the kept table and blocks: a block or
        // table handed to two of them would mix their keys.
        Parallel.For(0, 16, new ParallelOptions { MaxDegreeOfParallelism = 4 }, check =>
        {
            using var keys = new DuplicateRows(inMemoryKeys: 10_000, heldBytes: check % 2 == 0 ? DuplicateRows.HeldBytes : 0);
            var salt = (ulong)check << 40;
            var found = new List<(int Row, int First)>();
            for (var row = 2; row < 60_002; row++)
            {
                // Every 1,000th row repeats the row 500 before it, under this check's own keys.
                var key = (ulong)(row % 1_000 == 0 ? row - 500 : row);
                if (keys.Add(new UInt128(salt | key, key * 0x9E3779B97F4A7C15), row) is var first and > 0)
                {
                    found.Add((row, first));
                }
            }

            found.AddRange(keys.Finish());
            var expected = Enumerable.Range(2, 60_000).Where(row => row % 1_000 == 0).Select(row => (row, row - 500)).ToList();
            CollectionAssert.AreEqual(expected, found, $"check {check}");
        });
    }

    [TestMethod]
    public void DuplicateRows_DisposedTwice_GiveTheirTableBackOnce()
    {
        var key = DuplicateRows.Key("91510100A4C12H3B1Y", June, "E1");
        var disposed = new DuplicateRows();
        disposed.Dispose();
        using var first = new DuplicateRows();
        disposed.Dispose();
        using var second = new DuplicateRows();

        Assert.AreEqual(0, first.Add(key, 2));
        Assert.AreEqual(0, second.Add(key, 3), "two checks at once never share a table");
    }

    [TestMethod]
    [DataRow(1, DuplicateRows.HeldBytes)]
    [DataRow(4, DuplicateRows.HeldBytes)]
    [DataRow(1, 0L)]
    [DataRow(4, 0L)]
    [DataRow(4, 1_000_000L)]
    public void DuplicateRows_PartitionsCheckedOnSeveralThreads_FindTheRepeatsADictionaryFinds(int degree, long heldBytes)
    {
        // Enough keys that every partition holds hundreds, some of them more than one block of entries; held in
        // memory, on disk, or first one and then the other.
        using var keys = new DuplicateRows(inMemoryKeys: 1000, heldBytes: heldBytes);
        var random = new Random(20);
        var firstRow = new Dictionary<string, int>();
        var expected = new List<(int Row, int First)>();
        var foundAtOnce = new List<(int Row, int First)>();
        for (var row = 2; row < 120_000; row++)
        {
            var employee = $"E{random.Next(100_000)}";
            if (keys.Add("91510100A4C12H3B1Y", June, employee, row) is var first and > 0)
            {
                foundAtOnce.Add((row, first));
            }

            if (firstRow.TryAdd(employee, row) is false)
            {
                expected.Add((row, firstRow[employee]));
            }
        }

        Assert.IsTrue(keys.Spilled);
        Assert.AreEqual(heldBytes < 120_000 * 20, keys.OnDisk);
        var found = foundAtOnce.Concat(keys.Finish(degree)).ToList();

        // Every repeat is found exactly once (at once while the first keys were in the table, from the partitions after), with its first row.
        CollectionAssert.AreEqual(expected, found);
        Assert.IsGreaterThan(20_000, found.Count - foundAtOnce.Count);
    }

    [TestMethod]
    [DataRow("csv")]
    [DataRow("json")]
    public void Check_EachRowMore_AllocatesAlmostNothing(string format)
    {
        // Both files are past the in-memory repeat keys, so their fixed costs (tables, buffers) are the same; what
        // the larger allocates more is the cost of its extra rows. A closure or a string per row is 30 bytes or more.
        // The partitioned keys go to disk at once here: held in memory, they are 20 bytes a row up to their bound.
        var small = PayrollOf(140_000, format);
        var large = PayrollOf(200_000, format);
        Allocated(small, format);

        var perRow = (Allocated(large, format) - Allocated(small, format)) / 60_000.0;

        Assert.IsLessThan(8.0, perRow, $"{perRow:F1} bytes allocated per row");
    }

    /// <summary>Bytes allocated on this thread by a one-thread check (the rows are typed on it).</summary>
    private static long Allocated(byte[] content, string format)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        using var report = Checks.Run(content, $"payroll.{format}", new CheckOptions { MaxDegreeOfParallelism = 1, HeldKeyBytes = 0 });
        Assert.AreEqual(FilingStatus.Checked, report.Status, report.Error);
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    /// <summary>A payroll month within every limit, one row per employee, as CSV or JSON.</summary>
    private static byte[] PayrollOf(int rows, string format)
    {
        var text = new StringBuilder(format == "csv"
            ? "uscc,period,region,employee_id,wage_base,pension_employer_rate,unemployment_employer_rate,unemployment_employee_rate,housing_fund_employer_rate,housing_fund_employee_rate,housing_fund_employer_amount\n"
            : """{"kind":"payroll","uscc":"91510100A4C12H3B1Y","period":"2016-06","region":"510100","rows":[""");
        for (var row = 1; row <= rows; row++)
        {
            text.Append(format == "csv"
                ? string.Create(CultureInfo.InvariantCulture, $"91510100A4C12H3B1Y,2016-06,510100,E{row:D7},8000,19,1,0.5,12,12,960\n")
                : string.Create(CultureInfo.InvariantCulture, $$"""{{(row > 1 ? "," : string.Empty)}}{"employee_id":"E{{row:D7}}","wage_base":8000,"pension_employer_rate":19,"unemployment_employer_rate":1,"unemployment_employee_rate":0.5,"housing_fund_employer_rate":12,"housing_fund_employee_rate":12,"housing_fund_employer_amount":960}"""));
        }

        return Encoding.UTF8.GetBytes(format == "csv" ? text.ToString() : text.Append("]}").ToString());
    }

    [TestMethod]
    public void ViolationLog_PastItsMemoryLimit_ReadsBackEveryViolationInOrderEachTime()
    {
        using var log = new ViolationLog(inMemory: 3);
        var written = Enumerable.Range(2, 50).Select(Violation).ToList();
        foreach (var violation in written)
        {
            log.Add(violation);
        }

        Assert.IsTrue(log.Spilled);
        Assert.HasCount(50, log);
        CollectionAssert.AreEqual(written, log.ToList());
        CollectionAssert.AreEqual(written, log.ToList());
    }

    [TestMethod]
    public void Check_WithManyViolations_ReportsAllOfThemThroughTheSpill()
    {
        var rows = Enumerable.Range(1, ViolationLog.DefaultInMemory + 500)
            .Select(i => $"91510100A4C12H3B1Y,2016-06,510100,E{i:D6},8000,19,1,0.5,13,12")
            .Prepend("uscc,period,region,employee_id,wage_base,pension_employer_rate,unemployment_employer_rate,unemployment_employee_rate,housing_fund_employer_rate,housing_fund_employee_rate");
        using var content = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(string.Join('\n', rows)));

        using var report = new FilingChecker(PolicyCatalog.LoadEmbedded()).Check(content, "big.csv");

        Assert.AreEqual(FilingStatus.Checked, report.Status, report.Error);
        Assert.IsTrue(report.Violations.Spilled);
        Assert.HasCount(ViolationLog.DefaultInMemory + 500, report.Violations);
        CollectionAssert.AreEqual(
            Enumerable.Range(2, ViolationLog.DefaultInMemory + 500).ToList(),
            report.Violations.Select(v => v.Row).ToList());
        Assert.IsTrue(report.Violations.All(v => v is { Rule: "HF-RATE-CAP", Field: "housing_fund_employer_rate", Observed: 13m }));
    }

    private static Violation Violation(int row) => new()
    {
        Rule = "HF-RATE-CAP",
        Severity = Severity.High,
        Uscc = "91510100A4C12H3B1Y",
        Period = "2016-06",
        Region = "510100",
        Row = row,
        EmployeeId = row % 2 == 0 ? $"E{row}" : null,
        Item = row % 3 == 0 ? "水利建设基金" : null,
        Field = "housing_fund_employer_rate",
        Observed = 12.5m + row,
        Limit = "<= 12",
        Citation = "国发〔2016〕48号 (二十)",
        Message = string.Create(CultureInfo.InvariantCulture, $"Row {row}: above the 12% ceiling."),
    };
}
