using System.Text;
using Compliance.Core.Filings;
using Compliance.Core.Policies;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;

namespace Compliance.Core.Templates;

/// <summary>The formats a template comes in.</summary>
public enum TemplateFormat
{
    Xlsx,

    /// <summary>UTF-8 with a byte-order mark, which Excel on Windows needs to show Chinese headers.</summary>
    CsvUtf8,

    /// <summary>GB18030, which Excel on a Chinese Windows opens and saves without being asked.</summary>
    CsvGb18030,
}

/// <summary>One column of a template as its instructions sheet describes it.</summary>
/// <param name="Header">Row 1's text: the contract's Chinese name, which the readers accept.</param>
/// <param name="Field">The contract's English name.</param>
/// <param name="Meaning">What goes in it, in Chinese and English.</param>
/// <param name="Unit">How to write a value.</param>
/// <param name="Required">必填 or 选填 with the default an empty cell stands for.</param>
public sealed record TemplateColumn(string Header, string Field, string Meaning, string Unit, string Required);

/// <summary>
/// The template (模板) an accountant downloads for each filing kind, generated from <see cref="FilingSchema"/>
/// and the catalog — never kept by hand, so a column added to the contract is in the template the same day.
/// XLSX (through the Open XML SDK): the kind's sheet with the Chinese headers in row 1, frozen, and data
/// validation on numbers and choices; a second sheet 填写说明 with each column's meaning, unit and whether it is
/// required, and the limits with their clauses. CSV: the header row alone, in UTF-8 with BOM or GB18030.
/// </summary>
public static class FilingTemplates
{
    /// <summary>The instructions sheet's name.</summary>
    public const string InstructionsSheet = "填写说明";

    /// <summary>How many rows the data validation covers: more than any filing a spreadsheet holds comfortably.</summary>
    private const int ValidatedRows = 100_000;

    /// <summary>What <see cref="TryParseFormat"/> accepts, for messages.</summary>
    public const string Expected = "format xlsx or csv; for csv, encoding utf-8 (the default, with BOM) or gb18030";

    /// <summary>The format a caller names: <c>xlsx</c>, or <c>csv</c> with an encoding (<c>utf-8</c>, the default, or <c>gb18030</c>).</summary>
    public static bool TryParseFormat(string? format, string? encoding, out TemplateFormat result)
    {
        var text = encoding?.Trim().ToLowerInvariant();
        (var ok, result) = (format?.Trim().ToLowerInvariant(), text) switch
        {
            ("xlsx", null) => (true, TemplateFormat.Xlsx),
            ("csv", null or "utf-8" or "utf8") => (true, TemplateFormat.CsvUtf8),
            ("csv", "gb18030" or "gbk") => (true, TemplateFormat.CsvGb18030),
            _ => (false, TemplateFormat.Xlsx),
        };
        return ok;
    }

    /// <summary>The file name a template is offered under, e.g. <c>payroll-template.xlsx</c> (ASCII: every browser and mail client keeps it).</summary>
    public static string FileName(FilingKind kind, TemplateFormat format) =>
        $"{kind.ToContractName()}-template{(format == TemplateFormat.CsvGb18030 ? "-gb18030" : string.Empty)}.{(format == TemplateFormat.Xlsx ? "xlsx" : "csv")}";

    public static string ContentType(TemplateFormat format) => format switch
    {
        TemplateFormat.Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        TemplateFormat.CsvGb18030 => "text/csv; charset=gb18030",
        _ => "text/csv; charset=utf-8",
    };

    public static void Write(FilingKind kind, TemplateFormat format, PolicyCatalog catalog, Stream output)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(output);
        if (format == TemplateFormat.Xlsx)
        {
            WriteXlsx(kind, catalog, output);
            return;
        }

