using System.Text;
using Compliance.Core.Checking;
using Compliance.Core.Reading;
using Compliance.Testing;

namespace Compliance.Core.Tests.Reading;

/// <summary>Every bad input ends as a rejected report (or a row error) that says what to fix — never an exception.</summary>
[TestClass]
public sealed class BadInputTests
{
    [TestMethod]
    [DataRow("empty.csv")]
    [DataRow("empty.json")]
    [DataRow("empty.xlsx")]
    public void EmptyFile_IsRejected(string name) => Checks.Run([], name).AssertRejected("empty");

    [TestMethod]
    public void HeaderWithoutRows_IsRejected() =>
        Checks.Run("uscc,period,region,employee_id,wage_base\r\n").AssertRejected("no data rows");

    [TestMethod]
    public void BinaryGarbage_IsRejected()
    {
        var garbage = new byte[4096];
        new Random(42).NextBytes(garbage);
        garbage[10] = 0;

        Checks.Run(garbage, "upload.csv").AssertRejected("binary data");
    }

    [TestMethod]
    [DataRow("filing.pdf", "'.pdf' files are not accepted")]
    [DataRow("filing.xls", "'.xls' files are not accepted")]
    [DataRow("filing", "files are not accepted")]
    public void UnsupportedFileType_IsRejected(string name, string message) => Checks.Run("a,b\r\n1,2\r\n", name).AssertRejected(message);

    [TestMethod]
    public void WorkbookNamedCsv_IsRejectedWithTheFix()
    {
        var xlsx = FilingBuilder.Payroll().Row().ToXlsx().Build();

        Checks.Run(xlsx, "payroll.csv").AssertRejected("Rename it to .xlsx");
    }

    [TestMethod]
    public void CsvNamedXlsx_IsRejected() => Checks.Run(FilingBuilder.Payroll().Row().ToCsv(), "payroll.xlsx").AssertRejected("not an XLSX workbook");

    [TestMethod]
    public void DamagedXlsx_IsRejected()
    {
        var xlsx = FilingBuilder.Payroll().Row().ToXlsx().Build();

        Checks.Run(xlsx[..(xlsx.Length / 2)], "cut.xlsx").AssertRejected("not a readable XLSX");
    }

    [TestMethod]
    public void MissingRequiredColumn_IsRejectedNamingIt()
    {
        var report = Checks.Csv(FilingBuilder.Payroll().Without("wage_base").Row()).AssertRejected("wage_base (缴费基数)", "Row 1 must name every column", "add it there");

        Assert.AreEqual("wage_base", report.ErrorColumn);
    }

    [TestMethod]
    public void UnknownKindFromHeader_IsRejectedListingTheKinds() =>
        Checks.Run("name,amount_due\r\nacme,12\r\n").AssertRejected("Cannot tell the kind", "payroll filing has employee_id");

    [TestMethod]
    [DataRow("""{"kind":"invoices","rows":[{}]}""", "Unknown kind \"invoices\"")]
    [DataRow("""{"rows":[{}]}""", "has no \"kind\"")]
    [DataRow("""{"kind":"fees"}""", "no \"rows\" array")]
    [DataRow("""{"kind":"fees","rows":[]}""", "\"rows\" array is empty")]
    [DataRow("""{"kind":"fees","rows":[1]}""", "rows[1] is number")]
    [DataRow("""[1,2]""", "must be one object")]
    [DataRow("""{"kind":"fees","rows":[{"sales":1},""", "malformed")]
    public void BadJson_IsRejectedSayingWhy(string json, string message) => Checks.Run(json, "fees.json").AssertRejected(message);

    [TestMethod]
    public void UnparseableNumber_NamesRowAndColumn()
    {
        var report = Checks.Csv(FilingBuilder.Payroll().Row().Row(("wage_base", "8千"))).AssertRejected("Row 3", "wage_base (缴费基数)", "'8千' is not an amount");

        Assert.AreEqual(3, report.ErrorRow);
        Assert.AreEqual("wage_base", report.ErrorColumn);
        Assert.AreEqual(0, report.Violations.Count);
    }

