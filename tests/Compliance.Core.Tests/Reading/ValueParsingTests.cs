using Compliance.Core.Filings;

namespace Compliance.Core.Tests.Reading;

[TestClass]
public sealed class ValueParsingTests
{
    [TestMethod]
    [DataRow("91510100A4C12H3B1Y")]
    [DataRow("91510600G612DD2721")]
    [DataRow("91510100a4c12h3b1y")]
    [DataRow("９１５１０１００Ａ４Ｃ１２Ｈ３Ｂ１Ｙ")]
    public void ValidUscc_Passes(string code)
    {
        Assert.IsTrue(Uscc.TryValidate(code, out var normalized, out var reason), reason?.ToString());
        Assert.AreEqual(18, normalized.Length);
    }

    [TestMethod]
    [DataRow("91510100A4C12H3B1X", "should be 'Y'")]
    [DataRow("91510100A4C12H3B1", "has 17 characters")]
    [DataRow("91510100A4C12I3B1Y", "'I' at position 14")]
    [DataRow("", "has 0 characters")]
    public void InvalidUscc_SaysWhy(string code, string reason)
    {
        Assert.IsFalse(Uscc.TryValidate(code, out _, out var why));
        StringAssert.Contains(why?.ToString(), reason);
    }

    [TestMethod]
    public void CheckCharacter_MatchesTheStandardsExamples()
    {
        Assert.AreEqual('Y', Uscc.ComputeCheckCharacter("91510100A4C12H3B1"));
        Assert.AreEqual('1', Uscc.ComputeCheckCharacter("91510600G612DD272"));
    }

    [TestMethod]
    [DataRow("2016-06")]
    [DataRow("201606")]
    [DataRow("2016年6月")]
    [DataRow("２０１６年６月")]
    [DataRow("2016-6")]
    [DataRow(" 2016/06 ")]
    public void AcceptedPeriodSpellings_AllMeanJune2016(string text)
    {
        Assert.IsTrue(Period.TryParse(text, out var period));
        Assert.AreEqual(new Period(2016, 6), period);
    }

    [TestMethod]
    [DataRow("2016-13")]
    [DataRow("June 2016")]
    [DataRow("16-06")]
    [DataRow("2016-06-15")]
    [DataRow("20166")]
    public void WrongPeriods_AreRefused(string text) => Assert.IsFalse(Period.TryParse(text, out _));

    [TestMethod]
    [DataRow("12", "12")]
    [DataRow("12%", "12")]
    [DataRow("12.0 %", "12")]
    [DataRow("１２％", "12")]
    [DataRow("０．５", "0.5")]
    [DataRow("-0.5", "-0.5")]
    public void Rates_ArePercent(string text, string expected)
    {
        Assert.IsTrue(NumberParser.TryParseRate(text, out var value));
        Assert.AreEqual(decimal.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), value);
    }

    [TestMethod]
    [DataRow("1,234.50", "1234.50")]
    [DataRow("１，２３４．５", "1234.5")]
    [DataRow("¥8000", "8000")]
    [DataRow("100000.01", "100000.01")]
    public void Amounts_AcceptSeparatorsAndFullWidth(string text, string expected)
    {
        Assert.IsTrue(NumberParser.TryParseAmount(text, out var value));
        Assert.AreEqual(decimal.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), value);
    }

    [TestMethod]
    [DataRow("1,2,3")]
    [DataRow("12,34")]
    [DataRow("twelve")]
    [DataRow("12..5")]
    [DataRow("")]
    public void MalformedNumbers_AreRefused(string text) => Assert.IsFalse(NumberParser.TryParseAmount(text, out _));
    [TestMethod]
    [DataRow("12.")]
    [DataRow(".5")]
    [DataRow("+3")]
    [DataRow("-0.25")]
    [DataRow("007.10")]
    [DataRow("1234567890123456789")]
    [DataRow("0.000000000000000001")]
    [DataRow(" 42 ")]
    public void PlainNumbers_ReadExactlyAsDecimalParseReadsThem(string text)
    {
        var expected = decimal.Parse(text, System.Globalization.NumberStyles.Number, System.Globalization.CultureInfo.InvariantCulture);

        Assert.IsTrue(NumberParser.TryParseAmount(text.AsSpan(), out var value));

        Assert.AreEqual(expected, value);
        Assert.AreEqual(expected.Scale, value.Scale);
    }

    [TestMethod]
    public void RandomAmountsAndRates_RoundTripWithTheirScale()
    {
        var random = new Random(48);
        for (var i = 0; i < 20_000; i++)
        {
            var scale = random.Next(0, 5);
            var mantissa = random.NextInt64(0, 100_000_000_000);
            var number = new decimal((int)(mantissa & 0xFFFFFFFF), (int)(mantissa >> 32), 0, random.Next(10) == 0, (byte)scale);
            var text = number.ToString(System.Globalization.CultureInfo.InvariantCulture);

            Assert.IsTrue(NumberParser.TryParseAmount(text.AsSpan(), out var amount), text);
            Assert.IsTrue(NumberParser.TryParseRate((text + "%").AsSpan(), out var rate), text);

            Assert.AreEqual(number, amount, text);
            Assert.AreEqual(number.Scale, amount.Scale, text);
            Assert.AreEqual(number, rate, text);
        }
    }

    [TestMethod]
    [DataRow("12.50", 1)]
    [DataRow("12.00", 0)]
    [DataRow("0.125", 3)]
    [DataRow("100", 0)]
    public void Scale_IgnoresTrailingZeros(string text, int expected) =>
        Assert.AreEqual(expected, NumberParser.Scale(decimal.Parse(text, System.Globalization.CultureInfo.InvariantCulture)));
}
