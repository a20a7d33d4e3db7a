using System.Text.Json;
using System.Text.Json.Serialization;
using CsvHelper;
using MiniExcelLibs.Attributes;

namespace Compliance.Benchmarks;

/// <summary>
/// The fastest readers served here for each format, given the easiest framing of the file and the five limits
/// written inline: what the product's readers are measured against. Each types every column the checker reads
/// (identifiers as strings, numbers as <see cref="decimal"/>), so the difference is the product's own work.
/// </summary>
public static class PeerCases
{
    /// <summary>
    /// The parse floor for UTF-8 CSV: CsvHelper 34's span reader typing each of the twelve columns, no rules,
    /// one thread. Returns the rows read (it has no verdict to count); the values feed a checksum so no parse
    /// can be skipped.
    /// </summary>
    public static int CsvHelperFloor(string path)
    {
        // CsvHelper 34's defaults are lax (a guessed separator, malformed rows recovered): the floor reads the
        // contract's dialect and stops on damage, as the product does.
        var options = new CsvReaderOptions
        {
            Separator = ',',
            HasHeader = true,
            MalformedData = CsvMalformedDataHandling.Throw,
            FieldCountMismatch = CsvFieldCountHandling.Throw,
        };
        using var csv = CsvReader.FromFile(path, options);
        var o = Ordinals(csv.Headers);
        var rows = 0;
        var checksum = 0m;
        var text = 0L;
        while (csv.Read())
        {
            text += csv.GetString(o.Uscc).Length + csv.GetString(o.Period).Length + csv.GetString(o.Region).Length + csv.GetString(o.EmployeeId).Length;
            checksum += csv.Parse<decimal>(o.WageBase) + csv.Parse<decimal>(o.Pension) + csv.Parse<decimal>(o.UiEmployer) + csv.Parse<decimal>(o.UiEmployee)
                + csv.Parse<decimal>(o.HfEmployer) + csv.Parse<decimal>(o.HfEmployee) + csv.Parse<decimal>(o.HfEmployerAmount) + csv.Parse<decimal>(o.HfEmployeeAmount);
            rows++;
        }

        return checksum > 0 && text > 0 ? rows : throw new InvalidOperationException("The floor read no values.");
    }

    /// <summary>MiniExcel 1.46.0's typed query (its generated column map; faster here than its dynamic rows) with the limits inline.</summary>
    public static int MiniExcel(string path)
    {
        var violating = 0;
        foreach (var row in MiniExcelLibs.MiniExcel.Query<ExcelPayrollRow>(path))
        {
            if (Breaks(row.PensionEmployerRate, row.UnemploymentEmployerRate, row.UnemploymentEmployeeRate, row.HousingFundEmployerRate, row.HousingFundEmployeeRate)
                && row.Uscc is not null && row.EmployeeId is not null)
            {
                violating++;
            }
        }

        return violating;
    }

    /// <summary>MiniExcel's dynamic rows (each an <c>IDictionary&lt;string, object&gt;</c> of the header's names), printed beside the typed query.</summary>
    public static int MiniExcelDynamic(string path)
    {
        var violating = 0;
        foreach (IDictionary<string, object?> row in MiniExcelLibs.MiniExcel.Query(path, useHeaderRow: true))
        {
            if (Breaks(Number(row["pension_employer_rate"]), Number(row["unemployment_employer_rate"]), Number(row["unemployment_employee_rate"]),
                Number(row["housing_fund_employer_rate"]), Number(row["housing_fund_employee_rate"])))
            {
                violating++;
            }
        }

        return violating;
    }

    /// <summary>
    /// System.Text.Json's streaming deserializer with a source-generated context. It streams a top-level array
    /// only, so it is handed the bytes of the <c>rows</c> array alone (the product finds the array itself).
    /// </summary>
    public static int StjStream(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        using var rows = RowsArray(file);
        var violating = 0;
        foreach (var row in JsonSerializer.DeserializeAsyncEnumerable(rows, PeerJsonContext.Default.JsonPayrollRow).ToBlockingEnumerable())
        {
            if (row is not null && row.Uscc is not null && row.EmployeeId is not null
                && Breaks(row.PensionEmployerRate, row.UnemploymentEmployerRate, row.UnemploymentEmployeeRate, row.HousingFundEmployerRate, row.HousingFundEmployeeRate))
            {
                violating++;
            }
        }

        return violating;
    }

    /// <summary>The five limits of the synthetic payroll, as every inline case writes them.</summary>
    public static bool Breaks(decimal pension, decimal uiEmployer, decimal uiEmployee, decimal hfEmployer, decimal hfEmployee) =>
        pension > 20m || uiEmployer + uiEmployee < 1m || uiEmployer + uiEmployee > 1.5m || uiEmployee > 0.5m || hfEmployer > 12m || hfEmployee > 12m;

    private static decimal Number(object? value) => value switch
    {
        double d => (decimal)d,
        decimal m => m,
        string s => decimal.Parse(s, System.Globalization.CultureInfo.InvariantCulture),
        _ => throw new InvalidOperationException($"Not a number: {value}"),
    };

