using System.Text;
using Compliance.Core.Checking;
using Compliance.Core.Policies;
using FsCheck;
using FsCheck.Fluent;

namespace Compliance.Core.Tests.Reading;

/// <summary>
/// Whatever bytes arrive, the checker answers with a report — checked, or rejected with a message naming
/// what to fix — and never throws. Three generators: the real sample filings with random damage, CSV built
/// from hostile tokens, and plain random bytes under each extension. 10,000 cases each, from fixed seeds so
/// CI is repeatable and a failure replays; set FUZZ_SEED to a number to explore other cases.
/// </summary>
[TestClass]
public sealed class FuzzTests
{
    private const int Cases = 10_000;

    private static readonly ulong Seed = ulong.TryParse(Environment.GetEnvironmentVariable("FUZZ_SEED"), out var seed) ? seed : 0;

    private static readonly FilingChecker Checker = new(PolicyCatalog.LoadEmbedded());

    private static readonly (string Name, byte[] Content)[] Samples =
    [
        .. Directory.GetFiles(Path.Combine(Checks.RepositoryRoot, "seeds", "samples")).Order(StringComparer.Ordinal)
            .Select(path => (Path.GetFileName(path), File.ReadAllBytes(path))),
    ];

    private static readonly string[] Tokens =
    [
        "91510100A4C12H3B1Y", "2016-06", "2016-13", "201606", "2016年6月", "510100", "999999", "E001", "8000", "8,000.50",
        "1e400", "NaN", "-5", "12%%", "12%", "１２", "0.5", "100.001", "=HYPERLINK(\"http://x\")", "<script>alert(1)</script>",
        "\"", "\"\"", ",", "\n", "\r\n", "\t", ";", " ", "\u0000", "\u0007", "\u202E", "是", "否", "monthly", "按季",
        "uscc", "period", "region", "employee_id", "wage_base", "housing_fund_employer_rate", "sales", "item", "amount",
        "统一社会信用代码", "所属期", "缴费基数", new string('x', 300), "\uFEFF",
    ];

    private static readonly string[] Extensions = [".csv", ".xlsx", ".json", ".txt"];

    [TestMethod]
    public void DamagedSampleFilings_AreAlwaysAnswered()
    {
        var damaged =
            from sample in Gen.Elements(Samples)
            from edits in Gen.Choose(1, 8).SelectMany(n => Edit(sample.Content.Length).ArrayOf(n))
            select (sample.Name, Apply(sample.Content, edits));

        Prop.ForAll(damaged.ToArbitrary(), file => Answered(file.Name, file.Item2))
            .Check(Config.QuickThrowOnFailure.WithMaxTest(Cases).WithReplay(Seed + 1, 7));
    }

    [TestMethod]
    public void CsvOfHostileTokens_IsAlwaysAnswered()
    {
        var cell = Gen.Elements(Tokens).ArrayOf().Select(parts => string.Concat(parts));
        var line = Gen.Choose(1, 14).SelectMany(n => cell.ArrayOf(n)).Select(cells => string.Join(',', cells));
        var csv =
            from header in Gen.Elements(
                "uscc,period,region,employee_id,wage_base,housing_fund_employer_rate",
                "uscc,period,region,sales,education_surcharge,filing_frequency",
                "uscc,period,region,item,amount",
                "uscc,uscc,period")
            from lines in line.ArrayOf()
            from encoding in Gen.Elements(Encoding.UTF8, Encoding.Unicode, Encoding.Latin1)
            select encoding.GetBytes(header + "\n" + string.Join("\n", lines));

        Prop.ForAll(csv.ToArbitrary(), bytes => Answered("fuzz.csv", bytes))
            .Check(Config.QuickThrowOnFailure.WithMaxTest(Cases).WithReplay(Seed + 2, 7));
    }

    [TestMethod]
    public void RandomBytes_UnderAnyExtension_AreAlwaysAnswered()
    {
        var files =
            from extension in Gen.Elements(Extensions)
            from bytes in ArbMap.Default.GeneratorFor<byte[]>()
            select ($"random{extension}", bytes);

        Prop.ForAll(files.ToArbitrary(), file => Answered(file.Item1, file.bytes))
            .Check(Config.QuickThrowOnFailure.WithMaxTest(Cases).WithReplay(Seed + 3, 7));
    }

    /// <summary>The property: a report comes back, and a rejection says why.</summary>
    private static bool Answered(string name, byte[] content)
    {
        using var report = Checker.Check(new MemoryStream(content), name);
        return report.Status == FilingStatus.Checked
            ? report.Error is null
            : !string.IsNullOrWhiteSpace(report.Error);
    }

    private static Gen<(int Kind, int At, int Length, byte Value)> Edit(int size) =>
        from kind in Gen.Choose(0, 4)
        from at in Gen.Choose(0, Math.Max(0, size - 1))
        from length in Gen.Choose(1, 64)
        from value in Gen.Elements<byte>(0x00, 0x22, 0x2C, 0x0A, 0x0D, 0xFF, 0xE4, 0x25, 0x2D, 0x31, 0x50, 0x4B)
        select (kind, at, length, value);

    /// <summary>Overwrite, insert, delete, truncate or duplicate a run of bytes.</summary>
    private static byte[] Apply(byte[] original, (int Kind, int At, int Length, byte Value)[] edits)
    {
        var bytes = new List<byte>(original);
        foreach (var (kind, rawAt, length, value) in edits)
        {
            var at = bytes.Count == 0 ? 0 : rawAt % bytes.Count;
            var span = Math.Min(length, bytes.Count - at);
            switch (kind)
            {
                case 0:
                    for (var i = 0; i < span; i++)
                    {
                        bytes[at + i] = value;
                    }

                    break;
                case 1:
                    bytes.InsertRange(at, Enumerable.Repeat(value, length));
                    break;
                case 2:
                    bytes.RemoveRange(at, span);
                    break;
                case 3:
                    bytes.RemoveRange(at, bytes.Count - at);
                    break;
                default:
                    bytes.InsertRange(at, bytes.GetRange(at, span));
                    break;
            }
        }

        return [.. bytes];
    }
}
