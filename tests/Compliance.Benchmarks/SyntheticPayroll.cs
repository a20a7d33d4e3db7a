using System.Globalization;
using System.Text;
using System.Text.Json;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;

namespace Compliance.Benchmarks;

/// <summary>
/// A payroll filing like a large enterprise's month: one USCC and period, distinct employees, rates that
/// vary within the limits, paid amounts that agree with the declared rates, and about 1% of rows breaking
/// exactly one limit (so every case should count the same violating rows). Deterministic for a given size.
/// </summary>
public sealed class SyntheticPayroll
{
    public const string Uscc = "91510100A4C12H3B1Y";
    public const string Period = "2016-06";
    public const string Region = "510100";

    public static readonly string[] Columns =
    [
        "uscc", "period", "region", "employee_id", "wage_base",
        "pension_employer_rate", "unemployment_employer_rate", "unemployment_employee_rate",
        "housing_fund_employer_rate", "housing_fund_employee_rate",
        "housing_fund_employer_amount", "housing_fund_employee_amount",
    ];

    private static readonly string[] ChineseColumns =
    [
        "统一社会信用代码", "所属期", "行政区划代码", "职工编号", "缴费基数",
        "养老保险单位缴费比例", "失业保险单位费率", "失业保险个人费率",
        "住房公积金单位缴存比例", "住房公积金个人缴存比例",
        "住房公积金单位缴存额", "住房公积金个人缴存额",
    ];

    private static readonly decimal[] HousingRates = [5, 6, 7, 8, 10, 12];

    private readonly string uscc;

    public SyntheticPayroll(int rows, string uscc = Uscc)
    {
        Rows = rows;
        this.uscc = uscc;
    }

    public int Rows { get; }

    /// <summary>Rows that break one limit; the same for every format of this size.</summary>
    public int ViolatingRows { get; private set; }

    /// <summary>One row's values, in <see cref="Columns"/> order, as the filer's software would print them.</summary>
    public IEnumerable<string[]> Generate()
    {
        var random = new Random(20160601);
        ViolatingRows = 0;
        var row = new string[Columns.Length];
        for (var i = 0; i < Rows; i++)
        {
            var wage = random.Next(3000, 30001);
            decimal pension = random.Next(2) == 0 ? 19 : 20;
            var (uiEmployer, uiEmployee) = random.Next(3) == 0 ? (0.8m, 0.2m) : (1m, 0.5m);
            var housing = HousingRates[random.Next(HousingRates.Length)];
            if (random.Next(100) == 0)
            {
                ViolatingRows++;
                switch (random.Next(4))
                {
                    case 0: pension = 21; break;
                    case 1: housing = 13; break;
                    case 2: (uiEmployer, uiEmployee) = (1m, 0.5m + 0.3m); break;
                    default: (uiEmployer, uiEmployee) = (0.3m, 0.2m); break;
                }
            }

            var housingAmount = (wage * housing / 100m).ToString("0.##", CultureInfo.InvariantCulture);
            row[0] = uscc;
            row[1] = Period;
            row[2] = Region;
            row[3] = string.Create(CultureInfo.InvariantCulture, $"E{i + 1:D7}");
            row[4] = wage.ToString(CultureInfo.InvariantCulture);
            row[5] = pension.ToString(CultureInfo.InvariantCulture);
            row[6] = uiEmployer.ToString(CultureInfo.InvariantCulture);
            row[7] = uiEmployee.ToString(CultureInfo.InvariantCulture);
            row[8] = housing.ToString(CultureInfo.InvariantCulture);
            row[9] = housing.ToString(CultureInfo.InvariantCulture);
            row[10] = housingAmount;
            row[11] = housingAmount;
            yield return row;
        }
    }

    public void WriteCsv(string path, Encoding encoding, bool chineseHeader = false)
    {
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        WriteCsv(stream, encoding, chineseHeader);
    }

    public void WriteCsv(Stream stream, Encoding encoding, bool chineseHeader = false)
    {
        using var writer = new StreamWriter(stream, encoding, 1 << 16, leaveOpen: true);
        writer.WriteLine(string.Join(',', chineseHeader ? ChineseColumns : Columns));
        foreach (var row in Generate())
        {
            for (var c = 0; c < row.Length; c++)
            {
                if (c > 0)
                {
                    writer.Write(',');
                }

                writer.Write(row[c]);
            }

            writer.WriteLine();
        }
    }

