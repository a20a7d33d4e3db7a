using System.Text;
using System.Text.Json;
using Compliance.Core.Reading;

namespace Compliance.Core.Tests.Reading;

/// <summary>
/// The header pass skips the rows array by its brackets alone: the scanner must end exactly where a JSON reader
/// ends the array, whatever strings, escapes and comments hold, and however the bytes arrive.
/// </summary>
[TestClass]
public sealed class JsonSkipScannerTests
{
    private static readonly JsonReaderOptions ReaderOptions = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true, MaxDepth = 1000 };

    [TestMethod]
    [DataRow("""[]""")]
    [DataRow("""[{"a": "]}"}, "[{", "\"]", "\\", "\\\"]"]""")]
    [DataRow("[1, /* ] } */ 2, // ]]]\n 3]")]
    [DataRow("""[{"url": "http://a/b]"}, "/*", "//"]""")]
    [DataRow("""[[[[[]]]], {"a": [{"b": {}}]}, "\u005d"]""")]
    public void Scan_AWrittenArray_EndsWhereAReaderEndsIt(string json)
    {
        var bytes = Encoding.UTF8.GetBytes(json + """, "after": "]" """);

        Assert.AreEqual(ReaderEnd(bytes), ScannerEnd(bytes, pieces: 1));
    }

    [TestMethod]
    public void Scan_GeneratedArrays_EndWhereAReaderEndsThem_InOnePieceOrMany()
    {
        var random = new Random(64);
        for (var i = 0; i < 400; i++)
        {
            var json = new StringBuilder("[");
            var items = random.Next(0, 40);
            for (var item = 0; item < items; item++)
            {
                if (item > 0)
                {
                    json.Append(Blank(random)).Append(',');
                }

                json.Append(Blank(random));
                Value(json, random, depth: 0);
            }

            json.Append(Blank(random)).Append("], \"tail\": \"]]}}\"");
            var bytes = Encoding.UTF8.GetBytes(json.ToString());
            var expected = ReaderEnd(bytes);

            Assert.AreEqual(expected, ScannerEnd(bytes, pieces: 1), json.ToString());
            Assert.AreEqual(expected, ScannerEnd(bytes, pieces: 1 + random.Next(2, 9), random), json.ToString());
        }
    }

    [TestMethod]
    public void Scan_AnArrayNotClosed_AsksForMoreBytes()
    {
        var scanner = new JsonSkipScanner();

        Assert.AreEqual(-1, scanner.Scan(Encoding.UTF8.GetBytes(new string(' ', 100) + """{"a": "]", "b": [1, 2]}, "]""")));
        Assert.AreEqual(2, scanner.Scan("\"]]"u8), "the string that was open when the bytes ran out is closed first");
    }

    [TestMethod]
    public void Check_RowsFollowedByHeaderFieldsHoldingBrackets_ReadsTheHeaderAfterTheRows()
    {
        var rows = string.Join(", ", Enumerable.Range(1, 300).Select(i =>
            $$"""{"item": "价格调节基金", "note": "[{\"x\"}] /* {{i}} */ // ]", "amount": 10}"""));
        var json = $$"""{"kind": "fee_items", "rows": [{{rows}}] /* ] */, "period": "2016-09", "region": "510100", "uscc": "91510100A4C12H3B1Y"}""";

        var report = Checks.Run(json, "items.json").AssertChecked();

        Assert.AreEqual(300, report.Rows);
        Assert.AreEqual("2016-09", report.Periods.Single());
        Assert.HasCount(300, report.Violations);
    }

    /// <summary>Where a reader standing on the opening bracket ends the array: just past its closing bracket.</summary>
    private static int ReaderEnd(byte[] bytes)
    {
        var reader = new Utf8JsonReader(bytes, isFinalBlock: false, new JsonReaderState(ReaderOptions));
        Assert.IsTrue(reader.Read());
        Assert.IsTrue(reader.TrySkip());
        return (int)reader.BytesConsumed;
    }

    /// <summary>Where the scanner, started just past the opening bracket, ends the array, the bytes given in pieces.</summary>
    private static int ScannerEnd(byte[] bytes, int pieces, Random? random = null)
    {
        var scanner = new JsonSkipScanner();
        var at = 1;
        for (var piece = 1; at < bytes.Length; piece++)
        {
            var length = piece == pieces || random is null ? bytes.Length - at : Math.Min(bytes.Length - at, random.Next(1, 130));
            var end = scanner.Scan(bytes.AsSpan(at, length));
            if (end >= 0)
            {
                return at + end;
            }

            at += length;
        }

        return -1;
    }

    private static void Value(StringBuilder json, Random random, int depth)
    {
        switch (depth > 4 ? random.Next(2, 5) : random.Next(0, 5))
        {
            case 0:
                json.Append('[');
                for (var i = random.Next(0, 4); i > 0; i--)
                {
                    Value(json, random, depth + 1);
                    json.Append(Blank(random)).Append(i > 1 || random.Next(4) == 0 ? "," : string.Empty).Append(Blank(random));
                }

                json.Append(']');
                break;
            case 1:
                json.Append('{');
                for (var i = random.Next(0, 4); i > 0; i--)
                {
                    Text(json, random);
                    json.Append(": ").Append(Blank(random));
                    Value(json, random, depth + 1);
                    json.Append(i > 1 ? "," : string.Empty).Append(Blank(random));
                }

                json.Append('}');
                break;
            case 2:
                Text(json, random);
                break;
            case 3:
                json.Append(random.Next(-1000, 100000) / 100m);
                break;
            default:
                json.Append(random.Next(3) switch { 0 => "true", 1 => "false", _ => "null" });
                break;
        }
    }

    /// <summary>A string of characters that look like structure: brackets, quotes and backslashes escaped, slashes, CJK.</summary>
    private static void Text(StringBuilder json, Random random)
    {
        string[] pieces = ["[", "]", "{", "}", "\\\"", "\\\\", "/", "//", "/*", "*/", "a", "工资", "\\u005d", "\\n", ",", ":", " "];
        json.Append('"');
        for (var i = random.Next(0, 30); i > 0; i--)
        {
            json.Append(pieces[random.Next(pieces.Length)]);
        }

        json.Append('"');
    }

    /// <summary>White space, or now and then a comment holding brackets and quotes.</summary>
    private static string Blank(Random random) => random.Next(12) switch
    {
        0 => " /* ] \" } [ */ ",
        1 => " // ]\" }\n",
        2 => "\n\t ",
        3 => new string(' ', random.Next(40, 90)),
        _ => random.Next(2) == 0 ? " " : string.Empty,
    };
}