    [TestMethod]
    public void WrongPeriod_NamesRowAndColumn()
    {
        var report = Checks.Csv(FilingBuilder.Payroll().Row(("period", "2016-13"))).AssertRejected("Row 2", "period (所属期)", "yyyy-MM");

        Assert.AreEqual("period", report.ErrorColumn);
    }

    [TestMethod]
    public void InvalidUscc_NamesRowAndColumn() =>
        Checks.Csv(FilingBuilder.Payroll().Row(("uscc", "91510100A4C12H3B1X"))).AssertRejected("Row 2", "uscc", "should be 'Y'");

    [TestMethod]
    public void DuplicateEmployeeInOnePeriod_NamesBothRows()
    {
        var report = Checks.Csv(FilingBuilder.Payroll().Row(("employee_id", "E7")).Row().Row(("employee_id", "E7"))).AssertRejected("Row 4", "E7 already appears in row 2");

        Assert.AreEqual(4, report.ErrorRow);
    }

    [TestMethod]
    public void SameEmployeeInTwoPeriods_IsFine() =>
        Checks.Csv(FilingBuilder.Payroll().Row(("employee_id", "E7")).Row(("employee_id", "E7"), ("period", "2016-07"))).AssertChecked();

    [TestMethod]
    public void SameEmployeeIdAtTwoEnterprises_IsFine_AndARepeatAfterThemIsFound() =>
        Checks.Csv(FilingBuilder.Payroll()
                .Row(("employee_id", "E7"))
                .Row(("employee_id", "E7"), ("uscc", "91510600G612DD2721"))
                .Row(("employee_id", "E7")))
            .AssertRejected("Row 4", "E7 already appears in row 2");

    [TestMethod]
    public void EveryBadRowIsListed_NotJustTheFirst()
    {
        var report = Checks.Csv(FilingBuilder.Payroll().Row(("wage_base", "x")).Row().Row(("housing_fund_employer_rate", "abc"), ("period", "bad"))).AssertRejected("3 problems in all");

        Assert.AreEqual(3, report.ErrorCount);
        CollectionAssert.AreEqual(new[] { 2, 4, 4 }, report.Errors.Select(e => e.Row).ToArray());
    }

    [TestMethod]
    public void RequiredCellEmpty_IsRowError() =>
        Checks.Csv(FilingBuilder.Payroll().Row(("employee_id", null))).AssertRejected("Row 2", "employee_id (职工编号) is required");

    [TestMethod]
    [DataRow("0", "greater than 0")]
    [DataRow("-100", "greater than 0")]
    public void WageBaseNotPositive_IsRowError(string wage, string message) =>
        Checks.Csv(FilingBuilder.Payroll().Row(("wage_base", wage))).AssertRejected(message);

    [TestMethod]
    public void RateAboveHundred_IsRowError() =>
        Checks.Csv(FilingBuilder.Payroll().Row(("pension_employer_rate", "120"))).AssertRejected("between 0 and 100");

    [TestMethod]
    public void TruncatedQuote_NamesTheLineWhereItStarts()
    {
        var csv = FilingBuilder.Payroll().Row().Row().ToCsv() + "91510100A4C12H3B1Y,2016-06,510100,E9,\"8000,12,12,1,0.5,19\r\n";

        var report = Checks.Run(csv).AssertRejected("Line 4", "never closed");

        Assert.AreEqual(4, report.ErrorRow);
    }

    [TestMethod]
    public void StrayQuoteInsideAField_IsRejected() =>
        Checks.Run("uscc,period,region,employee_id,wage_base\r\n91510100A4C12H3B1Y,2016-06,510100,E\"1,8000\r\n").AssertRejected("Line 2", "double quote");

    [TestMethod]
    public void WrongNumberOfFields_IsRejected() =>
        Checks.Run("uscc,period,region,employee_id,wage_base\r\n91510100A4C12H3B1Y,2016-06,510100,E1,8,000\r\n").AssertRejected("Line 2 has 6 fields but the header has 5", "\"1,234.50\"");

