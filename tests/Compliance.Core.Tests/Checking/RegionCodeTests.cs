using Compliance.Core.Filings;

namespace Compliance.Core.Tests.Checking;

[TestClass]
public sealed class RegionCodeTests
{
    [TestMethod]
    [DataRow("510100", true, "成都市")]
    [DataRow("820000", true, "澳门")]
    [DataRow("000000", false, "no province 00: national is a scope, not a region")]
    [DataRow("991234", false, "no province 99")]
    [DataRow("51010", false, "five digits")]
    [DataRow("５１０１００", false, "full-width digits are normalised by the reader, not accepted here")]
    [DataRow("51010a", false, "a letter")]
    [DataRow(null, false, "nothing")]
    public void TryParse_AcceptsSixDigitsOfAProvince(string? text, bool valid, string why) =>
        Assert.AreEqual(valid, RegionCode.TryParse(text, out _), why);

    [TestMethod]
    public void Scope_IsARegionOrNational() =>
        Assert.AreEqual((true, true, false), (RegionCode.IsScope("000000"), RegionCode.IsScope("520000"), RegionCode.IsScope("51")));

    [TestMethod]
    public void FromUscc_IsTheRegistrationDivision()
    {
        Assert.IsTrue(RegionCode.TryFromUscc("91510600G612DD2721", out var deyang));
        Assert.AreEqual("510600", deyang.Value);
        Assert.IsFalse(RegionCode.TryFromUscc("91990600G612DD2721", out _), "no province 99");
    }
}
