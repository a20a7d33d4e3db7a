using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Compliance.Core.Checking;
using Compliance.Core.Tests.Reading;
using Compliance.Testing;

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

    [TestMethod]
    public void GeneratedFileOfManyBatches_WithViolationsAndWarnings_IsCheckedTheSame()
    {
        using var report = AssertSameReport(Payroll(rows: FilingChecker.BatchRows * 12 + 17), "payroll.csv");

        Assert.AreEqual(FilingStatus.Checked, report.Status, report.Error);
        Assert.IsGreaterThan(100, report.Violations.Count);
        Assert.IsGreaterThan(10, report.WarningCount);
    }

    [TestMethod]
    public void RepeatedEmployeeAcrossABatchBorder_IsRejectedTheSame()
    {
        // Data row n is line n + 1: the repeat sits first in the second batch, its original last in the first.
        var border = FilingChecker.BatchRows;
        using var report = AssertSameReport(Payroll(rows: border * 5, row => row == border + 1 ? border : row), "payroll.csv");

        Assert.AreEqual(FilingStatus.Rejected, report.Status);
        Assert.AreEqual(border + 2, report.ErrorRow);
        StringAssert.Contains(report.Error, $"E{border:D7}");
    }

    [TestMethod]
    public void UnreadableLastRow_IsRejectedTheSame()
    {
        var rows = FilingChecker.BatchRows * 6 + 3;
        using var report = AssertSameReport(Payroll(rows, badRateAt: rows), "payroll.csv");

        Assert.AreEqual(FilingStatus.Rejected, report.Status);
        Assert.AreEqual(rows + 1, report.ErrorRow);
    }

    [TestMethod]
    public void DamagedLineInTheMiddle_IsRejectedTheSameWithTheRowsBeforeIt()
    {
        var rows = FilingChecker.BatchRows * 6;
        var csv = Encoding.UTF8.GetString(Payroll(rows));
        var lines = csv.Split("\r\n");
        lines[FilingChecker.BatchRows * 3 + 5] += ",extra";
        using var report = AssertSameReport(Encoding.UTF8.GetBytes(string.Join("\r\n", lines)), "payroll.csv");

        Assert.AreEqual(FilingStatus.Rejected, report.Status);
        Assert.AreEqual(FilingChecker.BatchRows * 3 + 6, report.ErrorRow);
        Assert.AreEqual(FilingChecker.BatchRows * 3 + 4, report.Rows, "the rows before the damaged line are counted");
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
