using System.Text;
using Compliance.Core.Checking;
using Compliance.Core.Reading;
using Compliance.Testing;

namespace Compliance.Core.Tests.Reading;

[TestClass]
public sealed class CsvReaderTests
{
    private static readonly Dictionary<string, string> Chinese = new()
    {
        ["uscc"] = "统一社会信用代码",
        ["period"] = "所属期",
        ["region"] = "行政区划代码",
        ["employee_id"] = "职工编号",
        ["wage_base"] = "缴费基数",
        ["pension_employer_rate"] = "养老保险单位缴费比例",
        ["unemployment_employer_rate"] = "失业保险单位费率",
        ["unemployment_employee_rate"] = "失业保险个人费率",
        ["housing_fund_employer_rate"] = "住房公积金单位缴存比例",
        ["housing_fund_employee_rate"] = "住房公积金个人缴存比例",
    };

    [TestMethod]
    public void Gb18030WithChineseHeadersAndFullWidthDigits_IsReadAndChecked()
    {
        var filing = FilingBuilder.Payroll("２０１６年６月")
            .WithHeaders(c => Chinese[c])
            .Row(("wage_base", "８０００"), ("housing_fund_employer_rate", "１３％"))
            .Row(("employee_id", "张三"));
        var bytes = filing.ToCsvBytes(TextEncodingDetector.Gb18030);
        Assert.ThrowsExactly<DecoderFallbackException>(() => TextEncodingDetector.StrictUtf8.GetString(bytes), "the sample must really be GB18030");

        var report = Checks.Run(bytes, "payroll-gbk.csv").AssertChecked();

        Assert.AreEqual("payroll", report.Kind);
        Assert.AreEqual(2, report.Rows);
        var violation = report.Violations.Single();
        Assert.AreEqual(13m, violation.Observed);
        Assert.AreEqual("2016-06", violation.Period);
    }

    [TestMethod]
    public void ChunkReadOneCharacterAtATime_KeepsCharactersOutsideTheBmpWhole()
    {
        // 𠀀 (U+20000, a rare given name's character) is two UTF-16 characters: a decoder will not split it, so a
        // read with room for one decodes both and hands out the second on the next read.
        const string text = "a𠀀b张\n";
        var bytes = Encoding.UTF8.GetBytes(text);
        var chunk = new FilingChunk { Bytes = bytes, Length = bytes.Length, FirstLine = 1 };
        using var reader = new CsvFilingSource.ChunkReader(chunk, TextEncodingDetector.StrictUtf8.GetDecoder());

        var read = new StringBuilder();
        for (var c = reader.Read(); c >= 0; c = reader.Read())
        {
            read.Append((char)c);
        }

        Assert.AreEqual(text, read.ToString());
    }

    [TestMethod]
    public void ChunkWithBytesThatAreNotText_EndsBeforeTheDamagedRecordAndThenSaysWhere()
    {
        // The damaged record starts on line 12 with a quoted line break; the damage is on its second line.
        var chunk = ChunkDamagedBetween("a,b\n\"c\nd", "\",e\n");
        using var reader = new CsvFilingSource.ChunkReader(chunk, TextEncodingDetector.StrictUtf8.GetDecoder());

        Assert.AreEqual("a,b\n", reader.ReadToEnd(), "the records before the damaged one, and none of it");
        StringAssert.Contains(reader.Damage?.Message, "after line 12");
    }

    [TestMethod]
    public void ChunkWithBytesThatAreNotText_ReadInPiecesPastTheDamagedRecordsStart_SaysWhereAtOnce()
    {
        var chunk = ChunkDamagedBetween("a,b\nc,d", ",f\n");
        using var reader = new CsvFilingSource.ChunkReader(chunk, TextEncodingDetector.StrictUtf8.GetDecoder());
        var piece = new char[6];

        Assert.AreEqual(6, reader.Read(piece), "a,b and part of the damaged record");
        var damage = Assert.ThrowsExactly<FilingRejectedException>(() => reader.Read(piece));
        StringAssert.Contains(damage.Message, "after line 11");
    }

    /// <summary>A chunk of a file whose first record is on line 11, with a byte that is not UTF-8 (0xFF) between the two texts.</summary>
    private static FilingChunk ChunkDamagedBetween(string before, string after)
    {
        byte[] bytes = [.. Encoding.UTF8.GetBytes(before), 0xFF, .. Encoding.UTF8.GetBytes(after)];
        return new FilingChunk { Bytes = bytes, Length = bytes.Length, FirstLine = 11 };
    }

