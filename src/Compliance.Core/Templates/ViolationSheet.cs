using System.Globalization;
using Compliance.Core.Digests;

namespace Compliance.Core.Templates;

/// <summary>One violating row as an accountant fixes it in Excel.</summary>
public sealed record ViolationLine(int Row, string? EmployeeId, string? Item, string Rule, string Field, decimal Observed, string Limit, string Citation, string Message);

/// <summary>
/// A filing's violating rows as a workbook or CSV to fix in Excel: row, employee (masked as in the digest),
/// item, rule, field, observed value, limit, clause and message. CSV cells a spreadsheet would run as a formula
/// are neutralised, as in the digest's CSV.
/// </summary>
public static class ViolationSheet
{
    /// <summary>Rows a download carries at most: more than a spreadsheet is comfortable with.</summary>
    public const int MaxRows = 100_000;

    private static readonly string[] Header = ["行 Row", "职工 Employee", "项目 Item", "规则 Rule", "字段 Field", "实际 Observed", "限值 Limit", "依据 Clause", "说明 Message"];

    public static void Write(IEnumerable<ViolationLine> lines, TemplateFormat format, Stream output)
    {
        ArgumentNullException.ThrowIfNull(lines);
        SheetWriter.Write("违规明细", Header, lines.Select(Cells), format, output, MaxRows);
    }

    private static string[] Cells(ViolationLine v) =>
    [
        v.Row.ToString(CultureInfo.InvariantCulture), EmployeeIds.Mask(v.EmployeeId) ?? string.Empty, v.Item ?? string.Empty, v.Rule, v.Field,
        v.Observed.ToString(CultureInfo.InvariantCulture), v.Limit, v.Citation, v.Message,
    ];
}