    /// <summary>Rows repeated until the file reaches <paramref name="bytes"/>: the size, not the row count, is the point.</summary>
    public static long WriteCsvOfSize(string path, long bytes)
    {
        var rows = (int)Math.Min(int.MaxValue - 1, Math.Max(1, bytes / 72));
        new SyntheticPayroll(rows).WriteCsv(path, new UTF8Encoding(false));
        return rows;
    }

    public void WriteJson(string path)
    {
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        using var json = new Utf8JsonWriter(stream);
        json.WriteStartObject();
        json.WriteString("kind", "payroll");
        json.WriteStartArray("rows");
        foreach (var row in Generate())
        {
            json.WriteStartObject();
            for (var c = 0; c < row.Length; c++)
            {
                if (c >= 4)
                {
                    json.WriteNumber(Columns[c], decimal.Parse(row[c], CultureInfo.InvariantCulture));
                }
                else
                {
                    json.WriteString(Columns[c], row[c]);
                }
            }

            json.WriteEndObject();
            if (json.BytesPending > 1 << 16)
            {
                json.Flush();
            }
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    /// <summary>
    /// An XLSX as an export tool streams it (text as inline strings) or, with <paramref name="sharedStrings"/>,
    /// as Excel saves it: every text cell an index into one shared-string table (here a million distinct
    /// employee IDs, since the IDs are distinct). Numbers are numbers either way.
    /// </summary>
    public void WriteXlsx(string path, bool sharedStrings = false)
    {
        using var document = SpreadsheetDocument.Create(path, SpreadsheetDocumentType.Workbook);
        var workbook = document.AddWorkbookPart();
        workbook.Workbook = new Workbook();
        var sheetPart = workbook.AddNewPart<WorksheetPart>();
        var table = sharedStrings ? new Dictionary<string, int>(StringComparer.Ordinal) : null;
        using (var writer = OpenXmlWriter.Create(sheetPart))
        {
            writer.WriteStartElement(new Worksheet());
            writer.WriteStartElement(new SheetData());
            WriteRow(writer, 1, Columns, numericFrom: int.MaxValue, table);
            var index = 2u;
            foreach (var row in Generate())
            {
                WriteRow(writer, index++, row, numericFrom: 4, table);
            }

            writer.WriteEndElement();
            writer.WriteEndElement();
        }

        if (table is not null)
        {
            using var writer = OpenXmlWriter.Create(workbook.AddNewPart<SharedStringTablePart>());
            writer.WriteStartElement(new SharedStringTable(), [new OpenXmlAttribute("uniqueCount", string.Empty, table.Count.ToString(CultureInfo.InvariantCulture))]);
            foreach (var text in table.Keys)
            {
                writer.WriteElement(new SharedStringItem(new Text(text)));
            }

            writer.WriteEndElement();
        }

        workbook.Workbook.AppendChild(new Sheets(new Sheet { Id = workbook.GetIdOfPart(sheetPart), SheetId = 1, Name = "工资表" }));
        workbook.Workbook.Save();
    }

    private static void WriteRow(OpenXmlWriter writer, uint index, string[] values, int numericFrom, Dictionary<string, int>? sharedStrings)
    {
        writer.WriteStartElement(new Row(), [new OpenXmlAttribute("r", string.Empty, index.ToString(CultureInfo.InvariantCulture))]);
        for (var c = 0; c < values.Length; c++)
        {
            var reference = string.Create(CultureInfo.InvariantCulture, $"{(char)('A' + c)}{index}");
            if (c >= numericFrom)
            {
                writer.WriteElement(new Cell { CellReference = reference, CellValue = new CellValue(values[c]) });
            }
            else if (sharedStrings is not null)
            {
                if (!sharedStrings.TryGetValue(values[c], out var at))
                {
                    at = sharedStrings.Count;
                    sharedStrings.Add(values[c], at);
                }

                writer.WriteElement(new Cell { CellReference = reference, DataType = CellValues.SharedString, CellValue = new CellValue(at) });
            }
            else
            {
                writer.WriteElement(new Cell { CellReference = reference, DataType = CellValues.InlineString, InlineString = new InlineString(new Text(values[c])) });
            }
        }

        writer.WriteEndElement();
    }
}
