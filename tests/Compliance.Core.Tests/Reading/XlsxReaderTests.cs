using System.Globalization;
using System.IO.Compression;
using System.Text;
using Compliance.Core.Checking;
using Compliance.Core.Reading;
using Compliance.Testing;

namespace Compliance.Core.Tests.Reading;

[TestClass]
public sealed class XlsxReaderTests
{
    [TestMethod]
    public void PercentFormattedCell_ReadsAsThePercentItShows()
    {
        var workbook = FilingBuilder.Payroll().Row(("housing_fund_employer_rate", "0.13")).Row(("housing_fund_employer_rate", "0.12"))
            .ToXlsx(cell: (column, value) => column.EndsWith("_rate", StringComparison.Ordinal) ? XlsxCell.Percent(decimal.Parse(value!, System.Globalization.CultureInfo.InvariantCulture) / (column == "housing_fund_employer_rate" ? 1 : 100)) : XlsxCell.Auto(value));

        var report = Checks.Xlsx(workbook).AssertChecked();

        var violation = report.Violations.Single();
        Assert.AreEqual(2, violation.Row, "sheet row 2");
        Assert.AreEqual(13m, violation.Observed);
    }

    [TestMethod]
    public void PlainNumberCell_IsAPercentAsTyped()
    {
        var report = Checks.Xlsx(FilingBuilder.Payroll().Row(("pension_employer_rate", "21")).ToXlsx()).AssertChecked();

        CollectionAssert.AreEqual(new[] { "PENSION-EMPLOYER-CAP@2:pension_employer_rate" }, report.Findings());
    }

    [TestMethod]
    public void CustomPercentFormatAndFloatingPointNoise_AreHandled()
    {
        var workbook = new XlsxBuilder()
            .Row(XlsxCell.Text("uscc"), XlsxCell.Text("period"), XlsxCell.Text("region"), XlsxCell.Text("employee_id"), XlsxCell.Text("wage_base"), XlsxCell.Text("housing_fund_employer_rate"), XlsxCell.Text("housing_fund_employee_rate"))
            .Row(XlsxCell.Text(FilingBuilder.Uscc), XlsxCell.Text("2016-06"), XlsxCell.Number(510100), XlsxCell.Text("E1"), XlsxCell.Number(8000), XlsxCell.Raw("0.12000000000000001", XlsxCell.PercentStyle), XlsxCell.Percent(0.125m, custom: true));

        var report = Checks.Xlsx(workbook).AssertChecked();

        CollectionAssert.AreEqual(new[] { "HF-RATE-CAP@2:housing_fund_employee_rate" }, report.Findings(), "12.000000000000001% is Excel's 12%; 0.125 in 0.0% is 12.5%");
    }

    [TestMethod]
    public void DateFormattedPeriodCell_IsTheMonth()
    {
        var workbook = FilingBuilder.Payroll().Row(("housing_fund_employer_rate", "13"))
            .ToXlsx(cell: (column, value) => column == "period" ? XlsxCell.Date(new DateTime(2016, 4, 1)) : XlsxCell.Auto(value));

        var report = Checks.Xlsx(workbook).AssertChecked();

        CollectionAssert.AreEqual(new[] { "2016-04" }, report.Periods.ToArray());
        Assert.AreEqual(0, report.Violations.Count, "April 2016 is before the housing fund cap");
    }

    [TestMethod]
    public void SheetNamedAfterTheKind_IsChosenOverTheFirst()
    {
        var workbook = FilingBuilder.Fees().Row(("sales", "80000"), ("education_surcharge", "100")).ToXlsx("fees")
            .SheetBefore("说明", [XlsxCell.Text("本表为税费申报")]);

        var report = Checks.Xlsx(workbook).AssertChecked();

        Assert.AreEqual("fees", report.Kind);
        Assert.AreEqual(1, report.Violations.Count);
    }

