namespace Compliance.Cli.Tests;

/// <summary><c>compliance-stack recheck</c>: what it refuses before it touches any storage.</summary>
[TestClass]
public sealed class RecheckCommandTests
{
    [TestMethod]
    [DataRow(new string[0], "Give --period yyyy-MM")]
    [DataRow(new[] { "--period", "2016-13" }, "'2016-13' is not a month")]
    [DataRow(new[] { "--period", "June" }, "'June' is not a month")]
    public async Task Recheck_WithoutAMonthOrAReCheck_IsAUsageError(string[] args, string message)
    {
        var (exit, output, error) = await Cli.RunStackAsync(["recheck", .. args]);

        Assert.AreEqual(64, exit);
        Assert.AreEqual(string.Empty, output);
        StringAssert.Contains(error, message);
    }
}
