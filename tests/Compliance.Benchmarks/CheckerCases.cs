using Compliance.Core.Checking;
using Compliance.Core.Policies;
using CsvHelper;
using nietras.SeparatedValues;
using RulesEngine.Models;

namespace Compliance.Benchmarks;

/// <summary>One way of checking a payroll file; returns how many rows break a limit.</summary>
public delegate int CheckCase(string path);

/// <summary>
/// The cases measured side by side. Each reads the whole file from disk and counts violating rows, so a
/// case that skipped work would be caught by a wrong count before its speed means anything.
/// </summary>
public static class CheckerCases
{
    private static readonly FilingChecker Checker = new(PolicyCatalog.LoadEmbedded());

    /// <summary>
    /// The practical floor: Sep's parser and the five limits written inline, numbers as <see cref="decimal"/>
    /// like the real checker (money is never binary floating point here). No messages, no clauses, no
    /// validation of identifiers, periods or amounts.
    /// </summary>
    public static int SepBaseline(string path)
    {
        using var reader = Sep.Reader(o => o with { Unescape = true }).FromFile(path);
        var header = reader.Header;
        int pension = header.IndexOf("pension_employer_rate"), uiEmployer = header.IndexOf("unemployment_employer_rate"),
            uiEmployee = header.IndexOf("unemployment_employee_rate"), hfEmployer = header.IndexOf("housing_fund_employer_rate"),
            hfEmployee = header.IndexOf("housing_fund_employee_rate");
        var violating = 0;
        foreach (var row in reader)
        {
            var ui = row[uiEmployer].Parse<decimal>() + row[uiEmployee].Parse<decimal>();
            if (row[pension].Parse<decimal>() > 20m || ui < 1m || ui > 1.5m || row[uiEmployee].Parse<decimal>() > 0.5m
                || row[hfEmployer].Parse<decimal>() > 12m || row[hfEmployee].Parse<decimal>() > 12m)
            {
                violating++;
            }
        }

        return violating;
    }

    /// <summary>The product: the same <see cref="FilingChecker"/> call the <c>compliance check</c> command makes, on every core.</summary>
    public static int Check(string path) => Check(path, CheckOptions.Default);

    /// <summary>The product held to the calling thread.</summary>
    public static int CheckOneThread(string path) => Check(path, OneThread);

    private static readonly CheckOptions OneThread = new() { MaxDegreeOfParallelism = 1 };

    private static int Check(string path, CheckOptions options)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        using var report = Checker.Check(stream, Path.GetFileName(path), options);
        if (report.Status != FilingStatus.Checked)
        {
            throw new InvalidOperationException($"The checker rejected {path}: {report.Error}");
        }

        var rows = new HashSet<int>();
        foreach (var violation in report.Violations)
        {
            rows.Add(violation.Row);
        }

