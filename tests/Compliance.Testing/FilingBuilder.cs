using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Compliance.Testing;

/// <summary>
/// Test data builder for filings: rows start from valid defaults for the kind, a test overrides only what
/// it is about, and the same rows can be written as CSV, JSON or XLSX.
/// </summary>
public sealed class FilingBuilder
{
    public const string Uscc = "91510100A4C12H3B1Y";
    public const string OtherUscc = "91510600G612DD2721";

    private readonly List<string> columns;
    private readonly List<Dictionary<string, string?>> rows = [];
    private readonly Dictionary<string, string?> defaults;
    private readonly string kind;

    private FilingBuilder(string kind, Dictionary<string, string?> defaults)
    {
        this.kind = kind;
        this.defaults = defaults;
        columns = [.. defaults.Keys];
    }

    public static FilingBuilder Payroll(string period = "2016-06") => new("payroll", new()
    {
        ["uscc"] = Uscc,
        ["period"] = period,
        ["region"] = "510100",
        ["employee_id"] = null,
        ["wage_base"] = "8000",
        ["pension_employer_rate"] = "19",
        ["unemployment_employer_rate"] = "1",
        ["unemployment_employee_rate"] = "0.5",
        ["housing_fund_employer_rate"] = "12",
        ["housing_fund_employee_rate"] = "12",
    });

    public static FilingBuilder Fees(string period = "2016-06") => new("fees", new()
    {
        ["uscc"] = Uscc,
        ["period"] = period,
        ["region"] = "510100",
        ["filing_frequency"] = "monthly",
        ["sales"] = "250000",
        ["education_surcharge"] = "0",
        ["local_education_surcharge"] = "0",
        ["water_conservancy_fund"] = "0",
        ["exemption_claimed"] = "no",
    });

    public static FilingBuilder FeeItems(string period = "2016-09") => new("fee_items", new()
    {
        ["uscc"] = Uscc,
        ["period"] = period,
        ["region"] = "510100",
        ["item"] = "排污费",
        ["collector"] = "成都市环保局",
        ["amount"] = "1200",
    });

    /// <summary>An SOE accountability case (国办发〔2016〕63号): a director held directly responsible for a larger loss, within the ranges.</summary>
    public static FilingBuilder Accountability() => new("accountability", new()
    {
        ["uscc"] = SoeUscc,
        ["case_id"] = "SC-2017-001",
        ["decision_date"] = "2017-03-15",
        ["loss_level"] = "较大",
        ["responsibility"] = "直接责任",
        ["performance_pay_deduction_pct"] = "60",
        ["tenure_incentive_deduction_pct"] = "50",
        ["incentive_ban_years"] = "5",
    });

    /// <summary>A province's safety-production assessment (国办发〔2016〕64号): graded as its score says, reported in time.</summary>
    public static FilingBuilder SafetyAssessment() => new("safety_assessment", new()
    {
        ["region"] = "510000",
        ["year"] = "2016",
        ["score"] = "91",
        ["bonus"] = "0",
        ["grade"] = "优秀",
        ["special_major_accident"] = "否",
        ["self_report_date"] = "2017-01-20",
    });

    /// <summary>A builder for every kind, each with its valid defaults.</summary>
    public static IReadOnlyDictionary<string, Func<FilingBuilder>> AllKinds { get; } = new Dictionary<string, Func<FilingBuilder>>
    {
        ["payroll"] = () => Payroll(),
        ["fees"] = () => Fees(),
        ["fee_items"] = () => FeeItems(),
        ["accountability"] = Accountability,
        ["safety_assessment"] = SafetyAssessment,
    };

    private static readonly string[] Provinces = ["510000", "520000", "530000", "500000", "610000", "620000"];

    /// <summary>The state-owned enterprise the accountability builder files for.</summary>
    public const string SoeUscc = "91510000MA6CXY2K1U";

    public IReadOnlyList<string> Columns => columns;

    /// <summary>The rows added so far, by column name: for filling a file laid out by someone else (a template).</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, string?>> Rows => rows;

    /// <summary>Adds a row: defaults, with the given columns overridden (null empties a cell).</summary>
    public FilingBuilder Row(params (string Column, string? Value)[] values)
    {
        var row = new Dictionary<string, string?>(defaults);
        if (row.ContainsKey("employee_id"))
        {
            row["employee_id"] = $"E{rows.Count + 1:D4}";
        }

        // A province files one assessment a year: each row its own province, unless the test says otherwise.
        if (kind == "safety_assessment")
        {
            row["region"] = Provinces[rows.Count % Provinces.Length];
        }

        foreach (var (column, value) in values)
        {
            if (!columns.Contains(column))
            {
                columns.Add(column);
            }

            row[column] = value;
        }

        rows.Add(row);
        return this;
    }

    /// <summary>Drops a column from the header and every row.</summary>
    public FilingBuilder Without(params string[] names)
    {
        foreach (var name in names)
        {
            columns.Remove(name);
        }

        return this;
    }

    /// <summary>Renames header cells (e.g. to the Chinese names) without touching the data.</summary>
    public FilingBuilder WithHeaders(Func<string, string> header)
    {
        headerOf = header;
        return this;
    }

    private Func<string, string> headerOf = c => c;

    public string ToCsv(string newline = "\r\n")
    {
        var text = new StringBuilder();
        text.Append(string.Join(',', columns.Select(c => Quote(headerOf(c))))).Append(newline);
        foreach (var row in rows)
        {
            text.Append(string.Join(',', columns.Select(c => Quote(row.GetValueOrDefault(c))))).Append(newline);
        }

        return text.ToString();
    }

    public byte[] ToCsvBytes(Encoding encoding, bool bom = false)
    {
        var body = encoding.GetBytes(ToCsv());
        return bom ? [.. encoding.GetPreamble(), .. body] : body;
    }

    /// <summary>The JSON form; <paramref name="header"/> columns are lifted out of the rows into header fields.</summary>
    public string ToJson(params string[] header)
    {
        var document = new Dictionary<string, object?> { ["kind"] = kind };
        foreach (var column in header)
        {
            document[column] = rows.Count > 0 ? rows[0].GetValueOrDefault(column) : null;
        }

        document["rows"] = rows.Select(r => columns.Where(c => !header.Contains(c)).ToDictionary(c => headerOf(c), c => r.GetValueOrDefault(c))).ToList();
        return JsonSerializer.Serialize(document, new JsonSerializerOptions { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }

    public XlsxBuilder ToXlsx(string sheetName = "Sheet1", Func<string, string?, XlsxCell>? cell = null)
    {
        cell ??= (_, value) => XlsxCell.Auto(value);
        var xlsx = new XlsxBuilder(sheetName);
        xlsx.Row([.. columns.Select(c => XlsxCell.Text(headerOf(c)))]);
        foreach (var row in rows)
        {
            xlsx.Row([.. columns.Select(c => cell(c, row.GetValueOrDefault(c)))]);
        }

        return xlsx;
    }

    private static string Quote(string? value)
    {
        if (value is null)
        {
            return string.Empty;
        }

        return value.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? $"\"{value.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : value;
    }
}
