using Compliance.Testing;

namespace Compliance.Core.Tests.Reading;

[TestClass]
public sealed class JsonReaderTests
{
    [TestMethod]
    public void HeaderFields_ApplyToEveryRow()
    {
        var report = Checks.Json(FilingBuilder.Fees().Row(("sales", "80000"), ("education_surcharge", "10")).Row(("sales", "90000")), "uscc", "period", "region").AssertChecked();

        Assert.AreEqual(2, report.Rows);
        var violation = report.Violations.Single();
        Assert.AreEqual(1, violation.Row, "JSON rows are numbered from 1");
        Assert.AreEqual(FilingBuilder.Uscc, violation.Uscc);
        Assert.AreEqual("2016-06", violation.Period);
    }

    [TestMethod]
    public void RowValue_OverridesTheHeaderField()
    {
        const string json = """
            {"kind": "fee_items", "uscc": "91510100A4C12H3B1Y", "period": "2016-09", "region": "510100",
             "rows": [ {"item": "价格调节基金", "amount": 10, "period": "2016-07"}, {"item": "价格调节基金", "amount": 10} ]}
            """;

        var report = Checks.Run(json, "items.json").AssertChecked();

        CollectionAssert.AreEqual(new[] { "FEE-ABOLISHED@2:amount" }, report.Findings(), "row 1 is July 2016, before the rule");
    }

    [TestMethod]
    public void HeaderFieldsAfterRows_StillApply()
    {
        // Serialisers that sort keys write "rows" before "uscc".
        const string json = """{"kind":"payroll","period":"2016-06","region":"510100","rows":[{"employee_id":"E1","wage_base":8000,"housing_fund_employer_rate":"13%"}],"uscc":"91510100A4C12H3B1Y"}""";

        var report = Checks.Run(json, "sorted.json").AssertChecked();

        Assert.AreEqual(FilingBuilder.Uscc, report.Violations.Single().Uscc);
    }

    [TestMethod]
    public void NumbersStringsAndBooleans_AreAllAccepted()
    {
        const string json = """{"kind":"fees","uscc":"91510100A4C12H3B1Y","period":"201606","region":"510100","rows":[{"sales":"１２０，０００","exemption_claimed":true}]}""";

        var report = Checks.Run(json, "fees.json").AssertChecked();

        CollectionAssert.AreEqual(new[] { "SURCHARGE-EXEMPT-INELIGIBLE@1:sales" }, report.Findings());
    }

    [TestMethod]
    public void ManyRows_StreamThroughASmallBuffer()
    {
        var filing = FilingBuilder.Payroll();
        for (var i = 0; i < 5_000; i++)
        {
            filing.Row(("housing_fund_employee_rate", i == 4_321 ? "12.5" : "12"));
        }

        var report = Checks.Json(filing, "uscc", "period", "region").AssertChecked();

        Assert.AreEqual(5_000, report.Rows);
        Assert.AreEqual(4_322, report.Violations.Single().Row);
    }
}