    [TestMethod]
    public void HugeLine_IsRejectedBeforeItFillsMemory()
    {
        var csv = new StringBuilder("uscc,period,region,employee_id,wage_base\r\n");
        csv.Append("91510100A4C12H3B1Y,2016-06,510100,E1,8000\r\n");
        csv.Append(new string('9', 3 * 1024 * 1024)).Append("\r\n");
        var limits = new ReaderLimits { MaxRecordBytes = 1 << 20 };

        var report = new FilingChecker(Checks.Catalog, limits).Check(new MemoryStream(Encoding.UTF8.GetBytes(csv.ToString())), "huge.csv");

        report.AssertRejected("Line 3", "longer than 1024 KiB");
    }

    [TestMethod]
    public void UnclosedQuoteRunningOnForMegabytes_IsRejectedAtItsStart()
    {
        var csv = new StringBuilder("uscc,period,region,employee_id,wage_base\r\n91510100A4C12H3B1Y,2016-06,510100,\"E1,8000\r\n");
        for (var i = 0; i < 60_000; i++)
        {
            csv.Append("91510100A4C12H3B1Y,2016-06,510100,E2,8000\r\n");
        }

        Checks.Run(csv.ToString()).AssertRejected("Line 2", "never closed");
    }

    [TestMethod]
    public void FileThatSwitchesEncodingPartWay_IsRejected()
    {
        var head = Encoding.UTF8.GetBytes(FilingBuilder.Payroll().Row().ToCsv() + new string(' ', 70_000) + "\r\n");
        var tail = TextEncodingDetector.Gb18030.GetBytes("91510100A4C12H3B1Y,2016-06,510100,张三,8000\r\n");

        Checks.Run([.. head, .. tail], "mixed.csv").AssertRejected("not valid UTF-8 text throughout");
    }

    [TestMethod]
    public void Utf16File_IsRejectedWithTheFix() =>
        Checks.Run(Encoding.Unicode.GetPreamble().Concat(Encoding.Unicode.GetBytes("uscc,period\r\n")).ToArray(), "u16.csv").AssertRejected("UTF-16", "CSV UTF-8");

    [TestMethod]
    public void DuplicateColumn_IsRejected() =>
        Checks.Run("uscc,period,region,employee_id,wage_base,所属期\r\n91510100A4C12H3B1Y,2016-06,510100,E1,8000,2016-06\r\n").AssertRejected("appears twice", "column 2 and column 6");

    [TestMethod]
    public void SubmitterMismatch_IsRejected()
    {
        var bytes = Encoding.UTF8.GetBytes(FilingBuilder.Payroll().Row().Row(("uscc", FilingBuilder.OtherUscc)).ToCsv());

        Checks.Run(bytes, "p.csv", new CheckOptions { ExpectedUscc = FilingBuilder.Uscc }).AssertRejected("Row 3", "submitter mismatch");
    }
    // Found by FuzzTests: each of these used to escape as an unhandled exception.
    [TestMethod]
    public void JsonWithBytesThatAreNotUtf8_IsRejectedWithTheFix()
    {
        var json = Encoding.UTF8.GetBytes("{\"kind\": \"payroll\", \"uscc\": \"91510100A4C12H3B1Y\", \"rows\": []}");
        json[json.AsSpan().IndexOf((byte)'9')] = 0xFF;

        Checks.Run(json, "payroll.json").AssertRejected("not valid UTF-8", "Save the file as UTF-8");
    }

    [TestMethod]
    public void JsonRowWithAValueThatIsNotUtf8_NamesTheRowAndField()
    {
        var json = Encoding.UTF8.GetBytes("{\"kind\": \"payroll\", \"rows\": [{\"uscc\": \"91510100A4C12H3B1Y\", \"period\": \"2016-06\", \"region\": \"510100\", \"employee_id\": \"E#1\", \"wage_base\": 8000}]}");
        json[json.AsSpan().IndexOf((byte)'#')] = 0xC3;

        var report = Checks.Run(json, "payroll.json").AssertRejected("Row 1", "employee_id", "not valid UTF-8");
        Assert.AreEqual(1, report.ErrorRow);
    }

