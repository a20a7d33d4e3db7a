using Compliance.Core.Filings;
using Compliance.Core.Reading;

namespace Compliance.Core.Rules;

/// <summary>A number as the row gives it: the exact decimal that decides, and its double for the clear cases.</summary>
internal readonly record struct Figure(decimal Exact, double Approximate);

/// <summary>
/// "At most <see cref="Max"/> percent": of a rate as declared, or of an amount paid on a wage base, where one fen
/// of rounding is allowed. The verdict is always the exact decimal comparison; a value that clears the limit by
/// more than <see cref="Approximation.Margin"/> in doubles (most rows) is settled without decimal arithmetic.
/// That shortcut lives here, once, so a rule using the ceiling reads as its clause.
/// </summary>
internal sealed class PercentCeiling
{
    private readonly decimal fraction;
    private readonly double fractionApproximate;
    private readonly double clearRateBelow;
    private readonly double clearPaidBelow = (double)RecordParser.AmountTolerance - Approximation.Margin;

    public PercentCeiling(decimal max)
    {
        Max = max;
        fraction = max / 100m;
        fractionApproximate = (double)fraction;
        clearRateBelow = (double)max - Approximation.Margin;
    }

    public decimal Max { get; }

    /// <summary>rate &gt; max.</summary>
    public bool IsExceededBy(Figure rate) => !(rate.Approximate < clearRateBelow) && rate.Exact > Max;

    /// <summary>paid − wage × max% &gt; one fen.</summary>
    public bool IsExceededByPaid(Figure paid, Figure wage) =>
        !(wage.Approximate < Approximation.Range && paid.Approximate - (wage.Approximate * fractionApproximate) < clearPaidBelow)
        && paid.Exact - (wage.Exact * fraction) > RecordParser.AmountTolerance;
}