    [TestMethod]
    public void ErrorCell_IsRejectedNamingTheCell()
    {
        var workbook = FilingBuilder.Payroll().Row()
            .ToXlsx(cell: (column, value) => column == "wage_base" ? XlsxCell.Error("#DIV/0!") : XlsxCell.Auto(value));

        Checks.Xlsx(workbook).AssertRejected("cell E2", "#DIV/0!");
    }
    [TestMethod]
    public void StreamFailingWhileTheSheetIsRead_IsAnIoErrorToRetry_NotADamagedWorkbook()
    {
        var filing = FilingBuilder.Payroll();
        for (var i = 1; i <= 3_000; i++)
        {
            filing.Row(("employee_id", $"E{i:D5}"));
        }

        var workbook = filing.ToXlsx().Build();
        var whole = new ReadCountingStream(new MemoryStream(workbook));
        using (var report = new FilingChecker(Checks.Catalog).Check(whole, "payroll.xlsx"))
        {
            report.AssertChecked();
        }

        // The sheet is the last and largest part read: the connection drops in its middle, after the header and many rows.
        var dropped = new ReadCountingStream(new MemoryStream(workbook), failAfter: whole.BytesRead - (workbook.Length / 2));
        Assert.ThrowsExactly<IOException>(() => new FilingChecker(Checks.Catalog).Check(dropped, "payroll.xlsx").Dispose());
    }

    [TestMethod]
    public void SharedStringsPastTheMemoryBound_AreReadFromDisk_WithTheSameReport()
    {
        var filing = FilingBuilder.Payroll();
        for (var i = 1; i <= 60; i++)
        {
            filing.Row(("employee_id", $"员工{i:D3}"), ("housing_fund_employer_rate", i % 7 == 0 ? "13" : "12"));
        }

        var workbook = filing.ToXlsx().Build();
        using var inMemory = new FilingChecker(Checks.Catalog).Check(new MemoryStream(workbook), "payroll.xlsx");
        using var onDisk = new FilingChecker(Checks.Catalog, new ReaderLimits { MaxSharedStringChars = 40 }).Check(new MemoryStream(workbook), "payroll.xlsx");

        Assert.AreEqual(8, inMemory.AssertChecked().Violations.Count);
        Assert.AreEqual(ReportJson.ToJson([inMemory]), ReportJson.ToJson([onDisk]));
        StringAssert.Contains(ReportJson.ToJson([onDisk]), "员工056");
    }