        return rows.Count;
    }

    /// <summary>
    /// What many teams would write first: CsvHelper's typed records and a LINQ predicate. CsvHelper 34 (the
    /// version served here) parses UTF-8 with SIMD and maps records with generated code.
    /// </summary>
    public static int CsvHelperLinq(string path)
    {
        using var csv = CsvReader.FromFile(path);
        return csv.GetRecords<PayrollRow>().Count(r =>
            r.PensionEmployerRate > 20m
            || r.UnemploymentEmployerRate + r.UnemploymentEmployeeRate < 1m
            || r.UnemploymentEmployerRate + r.UnemploymentEmployeeRate > 1.5m
            || r.UnemploymentEmployeeRate > 0.5m
            || r.HousingFundEmployerRate > 12m
            || r.HousingFundEmployeeRate > 12m);
    }

    /// <summary>
    /// Microsoft RulesEngine with the same limits as expressions, one workflow evaluated per row: the "rules
    /// as data" product a team might pick instead of code. Rows are read with Sep so only the engine differs.
    /// </summary>
    public static int RulesEngine(string path)
    {
        var engine = RulesEngineFor();
        using var reader = Sep.Reader(o => o with { Unescape = true }).FromFile(path);
        var violating = 0;
        foreach (var row in reader)
        {
            var payroll = new PayrollRow
            {
                PensionEmployerRate = row["pension_employer_rate"].Parse<decimal>(),
                UnemploymentEmployerRate = row["unemployment_employer_rate"].Parse<decimal>(),
                UnemploymentEmployeeRate = row["unemployment_employee_rate"].Parse<decimal>(),
                HousingFundEmployerRate = row["housing_fund_employer_rate"].Parse<decimal>(),
                HousingFundEmployeeRate = row["housing_fund_employee_rate"].Parse<decimal>(),
            };
            var results = engine.ExecuteAllRulesAsync("payroll", payroll).GetAwaiter().GetResult();
            if (results.Exists(r => !r.IsSuccess))
            {
                violating++;
            }
        }

        return violating;
    }

    /// <summary>
    /// RulesEngine as its own README feeds it: each row an <see cref="System.Dynamic.ExpandoObject"/> (a filing's
    /// columns vary, so a generic checker cannot compile one type per layout). The engine types every input
    /// itself before evaluating. Shown beside the typed case, not instead of it.
    /// </summary>
    public static int RulesEngineDynamic(string path)
    {
        var engine = RulesEngineFor("input1.pension_employer_rate", "input1.unemployment_employer_rate", "input1.unemployment_employee_rate", "input1.housing_fund_employer_rate", "input1.housing_fund_employee_rate");
        using var reader = Sep.Reader(o => o with { Unescape = true }).FromFile(path);
        var violating = 0;
        foreach (var row in reader)
        {
            IDictionary<string, object?> payroll = new System.Dynamic.ExpandoObject();
            foreach (var column in SyntheticPayroll.Columns)
            {
                payroll[column] = column is "uscc" or "period" or "region" or "employee_id" ? row[column].ToString() : row[column].Parse<decimal>();
            }

            var results = engine.ExecuteAllRulesAsync("payroll", payroll).GetAwaiter().GetResult();
            if (results.Exists(r => !r.IsSuccess))
            {
                violating++;
            }
        }

        return violating;
    }

    private static RulesEngine.RulesEngine RulesEngineFor(
        string pension = "input1.PensionEmployerRate",
        string uiEmployer = "input1.UnemploymentEmployerRate",
        string uiEmployee = "input1.UnemploymentEmployeeRate",
        string hfEmployer = "input1.HousingFundEmployerRate",
        string hfEmployee = "input1.HousingFundEmployeeRate")
    {
        Rule Limit(string name, string expression) => new() { RuleName = name, Expression = expression, RuleExpressionType = RuleExpressionType.LambdaExpression };
        var workflow = new Workflow
        {
            WorkflowName = "payroll",
            Rules =
            [
                Limit("PENSION-EMPLOYER-CAP", $"{pension} <= 20"),
                Limit("UI-TOTAL-RANGE", $"{uiEmployer} + {uiEmployee} >= 1 && {uiEmployer} + {uiEmployee} <= 1.5"),
                Limit("UI-EMPLOYEE-CAP", $"{uiEmployee} <= 0.5"),
                Limit("HF-RATE-CAP", $"{hfEmployer} <= 12 && {hfEmployee} <= 12"),
            ],
        };
        return new RulesEngine.RulesEngine([workflow], new ReSettings());
    }
}

/// <summary>The payroll columns the limits read, typed for CsvHelper (its source-generated mapper) and RulesEngine.</summary>
[CsvRecord]
public sealed partial class PayrollRow
{
    [CsvColumn("pension_employer_rate")]
    public decimal PensionEmployerRate { get; set; }

    [CsvColumn("unemployment_employer_rate")]
    public decimal UnemploymentEmployerRate { get; set; }

    [CsvColumn("unemployment_employee_rate")]
    public decimal UnemploymentEmployeeRate { get; set; }

    [CsvColumn("housing_fund_employer_rate")]
    public decimal HousingFundEmployerRate { get; set; }

    [CsvColumn("housing_fund_employee_rate")]
    public decimal HousingFundEmployeeRate { get; set; }
}