    [TestMethod]
    public void Utf8WithBom_HeaderIsRecognised()
    {
        var bytes = FilingBuilder.Payroll().Row(("housing_fund_employee_rate", "12.5")).ToCsvBytes(new UTF8Encoding(true), bom: true);
        Assert.AreEqual(0xEF, bytes[0]);

        var report = Checks.Run(bytes, "bom.csv").AssertChecked();

        CollectionAssert.AreEqual(new[] { "HF-RATE-CAP@2:housing_fund_employee_rate" }, report.Findings());
    }

    [TestMethod]
    public void HeaderNames_IgnoreCaseAndSurroundingSpaces()
    {
        var report = Checks.Csv(FilingBuilder.Payroll().WithHeaders(c => $"  {c.ToUpperInvariant()} ").Row(("pension_employer_rate", "21"))).AssertChecked();

        Assert.AreEqual(1, report.Violations.Count);
    }

    [TestMethod]
    public void QuotedAmountWithThousandsSeparator_IsOneValue()
    {
        var report = Checks.Csv(FilingBuilder.Payroll().Row(("wage_base", "12,000.00"), ("housing_fund_employer_amount", "1,440.00"))).AssertChecked();

        Assert.AreEqual(0, report.Violations.Count);
        Assert.AreEqual(0, report.WarningCount);
    }

    [TestMethod]
    public void RowNumbers_AreTheLineWhereTheRecordStarts()
    {
        // Row 2 spans lines 2-3 because of a quoted newline; the next record starts on line 4.
        const string csv = "uscc,period,region,employee_id,wage_base,collector_note,housing_fund_employer_rate\r\n"
            + "91510100A4C12H3B1Y,2016-06,510100,E1,8000,\"two\r\nlines\",12\r\n"
            + "91510100A4C12H3B1Y,2016-06,510100,E2,8000,,13\r\n";

        var report = Checks.Run(csv).AssertChecked();

        Assert.AreEqual(4, report.Violations.Single().Row);
    }

    [TestMethod]
    public void LineEndsOfEveryKind_NumberTheRowsAsTheEditorShowsThem()
    {
        // A lone CR (old Mac), LF, CR LF and a CR before CR LF (a blank line) each end a line.
        const string csv = "uscc,period,region,employee_id,wage_base,housing_fund_employer_rate\r"
            + "91510100A4C12H3B1Y,2016-06,510100,E1,8000,13\n"
            + "91510100A4C12H3B1Y,2016-06,510100,E2,8000,12\r\r\n"
            + "91510100A4C12H3B1Y,2016-06,510100,E3,8000,13";

        var report = Checks.Run(csv).AssertChecked();

        Assert.AreEqual(3, report.Rows);
        CollectionAssert.AreEqual(new[] { 2, 5 }, report.Violations.Select(v => v.Row).ToArray());
    }

    [TestMethod]
    public void ChunkWithoutQuotes_ReadsLineByLine_AsSepReadsTheSameRecords()
    {
        // Every line end, blank lines of both kinds, text outside ASCII, a warning and violations. A chunk without a
        // quote is read line by line; one quoted cell sends the same records through Sep.
        var csv = QuoteFreeRows("E1");
        var quoted = QuoteFreeRows("\"E1\"");

        using var lines = Checks.Run(csv).AssertChecked();
        using var sep = Checks.Run(quoted).AssertChecked();

        Assert.AreEqual(7, lines.Rows);
        CollectionAssert.AreEqual(new[] { 2, 4, 7, 10, 11 }, lines.Violations.Select(v => v.Row).ToArray());
        Assert.AreEqual("张三", lines.Violations.Single(v => v.Row == 7).EmployeeId);
        Assert.AreEqual(Describe(sep), Describe(lines));
    }

    [TestMethod]
    public void ChunkWithoutQuotes_ARowWithTooManyFields_IsRejectedAsSepRejectsIt()
    {
        var extra = QuoteFreeRows("E1") + "\n91510100A4C12H3B1Y,2016-06,510100,E9,8000,13,\n";

        using var lines = Checks.Run(extra).AssertRejected("Line 12 has 7 fields but the header has 6");
        using var sep = Checks.Run(extra.Replace(",E1,", ",\"E1\",", StringComparison.Ordinal));

        Assert.AreEqual(12, lines.ErrorRow);
        Assert.AreEqual(Describe(sep), Describe(lines));
    }

