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
}
