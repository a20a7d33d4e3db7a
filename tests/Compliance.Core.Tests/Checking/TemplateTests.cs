using System.Text;
using Compliance.Core.Checking;
using Compliance.Core.Filings;
using Compliance.Core.Reading;
using Compliance.Core.Templates;
using Compliance.Testing;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;

namespace Compliance.Core.Tests.Checking;

/// <summary>The templates an accountant downloads: generated from the schema, and a filled one checks clean.</summary>
[TestClass]
public sealed class TemplateTests
{
    public static IEnumerable<object[]> KindsAndFormats =>
        FilingBuilder.AllKinds.Keys.SelectMany(kind => Enum.GetValues<TemplateFormat>().Select(format => new object[] { kind, format }));

    [TestMethod]
    [DynamicData(nameof(KindsAndFormats))]
    public void AFilledTemplate_IsCheckedWithNoWarningsAndNoViolations(string kindName, TemplateFormat format)
    {
        Assert.IsTrue(FilingKindNames.TryParse(kindName, out var kind));
        var rows = FilingBuilder.AllKinds[kindName]().Row().Row().Row().Rows;
        using var template = new MemoryStream();
        FilingTemplates.Write(kind, format, Checks.Catalog, template);

        var filled = format == TemplateFormat.Xlsx ? FillXlsx(template, kind, rows) : FillCsv(template, kind, rows, format);
        using var report = Checks.Run(filled, FilingTemplates.FileName(kind, format));

        report.AssertChecked();
        Assert.AreEqual(kindName, report.Kind);
        Assert.AreEqual((3, 0, 0), (report.Rows, report.WarningCount, report.Violations.Count), string.Join("; ", report.Warnings.Select(w => w.Message)));
    }

    [TestMethod]
    public void XlsxTemplate_HasChineseFrozenHeaders_ValidationAndInstructions()
    {
        using var template = new MemoryStream();
        FilingTemplates.Write(FilingKind.Payroll, TemplateFormat.Xlsx, Checks.Catalog, template);

        using var document = SpreadsheetDocument.Open(template, isEditable: false);
        var workbook = document.WorkbookPart!;
        var sheets = workbook.Workbook.Sheets!.Elements<Sheet>().ToList();
        CollectionAssert.AreEqual(new[] { "payroll", FilingTemplates.InstructionsSheet }, sheets.Select(s => s.Name!.Value).ToArray());
        var data = (WorksheetPart)workbook.GetPartById(sheets[0].Id!);
        CollectionAssert.AreEqual(FilingSchema.Payroll.Columns.Select(c => c.ChineseName).ToArray(), Texts(workbook, data.Worksheet.Descendants<Row>().First()), "row 1: the contract's Chinese names, in its order");
        var pane = data.Worksheet.Descendants<Pane>().Single();
        Assert.AreEqual((1d, "A2", PaneStateValues.Frozen), (pane.VerticalSplit!.Value, pane.TopLeftCell!.Value, pane.State!.Value));
        var validations = data.Worksheet.Descendants<DataValidation>().ToList();
        var rateColumns = FilingSchema.Payroll.Columns.Count(c => c.Type == ColumnType.Rate);
        Assert.AreEqual(rateColumns, validations.Count(v => v.Type!.Value == DataValidationValues.Decimal && v.Operator!.Value == DataValidationOperatorValues.Between), "every rate column is 0–100");
        Assert.IsTrue(validations.Any(v => v.Type!.Value == DataValidationValues.Decimal && v.Operator!.Value == DataValidationOperatorValues.GreaterThanOrEqual), "amounts are 0 or more");

        var help = (WorksheetPart)workbook.GetPartById(sheets[1].Id!);
        var lines = help.Worksheet.Descendants<Row>().Select(r => string.Join(" | ", Texts(workbook, r))).ToList();
        Assert.IsTrue(lines.Any(l => l.StartsWith("住房公积金单位缴存比例 | housing_fund_employer_rate", StringComparison.Ordinal) && l.Contains("12 表示 12%", StringComparison.Ordinal)), string.Join(Environment.NewLine, lines));
        Assert.IsTrue(lines.Any(l => l.StartsWith("职工编号 | employee_id", StringComparison.Ordinal) && l.EndsWith("必填 required", StringComparison.Ordinal)));
        Assert.IsTrue(lines.Any(l => l.StartsWith("HF-RATE-CAP", StringComparison.Ordinal) && l.Contains("国发〔2016〕48号 (二十)", StringComparison.Ordinal)), "the limits in force with their clause");
    }

    [TestMethod]
    public void CsvTemplates_AreTheChineseHeaderRowInTheirEncoding()
    {
        using var utf8 = new MemoryStream();
        using var gb = new MemoryStream();
        FilingTemplates.Write(FilingKind.Fees, TemplateFormat.CsvUtf8, Checks.Catalog, utf8);
        FilingTemplates.Write(FilingKind.Fees, TemplateFormat.CsvGb18030, Checks.Catalog, gb);

        var header = string.Join(',', FilingSchema.Fees.Columns.Select(c => c.ChineseName)) + "\r\n";
        CollectionAssert.AreEqual(new byte[] { 0xEF, 0xBB, 0xBF }.Concat(Encoding.UTF8.GetBytes(header)).ToArray(), utf8.ToArray(), "UTF-8 with the BOM Excel needs");
        CollectionAssert.AreEqual(TextEncodingDetector.Gb18030.GetBytes(header), gb.ToArray(), "GB18030 without a BOM, as Excel on Chinese Windows saves it");
    }

    private static byte[] FillCsv(MemoryStream template, FilingKind kind, IReadOnlyList<IReadOnlyDictionary<string, string?>> rows, TemplateFormat format)
    {
        var encoding = format == TemplateFormat.CsvGb18030 ? TextEncodingDetector.Gb18030 : new UTF8Encoding(false);
        var fields = FilingTemplates.Columns(kind).Select(c => c.Field).ToList();
        var body = string.Concat(rows.Select(row => string.Join(',', fields.Select(f => row.GetValueOrDefault(f) ?? string.Empty)) + "\r\n"));
        return [.. template.ToArray(), .. encoding.GetBytes(body)];
    }

    private static byte[] FillXlsx(MemoryStream template, FilingKind kind, IReadOnlyList<IReadOnlyDictionary<string, string?>> rows) =>
        XlsxTemplate.Fill(template.ToArray(), kind.ToContractName(), [.. FilingTemplates.Columns(kind).Select(c => c.Field)], rows);

    private static string[] Texts(WorkbookPart workbook, Row row)
    {
        var shared = workbook.SharedStringTablePart!.SharedStringTable.Elements<SharedStringItem>().ToList();
        return [.. row.Elements<Cell>().Select(c => shared[int.Parse(c.CellValue!.Text, System.Globalization.CultureInfo.InvariantCulture)].InnerText)];
    }
}
