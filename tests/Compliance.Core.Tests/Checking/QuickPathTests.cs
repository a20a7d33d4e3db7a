using System.Globalization;
using System.Text;
using Compliance.Core.Checking;
using Compliance.Core.Policies;

namespace Compliance.Core.Tests.Checking;

/// <summary>
/// The checker decides clear cases in doubles and near misses in decimals. Here thousands of rows sit on,
/// just inside and just outside the limits, and every verdict is compared with the limit worked out in
/// decimals alone, as docs/rules.md states it.
/// </summary>
[TestClass]
public sealed class QuickPathTests
{
    private static readonly decimal[] Deltas = [-1m, -0.02m, -0.011m, -0.01m, -0.005m, 0m, 0.005m, 0.009m, 0.01m, 0.011m, 0.02m, 1m];

    [TestMethod]
    public void RatesAndAmountsAtTheLimits_AreJudgedExactlyAsInDecimals()
    {
        var random = new Random(2016);
        var csv = new StringBuilder("uscc,period,region,employee_id,wage_base,housing_fund_employer_rate,housing_fund_employee_rate,housing_fund_employer_amount,housing_fund_employee_amount,unemployment_employer_rate,unemployment_employee_rate,unemployment_employer_amount,unemployment_employee_amount\n");
        var expected = new HashSet<(int Row, string Rule)>();
        for (var i = 0; i < 5000; i++)
        {
            var row = i + 2;
            var wage = Math.Round((decimal)random.Next(100_000, 5_000_000) / 100m, random.Next(3));
            decimal[] housingRates = [11.99m, 12m, 12.01m, 5m, 12.5m];
            var hfEmployer = housingRates[random.Next(housingRates.Length)];
            var hfEmployee = housingRates[random.Next(housingRates.Length)];
            var hfEmployerPaid = Paid(wage, hfEmployer, random);
            var hfEmployeePaid = Paid(wage, hfEmployee, random);
            decimal[] employerRates = [0.5m, 0.8m, 1m, 1.2m];
            decimal[] employeeRates = [0m, 0.2m, 0.3m, 0.5m];
            var uiEmployer = employerRates[random.Next(employerRates.Length)];
            var uiEmployee = employeeRates[random.Next(employeeRates.Length)];
            var uiEmployerPaid = random.Next(3) == 0 ? (decimal?)null : Paid(wage, uiEmployer, random);
            var uiEmployeePaid = random.Next(3) == 0 ? (decimal?)null : Paid(wage, uiEmployee, random);

            // HF-RATE-CAP: each component, declared above 12%, else paid above 12% of the wage by more than a fen.
            if (Ceiling(wage, hfEmployer, hfEmployerPaid, 12m) || Ceiling(wage, hfEmployee, hfEmployeePaid, 12m))
            {
                expected.Add((row, "HF-RATE-CAP"));
            }

            // UI-TOTAL-RANGE: declared total within [1, 1.5]; then, if anything was paid, the paid total (declared
            // share where no amount) within the range of the wage, give or take a fen.
            var declaredTotal = uiEmployer + uiEmployee;
            var paidTotal = (uiEmployerPaid ?? (wage * uiEmployer / 100m)) + (uiEmployeePaid ?? (wage * uiEmployee / 100m));
            if (declaredTotal is < 1m or > 1.5m
                || ((uiEmployerPaid ?? uiEmployeePaid) is not null && (paidTotal < (wage * 0.01m) - 0.01m || paidTotal > (wage * 0.015m) + 0.01m)))
            {
                expected.Add((row, "UI-TOTAL-RANGE"));
            }

            csv.Append(CultureInfo.InvariantCulture, $"91510100A4C12H3B1Y,2016-06,510100,E{i:D5},{wage},{hfEmployer},{hfEmployee},{hfEmployerPaid},{hfEmployeePaid},{uiEmployer},{uiEmployee},{uiEmployerPaid},{uiEmployeePaid}\n");
        }

        using var content = new MemoryStream(Encoding.UTF8.GetBytes(csv.ToString()));
        using var report = new FilingChecker(PolicyCatalog.LoadEmbedded()).Check(content, "limits.csv");

        Assert.AreEqual(FilingStatus.Checked, report.Status, report.Error);
        var found = report.Violations.Where(v => v.Rule is "HF-RATE-CAP" or "UI-TOTAL-RANGE").Select(v => (v.Row, v.Rule)).ToHashSet();
        Assert.IsGreaterThan(500, expected.Count, "the sample should break the limits often");
        Assert.IsTrue(found.SetEquals(expected), $"{found.Except(expected).Count()} reported but not expected, {expected.Except(found).Count()} expected but not reported; first: {found.Except(expected).Concat(expected.Except(found)).FirstOrDefault()}");
    }

    private static decimal Paid(decimal wage, decimal rate, Random random) =>
        Math.Round(wage * rate / 100m, 2) + Deltas[random.Next(Deltas.Length)] is var paid && paid >= 0 ? paid : 0m;

    private static bool Ceiling(decimal wage, decimal declared, decimal paid, decimal max) =>
        declared > max || paid - (wage * max / 100m) > 0.01m;
}