    [TestMethod]
    public void ChunkWithoutQuotes_BytesThatAreNotText_AreRejectedAsSepRejectsThem()
    {
        static byte[] Damaged(string employee)
        {
            var text = QuoteFreeRows(employee);
            var cut = text.IndexOf("E5", StringComparison.Ordinal);
            // The byte-order mark says UTF-8, whatever follows (without it the file would be taken for GB18030).
            return [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(text[..cut]), 0xFF, .. Encoding.UTF8.GetBytes(text[cut..])];
        }

        using var lines = Checks.Run(Damaged("E1"), "damaged.csv").AssertRejected("after line 8");
        using var sep = Checks.Run(Damaged("\"E1\""), "damaged.csv");

        Assert.AreEqual(Describe(sep), Describe(lines));
    }

    /// <summary>
    /// A payroll file whose lines end in a lone CR, LF and CR LF, with a blank line, a line of separators and an em
    /// space (white space outside the common set), an employee named in Chinese, and a last line with no line end;
    /// rows 2, 4, 7, 10 and 11 break a limit.
    /// </summary>
    private static string QuoteFreeRows(string firstEmployee) =>
        "uscc,period,region,employee_id,wage_base,housing_fund_employer_rate\r"
        + $"91510100A4C12H3B1Y,2016-06,510100,{firstEmployee},8000,13\n"
        + "91510100A4C12H3B1Y,2016-06,510100,E2,8000,12\r\n"
        + "91510100A4C12H3B1Y,2016-06,510100,E3,8000,14\r\n"
        + "\r\n"
        + ",,, ,,\n"
        + "91510100A4C12H3B1Y,2016-06,510100,张三,8000,15\n"
        + ",,\u2003,,,\r"
        + "91510100A4C12H3B1Y,2016-06,510100,E5,8000,12\n"
        + "91510100A4C12H3B1Y,2016-06,510100,E6,8000,12.5%\n"
        + "91510100A4C12H3B1Y,2016-06,510100,E7,8000,12.6";

    /// <summary>What a reader decided, row by row, in words: equal for two reads of the same records.</summary>
    private static string Describe(FilingReport report) => string.Join(
        "\n",
        [
            $"{report.Status} rows {report.Rows} error {report.ErrorRow} {report.Error}",
            .. report.Findings().Order(StringComparer.Ordinal),
            .. report.Warnings.Select(w => $"{w.Row} {w.Code} {w.Message}"),
            .. report.Errors.Select(e => $"{e.Row} {e.Column} {e.Message}"),
        ]);

    [TestMethod]
    public void UnknownColumn_IsIgnoredWithAWarning()
    {
        var report = Checks.Csv(FilingBuilder.Payroll().Row(("部门", "财务部"))).AssertChecked();

        var warning = report.Warnings.Single(w => w.Code == "UNKNOWN_COLUMN");
        StringAssert.Contains(warning.Message, "部门");
    }

    [TestMethod]
    public void BlankLines_AreSkipped()
    {
        var csv = FilingBuilder.Payroll().Row().Row().ToCsv() + "\r\n,,,,,,,,,\r\n";

        Assert.AreEqual(2, Checks.Run(csv).AssertChecked().Rows);
    }

    [TestMethod]
    public void KindIsRecognisedFromTheHeader()
    {
        Assert.AreEqual("fees", Checks.Csv(FilingBuilder.Fees().Row()).Kind);
        Assert.AreEqual("fee_items", Checks.Csv(FilingBuilder.FeeItems().Row()).Kind);
        Assert.AreEqual("payroll", Checks.Csv(FilingBuilder.Payroll().Row()).Kind);
    }

    [TestMethod]
    public void LargeFile_StreamsAndCountsEveryRow()
    {
        var filing = FilingBuilder.Payroll();
        for (var i = 0; i < 20_000; i++)
        {
            filing.Row(("housing_fund_employer_rate", i % 1000 == 0 ? "13" : "12"));
        }

        var report = Checks.Csv(filing).AssertChecked();

        Assert.AreEqual(20_000, report.Rows);
        Assert.AreEqual(20, report.Violations.Count);
    }
}