    [TestMethod]
    public void XlsxWhoseWorkbookPartIsNotXml_IsRejected()
    {
        var workbook = Rezip(new XlsxBuilder().Row(XlsxCell.Text("uscc")).Build(), "xl/workbook.xml", _ => Encoding.UTF8.GetBytes("<workbook\u0001"));

        Checks.Run(workbook, "fees.xlsx").AssertRejected("The workbook is damaged", "save it again as .xlsx");
    }

    [TestMethod]
    public void XlsxListingASheetItDoesNotContain_IsRejected()
    {
        var workbook = Rezip(new XlsxBuilder().Row(XlsxCell.Text("uscc")).Build(), "xl/_rels/workbook.xml.rels", rels => Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(rels).Replace("Id=\"R", "Id=\"X", StringComparison.Ordinal)));

        Checks.Run(workbook, "fees.xlsx").AssertRejected("has no content");
    }

    [TestMethod]
    [DataRow("payroll.csv")]
    [DataRow("payroll.json")]
    [DataRow("payroll.xlsx")]
    public void FileOverTheSizeLimit_IsRejectedBeforeItIsRead(string name)
    {
        var content = name.EndsWith(".xlsx", StringComparison.Ordinal)
            ? new XlsxBuilder().Row(XlsxCell.Text("uscc")).Build()
            : Encoding.UTF8.GetBytes(name.EndsWith(".json", StringComparison.Ordinal) ? "{\"kind\": \"payroll\", \"rows\": []}" : FilingBuilder.Payroll().Row().ToCsv());
        var limits = new ReaderLimits { MaxFileBytes = content.Length - 1 };

        var report = new FilingChecker(Checks.Catalog, limits).Check(new MemoryStream(content), name);

        report.AssertRejected("filings up to", "Split it");
    }

    [TestMethod]
    public void CsvStreamWithoutALength_IsStoppedAtTheSizeLimit()
    {
        var csv = Encoding.UTF8.GetBytes(FilingBuilder.Payroll().Row().Row().Row().ToCsv());
        var limits = new ReaderLimits { MaxFileBytes = csv.Length - 10, SniffBytes = 64 };

        var report = new FilingChecker(Checks.Catalog, limits).Check(new UnseekableStream(csv), "payroll.csv");

        report.AssertRejected("filings up to");
    }

    [TestMethod]
    public void XlsxThatExpandsBeyondTheLimit_IsRejectedBeforeInflating()
    {
        // A zip bomb in miniature: a sheet padded with white space that compresses to almost nothing.
        var bomb = Rezip(new XlsxBuilder().Row(XlsxCell.Text("uscc")).Build(), "xl/worksheets/sheet1.xml", sheet => [.. sheet, .. new byte[4 << 20].Select(_ => (byte)' ')]);
        Assert.IsLessThan(64 * 1024, bomb.Length);
        var limits = new ReaderLimits { MaxXlsxExpandedBytes = 1 << 20 };

        var report = new FilingChecker(Checks.Catalog, limits).Check(new MemoryStream(bomb), "payroll.xlsx");

        report.AssertRejected("The workbook expands to", "more than the 1 MiB");
    }

    /// <summary>A download without a length, as a network stream arrives.</summary>
    private sealed class UnseekableStream(byte[] content) : MemoryStream(content)
    {
        public override bool CanSeek => false;

        public override long Length => throw new NotSupportedException();
    }

    /// <summary>The workbook with one entry's bytes replaced, as a damaged or hand-edited file arrives.</summary>
    private static byte[] Rezip(byte[] xlsx, string entryName, Func<byte[], byte[]> change)
    {
        using var output = new MemoryStream();
        using (var source = new System.IO.Compression.ZipArchive(new MemoryStream(xlsx), System.IO.Compression.ZipArchiveMode.Read))
        using (var target = new System.IO.Compression.ZipArchive(output, System.IO.Compression.ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var entry in source.Entries)
            {
                using var read = entry.Open();
                using var bytes = new MemoryStream();
                read.CopyTo(bytes);
                var content = entry.FullName == entryName ? change(bytes.ToArray()) : bytes.ToArray();
                using var write = target.CreateEntry(entry.FullName).Open();
                write.Write(content);
            }
        }

        return output.ToArray();
    }
}
