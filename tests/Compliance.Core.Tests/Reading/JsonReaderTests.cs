using System.Text;
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
    [TestMethod]
    public void RowsOverManyBuffers_InAnyKeyOrder_ReadAsTheSameFilingInCsv()
    {
        // The same 3,000 rows as CSV and as JSON whose rows shuffle their keys, escape some names and values,
        // and now and then carry a 100 KB note (an unknown field) so a row straddles the reader's buffers.
        var random = new Random(20160601);
        var columns = new[] { "uscc", "period", "region", "employee_id", "wage_base", "pension_employer_rate", "housing_fund_employer_rate", "housing_fund_employee_rate" };
        var csv = new StringBuilder(string.Join(',', columns)).Append("\r\n");
        var json = new StringBuilder("""{"kind":"payroll","rows":[""");
        for (var row = 1; row <= 3_000; row++)
        {
            string[] values = [FilingBuilder.Uscc, "2016-06", "510100", $"员工-{row:D5}", "8000", row % 41 == 0 ? "21" : "19", row % 37 == 0 ? "12.50" : "12", "12"];
            csv.AppendJoin(',', values).Append("\r\n");
            var fields = columns.Select((c, i) => (Name: c, Value: values[i])).OrderBy(_ => random.Next()).Select(f =>
            {
                var name = f.Name == "region" && random.Next(3) == 0 ? "\\u0072egion" : f.Name;
                var value = f.Name is "wage_base" or "pension_employer_rate" or "housing_fund_employer_rate" ? f.Value
                    : f.Name == "employee_id" && random.Next(2) == 0 ? $"\"\\u5458\\u5DE5-{row:D5}\"" : $"\"{f.Value}\"";
                return $"\"{name}\":{value}";
            }).ToList();
            if (row % 500 == 0)
            {
                fields.Insert(random.Next(fields.Count), $"\"note\":\"{new string('x', 100_000)}\"");
            }

            json.Append(row > 1 ? "," : string.Empty).Append('{').AppendJoin(',', fields).Append('}');
        }

        json.Append("]}");

        var fromCsv = Checks.Run(csv.ToString(), "payroll.csv").AssertChecked();
        var fromJson = Checks.Run(json.ToString(), "payroll.json").AssertChecked();

        Assert.AreEqual(3_000, fromJson.Rows);
        Assert.AreEqual(73 + 81, fromJson.Violations.Count, "21% pension on every 41st row, 12.5% housing fund on every 37th");
        CollectionAssert.AreEqual(
            fromCsv.Violations.Select(v => $"{v.Rule}@{v.Row - 1}:{v.EmployeeId}:{v.Observed}").ToList(),
            fromJson.Violations.Select(v => $"{v.Rule}@{v.Row}:{v.EmployeeId}:{v.Observed}").ToList(),
            "CSV line n + 1 is JSON row n");
        Assert.AreEqual(1, fromJson.WarningCount, "the unknown note field is reported once");
    }
}