        var encoding = format == TemplateFormat.CsvGb18030 ? Reading.TextEncodingDetector.Gb18030 : new UTF8Encoding(encoderShouldEmitUTF8Identifier: true);
        using var writer = new StreamWriter(output, encoding, 1024, leaveOpen: true);
        writer.Write(string.Join(',', Columns(kind).Select(c => c.Header)));
        writer.Write("\r\n");
    }

    /// <summary>Each column as the instructions sheet describes it, in the contract's order.</summary>
    public static IReadOnlyList<TemplateColumn> Columns(FilingKind kind) =>
        [.. FilingSchema.For(kind).Columns.Select(c => new TemplateColumn(c.ChineseName, c.Name, Meaning(c), Unit(c), c.Required ? "必填 required" : c.Default is { } d ? $"选填 optional (空 = {d})" : "选填 optional"))];

    /// <summary>The catalog's rules for the kind, one line per version: window, limit, clause and its sentence.</summary>
    public static IReadOnlyList<string[]> Limits(FilingKind kind, PolicyCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return [.. catalog.RulesFor(kind).SelectMany(rule => rule.Versions.Select(v => new[]
        {
            rule.Id, $"{rule.Title.Zh} / {rule.Title.En}", WindowText(v.Window), v.Summary, v.Citation.ToString(), v.Citation.Quote,
        }))];
    }

    private static string WindowText(PeriodWindow window) => (window.From, window.To) switch
    {
        (null, null) => "一直 always",
        ({ } f, null) => $"{f} 起 from {f}",
        (null, { } t) => $"至 {t} until {t}",
        ({ } f, { } t) => $"{f} 至 {t}",
    };

    private static string Meaning(ColumnDefinition column) => $"{column.ChineseName} ({column.Name.Replace('_', ' ')})"
        + (column.AmountColumn is { } amount ? $"；也可只填实缴金额 {amount}，按缴费基数折算 / or give the amount paid in {amount}" : string.Empty)
        + (column.GivesPeriod ? "；决定所属期 / gives the row's filing period" : string.Empty);

    private static string Unit(ColumnDefinition column) => column.Type switch
    {
        ColumnType.Uscc => "18 位统一社会信用代码 / the 18-character unified social credit code",
        ColumnType.Period => "年-月，如 2016-06 / year-month",
        ColumnType.Region => "6 位行政区划代码 (GB/T 2260)，如 510100 / six-digit division code",
        ColumnType.Rate => "百分数，12 表示 12% / percent: 12 means 12%",
        ColumnType.Amount => "元，可带两位小数 / yuan",
        ColumnType.Frequency => "monthly 按月 / quarterly 按季",
        ColumnType.YesNo => "是 / 否 (yes / no)",
        ColumnType.Date => "日期，如 2017-06-30 / a date",
        ColumnType.Year => "年份，如 2016 / a year",
        ColumnType.Choice => string.Join(" / ", column.Choices.Values.Distinct()),
        ColumnType.BanYears => "年数，或 终身 / years, or lifetime",
        ColumnType.Score => "0–100 分，最多两位小数 / a score 0–100",
        _ => "文字 / text",
    };

    private static void WriteXlsx(FilingKind kind, PolicyCatalog catalog, Stream output)
    {
        var schema = FilingSchema.For(kind);
        using var document = SpreadsheetDocument.Create(output, SpreadsheetDocumentType.Workbook);
        var workbook = document.AddWorkbookPart();
        workbook.Workbook = new Workbook();
        XlsxParts.AddStyles(workbook);
        var strings = new XlsxParts.SharedStrings(workbook);
        var sheets = workbook.Workbook.AppendChild(new Sheets());

        // The data sheet is named after the kind, which is how the reader finds it in a workbook of several.
        var data = workbook.AddNewPart<WorksheetPart>();
        var header = new Row { RowIndex = 1 };
        foreach (var (column, index) in schema.Columns.Select((c, i) => (c, i)))
        {
            header.Append(strings.Cell(XlsxParts.Reference(index, 1), column.ChineseName, style: 1));
        }

        var worksheet = new Worksheet(
            new SheetViews(new SheetView(new Pane { VerticalSplit = 1, TopLeftCell = "A2", ActivePane = PaneValues.BottomLeft, State = PaneStateValues.Frozen }) { WorkbookViewId = 0, TabSelected = true }),
            Widths(schema.Columns.Select(c => Math.Max(12, (c.ChineseName.Length * 2) + 2)).ToList()),
            new SheetData(header));
        if (Validations(schema) is { } validations)
        {
            worksheet.Append(validations);
        }

        data.Worksheet = worksheet;
        sheets.Append(new Sheet { Id = workbook.GetIdOfPart(data), SheetId = 1, Name = kind.ToContractName() });

        // 填写说明: the columns, then the limits in force with their clauses.
        var help = workbook.AddNewPart<WorksheetPart>();
        var rows = new SheetData();
        uint r = 1;
        void Line(IEnumerable<string> cells, uint style = 0)
        {
            var row = new Row { RowIndex = r };
            foreach (var (text, i) in cells.Select((t, i) => (t, i)))
            {
                row.Append(strings.Cell(XlsxParts.Reference(i, r), text, style));
            }

            rows.Append(row);
            r++;
        }

        Line([$"{schema.ChineseName}（{kind.ToContractName()}）填报模板 — 第 1 行为表头，请从第 2 行起每行填写一条记录 / row 1 is the header; one record per row from row 2"], 1);
        Line(["列名 Column", "字段 Field", "含义 Meaning", "单位与写法 Unit", "是否必填 Required"], 1);
        foreach (var column in Columns(kind))
        {
            Line([column.Header, column.Field, column.Meaning, column.Unit, column.Required]);
        }

        r++;
        Line(["规则 Rule", "名称 Title", "适用所属期 Periods", "限值 Limit", "依据 Clause", "原文 Quote"], 1);
        foreach (var limit in Limits(kind, catalog))
        {
            Line(limit);
        }

        help.Worksheet = new Worksheet(Widths([22, 34, 60, 44, 24, 80]), rows);
        sheets.Append(new Sheet { Id = workbook.GetIdOfPart(help), SheetId = 2, Name = InstructionsSheet });
        strings.Save();
        workbook.Workbook.Save();
    }

    /// <summary>Numbers within their range and choices from their list, checked by Excel as the accountant types.</summary>
    private static DataValidations? Validations(FilingSchema schema)
    {
        var list = new List<DataValidation>();
        foreach (var (column, index) in schema.Columns.Select((c, i) => (c, i)))
        {
            var range = $"{XlsxParts.Reference(index, 2)}:{XlsxParts.Reference(index, ValidatedRows)}";
            var title = $"{column.ChineseName}";
            var validation = column.Type switch
            {
                ColumnType.Rate => Decimal(range, "0", "100", title, "请填 0 到 100 的百分数，12 表示 12%。Enter a percent from 0 to 100."),
                ColumnType.Score => Decimal(range, "0", "100", title, "请填 0 到 100 的分数。Enter a score from 0 to 100."),
                ColumnType.Amount => Checked(
                    new DataValidation(new Formula1("0")) { Type = DataValidationValues.Decimal, Operator = DataValidationOperatorValues.GreaterThanOrEqual },
                    range,
                    title,
                    "请填不小于 0 的金额（元）。Enter an amount of 0 or more (yuan)."),
                ColumnType.YesNo => List(range, ["是", "否"], title),
                ColumnType.Choice => List(range, [.. column.Choices.Values.Distinct()], title),
                _ => null,
            };
            if (validation is not null)
            {
                list.Add(validation);
            }
        }

        return list.Count == 0 ? null : new DataValidations(list) { Count = (uint)list.Count };
    }

    private static DataValidation Decimal(string range, string min, string max, string title, string error) =>
        Checked(new DataValidation(new Formula1(min), new Formula2(max)) { Type = DataValidationValues.Decimal, Operator = DataValidationOperatorValues.Between }, range, title, error);

    private static DataValidation List(string range, string[] values, string title) =>
        Checked(new DataValidation(new Formula1($"\"{string.Join(',', values)}\"")) { Type = DataValidationValues.List }, range, title, $"请从列表中选择：{string.Join("、", values)}。Choose one of the list.");

    /// <summary>A rule on a column's cells that Excel enforces as they are typed, blanks allowed, with the message it shows.</summary>
    private static DataValidation Checked(DataValidation validation, string range, string title, string error)
    {
        validation.SequenceOfReferences = new ListValue<StringValue> { InnerText = range };
        validation.AllowBlank = true;
        validation.ShowErrorMessage = true;
        validation.ErrorTitle = title;
        validation.Error = error;
        return validation;
    }

    private static Columns Widths(IReadOnlyList<int> widths) =>
        new([.. widths.Select((w, i) => new Column { Min = (uint)(i + 1), Max = (uint)(i + 1), Width = w, CustomWidth = true })]);
}
