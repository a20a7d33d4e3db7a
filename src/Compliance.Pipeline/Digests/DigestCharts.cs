using System.Globalization;
using Compliance.Core.Digests;
using Compliance.Core.Filings;
using ScottPlot;
using SkiaSharp;

namespace Compliance.Pipeline.Digests;

/// <summary>A chart of the digest: its id (the content id in the mail), what it shows in words, the PNG, and the size it is shown at.</summary>
public sealed record DigestChart(string Id, string Alt, byte[] Png, int Width, int Height)
{
    public ChartImage Image(string source) => new(source, Alt, Width, Height);
}

/// <summary>
/// The regulator digest's charts, drawn with ScottPlot: a title, labelled axes, and the number at the end of every
/// bar, so a chart reads without colour and without the table next to it. Rules are labelled with their Chinese
/// title and id, regions with their names, months as yyyy-MM. Chinese is drawn with the font this assembly carries
/// (<see cref="ChartFont"/>): a Linux host has none, and without one every label would be a row of boxes.
/// </summary>
public static class DigestCharts
{
    /// <summary>Width in CSS pixels, as the mail shows it; the PNG has twice the pixels for sharp text on high-density screens.</summary>
    public const int Width = 640;

    /// <summary>Bars in a chart of rules or regions; the rest are summed into one "others" bar.</summary>
    public const int MaxBars = 12;

    // A rule title longer than this is cut with an ellipsis; the table beside the chart has it whole.
    private const int MaxTitleLength = 18;
    private const float Scale = 2;
    private const int BarHeight = 44;

    private static readonly Color Bar = Color.FromHex("#2F6FB3");

    // ScottPlot's font registry is process-wide state; one chart at a time keeps it consistent.
    private static readonly Lock OneAtATime = new();

    /// <summary>Tests see each plot as it is about to be drawn (its labels and their fonts).</summary>
    internal static Action<Plot>? Drawing { get; set; }

    /// <summary>The regulator digest's three charts: by rule, by region, the six-month trend.</summary>
    public static IReadOnlyList<DigestChart> Render(RegulatorDigest digest)
    {
        ArgumentNullException.ThrowIfNull(digest);
        return [ByRule(digest), ByRegion(digest), Trend(digest)];
    }

    /// <summary>Findings by rule, largest first: each bar labelled with the rule's Chinese title over its id.</summary>
    public static DigestChart ByRule(RegulatorDigest digest)
    {
        ArgumentNullException.ThrowIfNull(digest);
        var bars = Top(digest.ByRule.Select(c => (Label: Shorten(digest.TitleOf(c.Key)) is { Length: > 0 } title ? $"{title}\n{c.Key}" : c.Key, c.Count)));
        return Horizontal(DigestHtml.RuleChartId, $"按规则 Findings by rule · {digest.Month}", bars);
    }

    /// <summary>Findings by region, largest first: regions by name where the workspace knows it, by code otherwise.</summary>
    public static DigestChart ByRegion(RegulatorDigest digest)
    {
        ArgumentNullException.ThrowIfNull(digest);
        var bars = Top(digest.ByRegion.Select(c => (Label: RegionLabel(c.Key), c.Count)));
        return Horizontal(DigestHtml.RegionChartId, $"按地区 Findings by region · {digest.Month}", bars);
    }

    /// <summary>Findings per month for the six months ending with the digest's, oldest first, each bar with its count.</summary>
    public static DigestChart Trend(RegulatorDigest digest)
    {
        ArgumentNullException.ThrowIfNull(digest);
        var title = $"近六个月 Findings, six months to {digest.Month}";
        const int height = 300;
        var png = Draw(plot =>
        {
            var months = digest.Trend.Select(t => t.Month.ToString()).ToArray();
            plot.Add.Bars(digest.Trend.Select((t, i) => NewBar(i, t.Count)).ToList());
            plot.Axes.Bottom.SetTicks([.. Enumerable.Range(0, months.Length).Select(i => (double)i)], months);
            CountAxis(plot.Axes.Left, ticks: 5);
            plot.Axes.Margins(bottom: 0, top: 0.18);
            plot.Grid.XAxisStyle.MajorLineStyle.Width = 0;
            plot.Title(title);
            plot.YLabel("违规事项 Findings");
        }, height);
        return new DigestChart(DigestHtml.TrendChartId, $"{title}: {string.Join(", ", digest.Trend.Select(t => $"{t.Month} {t.Count}"))}", png, Width, height);
    }