    [TestMethod]
    public void SheetXmlAsOtherWritersSaveIt_IsReadAsExcelShowsIt()
    {
        // A namespace prefix, a cell skipped (no G2: the optional pension rate), a formula before its cached value,
        // rich text with a phonetic guide, an escaped ampersand, a CDATA section, and past the header a boolean
        // and an empty styled cell.
        const string Header = """<x:row r="1"><x:c r="A1" t="inlineStr"><x:is><x:t>uscc</x:t></x:is></x:c><x:c r="B1" t="inlineStr"><x:is><x:t>period</x:t></x:is></x:c><x:c r="C1" t="inlineStr"><x:is><x:t>region</x:t></x:is></x:c><x:c r="D1" t="inlineStr"><x:is><x:r><x:rPr><x:b/></x:rPr><x:t>employee</x:t></x:r><x:r><x:t>_id</x:t></x:r><x:rPh sb="0" eb="1"><x:t>ふりがな</x:t></x:rPh></x:is></x:c><x:c r="E1" t="inlineStr"><x:is><x:t>wage_base</x:t></x:is></x:c><x:c r="F1" t="inlineStr"><x:is><x:t><![CDATA[housing_fund_employer_rate]]></x:t></x:is></x:c><x:c r="G1" t="inlineStr"><x:is><x:t>pension_employer_rate</x:t></x:is></x:c></x:row>""";
        var rows = $"""<x:row r="2"><x:c r="A2" t="str"><x:f>UPPER("{FilingBuilder.Uscc.ToLowerInvariant()}")</x:f><x:v>{FilingBuilder.Uscc}</x:v></x:c><x:c r="B2" t="inlineStr"><x:is><x:t>2016-06</x:t></x:is></x:c><x:c r="C2"><x:v>510104</x:v></x:c><x:c r="D2" t="inlineStr"><x:is><x:t>R&amp;D-01</x:t></x:is></x:c><x:c r="E2"><x:f>4000*2</x:f><x:v>8000</x:v></x:c><x:c r="F2"><x:v>13</x:v></x:c><x:c r="H2" t="b"><x:v>0</x:v></x:c><x:c r="I2" s="0"/></x:row>""";
        var workbook = Workbook($"""<?xml version="1.0" encoding="UTF-8"?><x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData>{Header}{rows}</x:sheetData></x:worksheet>""");

        var report = Checks.Run(workbook, "payroll.xlsx").AssertChecked();

        var violation = report.Violations.Single();
        Assert.AreEqual("HF-RATE-CAP", violation.Rule);
        Assert.AreEqual("R&D-01", violation.EmployeeId, "rich text runs joined, the phonetic guide left out, the entity resolved");
        Assert.AreEqual(FilingBuilder.Uscc, violation.Uscc, "a formula's cached value");
        CollectionAssert.AreEqual(new[] { "510104" }, report.Regions.ToArray());
        Assert.AreEqual(1, report.Rules.Single(r => r.Rule == "PENSION-EMPLOYER-CAP").NotApplicable, "the skipped cell is empty, not the next one's value");
    }

    [TestMethod]
    public void PlainlyWrittenNumber_IsTakenAsItStands_OnlyWhereG15WouldPrintTheSame()
    {
        string[] plain = ["0", "-0", "12", "0.5", "-0.5", "12.75", "0.0001", "123456789012345", "1.23456789012345", "99999.9999999999"];
        string[] notPlain = ["0.00001", "012", "1.50", "1.", ".5", "1e3", "1E-05", "1234567890123456", "0.30000000000000004", "+1", "1,000", "", "-"];
        var random = new Random(20160601);
        var generated = Enumerable.Range(0, 20_000).Select(_ => Math.Round((decimal)((random.NextDouble() - 0.2) * Math.Pow(10, random.Next(-6, 16))), random.Next(0, 12)).ToString(CultureInfo.InvariantCulture));

        foreach (var text in plain)
        {
            Assert.IsTrue(XlsxFilingSource.IsPlainDecimal(text), text);
        }

        foreach (var text in notPlain)
        {
            Assert.IsFalse(XlsxFilingSource.IsPlainDecimal(text), text);
        }

        var taken = 0;
        foreach (var text in plain.Concat(notPlain).Concat(generated))
        {
            if (XlsxFilingSource.IsPlainDecimal(text))
            {
                taken++;
                Assert.AreEqual(double.Parse(text, CultureInfo.InvariantCulture).ToString("G15", CultureInfo.InvariantCulture), text);
            }
        }

        Assert.IsGreaterThan(5_000, taken, "most generated numbers take the short way");
    }

    /// <summary>A one-sheet workbook around hand-written sheet XML, parts named as Excel names them.</summary>
    private static byte[] Workbook(string sheetXml)
    {
        using var output = new MemoryStream();
        using (var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            void Part(string name, string xml)
            {
                using var writer = new StreamWriter(zip.CreateEntry(name).Open(), new UTF8Encoding(false));
                writer.Write(xml);
            }

            Part("[Content_Types].xml", """<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>""");
            Part("_rels/.rels", """<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>""");
            Part("xl/workbook.xml", """<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>""");
            Part("xl/_rels/workbook.xml.rels", """<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>""");
            Part("xl/worksheets/sheet1.xml", sheetXml);
        }

        return output.ToArray();
    }
}
