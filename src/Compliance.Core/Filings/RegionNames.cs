using System.Collections.Frozen;
using Compliance.Core.Digests;
using Compliance.Core.Policies;

namespace Compliance.Core.Filings;

/// <summary>
/// Names of the regions a regulator reads: every province-level division, and the 21 cities and prefectures of
/// Sichuan, which the seed documents name. A district, and a city elsewhere, is shown by its code.
/// </summary>
public static class RegionNames
{
    private static readonly FrozenDictionary<string, LocalizedText> Known = new Dictionary<string, LocalizedText>
    {
        ["110000"] = new("北京市", "Beijing"), ["120000"] = new("天津市", "Tianjin"), ["130000"] = new("河北省", "Hebei"),
        ["140000"] = new("山西省", "Shanxi"), ["150000"] = new("内蒙古自治区", "Inner Mongolia"), ["210000"] = new("辽宁省", "Liaoning"),
        ["220000"] = new("吉林省", "Jilin"), ["230000"] = new("黑龙江省", "Heilongjiang"), ["310000"] = new("上海市", "Shanghai"),
        ["320000"] = new("江苏省", "Jiangsu"), ["330000"] = new("浙江省", "Zhejiang"), ["340000"] = new("安徽省", "Anhui"),
        ["350000"] = new("福建省", "Fujian"), ["360000"] = new("江西省", "Jiangxi"), ["370000"] = new("山东省", "Shandong"),
        ["410000"] = new("河南省", "Henan"), ["420000"] = new("湖北省", "Hubei"), ["430000"] = new("湖南省", "Hunan"),
        ["440000"] = new("广东省", "Guangdong"), ["450000"] = new("广西壮族自治区", "Guangxi"), ["460000"] = new("海南省", "Hainan"),
        ["500000"] = new("重庆市", "Chongqing"), ["510000"] = new("四川省", "Sichuan"), ["520000"] = new("贵州省", "Guizhou"),
        ["530000"] = new("云南省", "Yunnan"), ["540000"] = new("西藏自治区", "Tibet"), ["610000"] = new("陕西省", "Shaanxi"),
        ["620000"] = new("甘肃省", "Gansu"), ["630000"] = new("青海省", "Qinghai"), ["640000"] = new("宁夏回族自治区", "Ningxia"),
        ["650000"] = new("新疆维吾尔自治区", "Xinjiang"), ["710000"] = new("台湾省", "Taiwan"), ["810000"] = new("香港特别行政区", "Hong Kong"),
        ["820000"] = new("澳门特别行政区", "Macao"),
        ["510100"] = new("成都市", "Chengdu"), ["510300"] = new("自贡市", "Zigong"), ["510400"] = new("攀枝花市", "Panzhihua"),
        ["510500"] = new("泸州市", "Luzhou"), ["510600"] = new("德阳市", "Deyang"), ["510700"] = new("绵阳市", "Mianyang"),
        ["510800"] = new("广元市", "Guangyuan"), ["510900"] = new("遂宁市", "Suining"), ["511000"] = new("内江市", "Neijiang"),
        ["511100"] = new("乐山市", "Leshan"), ["511300"] = new("南充市", "Nanchong"), ["511400"] = new("眉山市", "Meishan"),
        ["511500"] = new("宜宾市", "Yibin"), ["511600"] = new("广安市", "Guang'an"), ["511700"] = new("达州市", "Dazhou"),
        ["511800"] = new("雅安市", "Ya'an"), ["511900"] = new("巴中市", "Bazhong"), ["512000"] = new("资阳市", "Ziyang"),
        ["513200"] = new("阿坝藏族羌族自治州", "Aba"), ["513300"] = new("甘孜藏族自治州", "Garzê"), ["513400"] = new("凉山彝族自治州", "Liangshan"),
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>The region's name, or its code where no name is known; the nation for 000000.</summary>
    public static LocalizedText Of(string region) =>
        region == RegionCode.National ? new LocalizedText("全国", "China")
        : Known.TryGetValue(region, out var name) ? name
        : new LocalizedText(region, region);

    /// <summary>A region as a reader knows it: 四川省 (510000) where its name is known, the code alone otherwise.</summary>
    public static string Display(string region) => Of(region).Zh is var name && name != region ? $"{name} ({region})" : region;

    /// <summary>The province-level divisions, in code order: what a national regulator's overview breaks down into.</summary>
    public static IReadOnlyList<string> Provinces { get; } = [.. Known.Keys.Where(k => k.EndsWith("0000", StringComparison.Ordinal)).Order(StringComparer.Ordinal)];

    /// <summary>
    /// The region one level below <paramref name="scope"/> that <paramref name="region"/> lies in: its province
    /// for the nation, its city for a province, itself below that.
    /// </summary>
    public static string ChildOf(string scope, string region) => DigestBuilder.RegionPrefix(scope).Length switch
    {
        0 => region[..2] + "0000",
        2 => region[..4] + "00",
        _ => region,
    };
}
