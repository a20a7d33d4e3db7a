namespace Compliance.Core.Filings;

/// <summary>
/// The rule for using doubles beside the exact decimals: a check may conclude "clearly within the limit"
/// from doubles when the magnitudes are below <see cref="Range"/> and the double result clears the limit
/// by more than <see cref="Margin"/> (the doubles' error there is a few hundredths of it); anything closer, and
/// every violation, is decided in decimals. Most rows are far from every limit, so most never need
/// decimal arithmetic.
/// </summary>
internal static class Approximation
{
    /// <summary>Wage bases and amounts up to a hundred billion yuan (a double's step there is 1.5 × 10⁻⁵); rates are at most 100.</summary>
    public const double Range = 1e11;

    /// <summary>In the units compared: yuan for amounts, percentage points for rates.</summary>
    public const double Margin = 1e-3;
}
