using Compliance.Core.Filings;
using Compliance.Core.Reading;

namespace Compliance.Core.Rules;

/// <summary>A number as the row gives it: the exact decimal that decides, and its double for the clear cases.</summary>
/// <param name="Given">False for an empty cell (the default figure).</param>
internal readonly record struct Figure(decimal Exact, double Approximate, bool Given = true)
{
    /// <summary>The figure of a column the schema does not have.</summary>
    public static readonly Figure None;
}

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
    public bool IsExceededBy(in Figure rate) => !(rate.Approximate < clearRateBelow) && rate.Exact > Max;

    /// <summary>paid − wage × max% &gt; one fen.</summary>
    public bool IsExceededByPaid(in Figure paid, in Figure wage) =>
        !(wage.Approximate < Approximation.Range && paid.Approximate - (wage.Approximate * fractionApproximate) < clearPaidBelow)
        && paid.Exact - (wage.Exact * fraction) > RecordParser.AmountTolerance;
}

/// <summary>
/// "Between <see cref="Min"/> and <see cref="Max"/> percent": of rates added up as declared (exactly), or of
/// amounts paid on a wage base, with a fen of rounding either way. As with <see cref="PercentCeiling"/>, a paid
/// total clearly inside the range in doubles needs no decimal arithmetic; anything near a bound is decided exactly.
/// </summary>
internal sealed class PercentRange
{
    private readonly decimal minFraction;
    private readonly decimal maxFraction;
    private readonly double minFractionApproximate;
    private readonly double maxFractionApproximate;
    private readonly double slack = (double)RecordParser.AmountTolerance - Approximation.Margin;

    public PercentRange(decimal min, decimal max)
    {
        (Min, Max) = (min, max);
        (minFraction, maxFraction) = (min / 100m, max / 100m);
        (minFractionApproximate, maxFractionApproximate) = ((double)minFraction, (double)maxFraction);
    }

    public decimal Min { get; }

    public decimal Max { get; }

    /// <summary>min ≤ total ≤ max, exactly (totals on a bound, such as 1% + 0.5%, are common and legal).</summary>
    public bool Contains(decimal total) => total >= Min && total <= Max;

    /// <summary>The paid total is so far inside the range in doubles that no exact comparison is needed.</summary>
    public bool ClearlyContainsPaid(double paid, double wage) =>
        wage < Approximation.Range && paid > (wage * minFractionApproximate) - slack && paid < (wage * maxFractionApproximate) + slack;

    /// <summary>wage × min% − one fen ≤ paid ≤ wage × max% + one fen, exactly.</summary>
    public bool ContainsPaid(decimal paid, decimal wage) =>
        paid >= (wage * minFraction) - RecordParser.AmountTolerance && paid <= (wage * maxFraction) + RecordParser.AmountTolerance;
}