    // Counts are whole numbers: no 2.5 findings between the ticks.
    private static void CountAxis(ScottPlot.IAxis axis, int ticks)
    {
        axis.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true, TargetTickCount = ticks };
        axis.MinorTickStyle.Length = 0;
    }

    private static DigestChart Horizontal(string id, string title, IReadOnlyList<(string Label, int Count)> bars)
    {
        var height = 110 + (BarHeight * Math.Max(1, bars.Count));
        var png = Draw(plot =>
        {
            // Largest at the top: ScottPlot counts positions upwards.
            var barPlot = plot.Add.Bars(bars.Select((b, i) => NewBar(bars.Count - 1 - i, b.Count)).ToList());
            barPlot.Horizontal = true;
            plot.Axes.Left.SetTicks([.. Enumerable.Range(0, bars.Count).Select(i => (double)(bars.Count - 1 - i))], [.. bars.Select(b => b.Label)]);
            plot.Axes.Left.MajorTickStyle.Length = 0;
            CountAxis(plot.Axes.Bottom, ticks: 6);
            plot.Axes.Margins(left: 0, right: 0.15);
            plot.Grid.YAxisStyle.MajorLineStyle.Width = 0;
            plot.Title(title);
            plot.XLabel("违规事项 Findings");
            if (bars.Count == 0)
            {
                plot.Axes.Left.SetTicks([0], ["无 None"]);
            }
        }, height);
        var alt = bars.Count == 0 ? $"{title}: 无 none" : $"{title}: {string.Join(", ", bars.Select(b => $"{b.Label.Replace('\n', ' ')} {b.Count}"))}";
        return new DigestChart(id, alt, png, Width, height);
    }

    private static ScottPlot.Bar NewBar(int position, int count) => new()
    {
        Position = position,
        Value = count,
        Label = count.ToString(CultureInfo.InvariantCulture),
        FillColor = Bar,
        Size = 0.6,
    };

    private static byte[] Draw(Action<Plot> compose, int height)
    {
        lock (OneAtATime)
        {
            using var plot = new Plot();
            compose(plot);
            plot.ScaleFactor = Scale;
            plot.Axes.Title.Label.FontSize = 16;

            // Last, so that every label made above (tick labels included) draws with the shipped font; the bars'
            // counts too, which Font.Set does not reach (a host without fonts would draw them with none).
            plot.Font.Set(ChartFont.Ensure());
            foreach (var bars in plot.GetPlottables<ScottPlot.Plottables.BarPlot>())
            {
                bars.ValueLabelStyle.FontSize = 13;
                bars.ValueLabelStyle.FontName = ChartFont.Family;
            }

            Drawing?.Invoke(plot);
            return plot.GetImageBytes((int)(Width * Scale), (int)(height * Scale), ImageFormat.Png);
        }
    }

    private static List<(string Label, int Count)> Top(IEnumerable<(string Label, int Count)> counts)
    {
        var all = counts.OrderByDescending(c => c.Count).ToList();
        if (all.Count <= MaxBars)
        {
            return all;
        }

        var rest = all.Skip(MaxBars - 1).ToList();
        return [.. all.Take(MaxBars - 1), ($"其他 {rest.Count} 项 Others", rest.Sum(c => c.Count))];
    }

    private static string RegionLabel(string region)
    {
        var name = RegionNames.Of(region).Zh;
        return name != region && ChartFont.Covers(name) ? $"{name} {region}" : region;
    }

    private static string Shorten(string? title) =>
        title is null || !ChartFont.Covers(title) ? string.Empty
        : title.Length <= MaxTitleLength ? title
        : string.Concat(title.AsSpan(0, MaxTitleLength - 1), "…");
}

/// <summary>
/// The font the charts draw with: a subset of Noto Sans CJK SC (GB 2312's 6,763 hanzi, Latin, punctuation),
/// embedded in this assembly and registered with ScottPlot under a name no system font has, so a chart never
/// depends on what the host has installed.
/// </summary>
public static class ChartFont
{
    public const string Family = "Compliance Noto Sans SC";

    private static readonly Lazy<SKData> Data = new(Load);

    // One typeface for glyph questions, kept for the life of the process.
    private static readonly Lazy<SKTypeface> Face = new(() => SKTypeface.FromData(Data.Value));

    private static readonly Lazy<bool> Registered = new(() =>
    {
        Fonts.FontResolvers.Insert(0, new Resolver());
        return true;
    });

    /// <summary>Glyphs in the shipped subset (the full Noto Sans CJK SC has 65,535).</summary>
    public static int GlyphCount => Face.Value.GlyphCount;

    /// <summary>Registers the font with ScottPlot, once, and gives the name to draw with.</summary>
    public static string Ensure()
    {
        _ = Registered.Value;
        return Family;
    }

    /// <summary>Whether every character of <paramref name="text"/> has a glyph in the subset (line breaks aside).</summary>
    public static bool Covers(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        using var font = new SKFont(Face.Value);
        return font.ContainsGlyphs(text.Replace("\n", string.Empty, StringComparison.Ordinal));
    }

    private static SKData Load()
    {
        using var stream = typeof(ChartFont).Assembly.GetManifestResourceStream("Compliance.Pipeline.Digests.NotoSansSC-Subset.otf")
            ?? throw new InvalidOperationException("The charts' font is not embedded in Compliance.Pipeline.");
        return SKData.Create(stream);
    }

    // ScottPlot asks its resolvers in order and takes the first typeface; this one answers only for Family,
    // with a new typeface over the shared font bytes each time, as the interface asks.
    private sealed class Resolver : IFontResolver
    {
        public SKTypeface? CreateTypeface(string fontName, bool bold, bool italic) =>
            fontName == Family ? SKTypeface.FromData(Data.Value) : null;

        public SKTypeface? CreateTypeface(string fontName, FontWeight weight, FontSlant slant, FontSpacing width) =>
            fontName == Family ? SKTypeface.FromData(Data.Value) : null;
    }
}
