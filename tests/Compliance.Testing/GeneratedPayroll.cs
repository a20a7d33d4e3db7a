using System.Globalization;
using System.Text;

namespace Compliance.Testing;

/// <summary>
/// The generated payroll filings the fault scenarios, the re-check tests and the re-check benchmark run: filing
/// <c>i</c> is from one of four Sichuan enterprises, has 4–9 rows over June and July 2016, and its first <c>i % 5</c>
/// rows declare 15% housing fund (the rest 12%, within the cap as the embedded catalog has it).
/// </summary>
public static class GeneratedPayroll
{
    public static IReadOnlyList<string> Submitters { get; } = ["91510100A4C12H3B1Y", "91510600G612DD2721", "91510100MA6CUB2L8Y", "91510104MA61W8K3XE"];

    public static string SubmitterOf(int i) => Submitters[i % Submitters.Count];

    public static byte[] Csv(int i)
    {
        var uscc = SubmitterOf(i);
        var csv = new StringBuilder("uscc,period,region,employee_id,wage_base,pension_employer_rate,unemployment_employer_rate,unemployment_employee_rate,housing_fund_employer_rate,housing_fund_employee_rate\r\n");
        for (var r = 0; r < 4 + (i % 6); r++)
        {
            var period = r % 2 == 0 ? "2016-06" : "2016-07";
            var housingFund = r < i % 5 ? "15" : "12";
            csv.Append(CultureInfo.InvariantCulture, $"{uscc},{period},510100,E{r:D4},8000,19,1,0.5,{housingFund},12\r\n");
        }

        return Encoding.UTF8.GetBytes(csv.ToString());
    }
}