    private static (int Uscc, int Period, int Region, int EmployeeId, int WageBase, int Pension, int UiEmployer, int UiEmployee, int HfEmployer, int HfEmployee, int HfEmployerAmount, int HfEmployeeAmount) Ordinals(IReadOnlyList<string> header)
    {
        int At(string name) => header.ToList().IndexOf(name) is var i and >= 0 ? i : throw new InvalidOperationException($"No column {name}.");
        return (At("uscc"), At("period"), At("region"), At("employee_id"), At("wage_base"), At("pension_employer_rate"), At("unemployment_employer_rate"),
            At("unemployment_employee_rate"), At("housing_fund_employer_rate"), At("housing_fund_employee_rate"), At("housing_fund_employer_amount"), At("housing_fund_employee_amount"));
    }

    /// <summary>The bytes from the <c>rows</c> array's '[' to its ']' (the synthetic file's last array), as a stream of their own.</summary>
    private static Stream RowsArray(FileStream file)
    {
        var head = new byte[4096];
        var read = file.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        var start = head.AsSpan(0, read).IndexOf("\"rows\":["u8) is var at and >= 0 ? at + "\"rows\":".Length : throw new InvalidOperationException("No rows array.");
        var tail = new byte[16];
        file.Position = file.Length - tail.Length;
        file.ReadExactly(tail);
        var end = file.Length - tail.Length + tail.AsSpan().LastIndexOf((byte)']') + 1;
        file.Position = start;
        return new Window(file, end - start);
    }

    /// <summary>A read-only view of the next <c>length</c> bytes of a stream.</summary>
    private sealed class Window(Stream inner, long size) : Stream
    {
        private readonly long length = size;
        private long left = size;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => length;

        public override long Position { get => length - left; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var n = inner.Read(buffer[..(int)Math.Min(buffer.Length, left)]);
            left -= n;
            return n;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.FromResult(Read(buffer.Span));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => Task.FromResult(Read(buffer, offset, count));

        public override void Flush() => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}

/// <summary>A payroll row as MiniExcel maps it, by the header's names.</summary>
public sealed class ExcelPayrollRow
{
    [ExcelColumnName("uscc")]
    public string? Uscc { get; set; }

    [ExcelColumnName("period")]
    public string? Period { get; set; }

    [ExcelColumnName("region")]
    public string? Region { get; set; }

    [ExcelColumnName("employee_id")]
    public string? EmployeeId { get; set; }

    [ExcelColumnName("wage_base")]
    public decimal WageBase { get; set; }

    [ExcelColumnName("pension_employer_rate")]
    public decimal PensionEmployerRate { get; set; }

    [ExcelColumnName("unemployment_employer_rate")]
    public decimal UnemploymentEmployerRate { get; set; }

    [ExcelColumnName("unemployment_employee_rate")]
    public decimal UnemploymentEmployeeRate { get; set; }

    [ExcelColumnName("housing_fund_employer_rate")]
    public decimal HousingFundEmployerRate { get; set; }

    [ExcelColumnName("housing_fund_employee_rate")]
    public decimal HousingFundEmployeeRate { get; set; }

    [ExcelColumnName("housing_fund_employer_amount")]
    public decimal HousingFundEmployerAmount { get; set; }

    [ExcelColumnName("housing_fund_employee_amount")]
    public decimal HousingFundEmployeeAmount { get; set; }
}

/// <summary>A payroll row of the JSON file, by the contract's field names.</summary>
public sealed class JsonPayrollRow
{
    [JsonPropertyName("uscc")]
    public string? Uscc { get; set; }

    [JsonPropertyName("period")]
    public string? Period { get; set; }

    [JsonPropertyName("region")]
    public string? Region { get; set; }

    [JsonPropertyName("employee_id")]
    public string? EmployeeId { get; set; }

    [JsonPropertyName("wage_base")]
    public decimal WageBase { get; set; }

    [JsonPropertyName("pension_employer_rate")]
    public decimal PensionEmployerRate { get; set; }

    [JsonPropertyName("unemployment_employer_rate")]
    public decimal UnemploymentEmployerRate { get; set; }

    [JsonPropertyName("unemployment_employee_rate")]
    public decimal UnemploymentEmployeeRate { get; set; }

    [JsonPropertyName("housing_fund_employer_rate")]
    public decimal HousingFundEmployerRate { get; set; }

    [JsonPropertyName("housing_fund_employee_rate")]
    public decimal HousingFundEmployeeRate { get; set; }

    [JsonPropertyName("housing_fund_employer_amount")]
    public decimal HousingFundEmployerAmount { get; set; }

    [JsonPropertyName("housing_fund_employee_amount")]
    public decimal HousingFundEmployeeAmount { get; set; }
}

/// <summary>The source-generated serializer of <see cref="JsonPayrollRow"/>.</summary>
[JsonSerializable(typeof(JsonPayrollRow))]
internal sealed partial class PeerJsonContext : JsonSerializerContext;
