namespace Compliance.Core.Filings;

/// <summary>
/// China Standard Time, UTC+8 all year (no daylight saving): the clock filing months, digests and
/// exemption end dates are counted in, whatever time zone the server runs in.
/// </summary>
public static class ChinaTime
{
    public static readonly TimeSpan Offset = TimeSpan.FromHours(8);

    /// <summary>The calendar month an instant falls in, in China.</summary>
    public static Period MonthOf(DateTimeOffset instant)
    {
        var china = instant.ToOffset(Offset);
        return new Period(china.Year, china.Month);
    }

    /// <summary>The calendar day an instant falls on, in China.</summary>
    public static DateOnly Today(DateTimeOffset instant) => DateOnly.FromDateTime(instant.ToOffset(Offset).DateTime);

    /// <summary>The instant a day ends in China (midnight starting the next day). Callers bound the day: DateOnly.MaxValue has no next day.</summary>
    public static DateTimeOffset EndOf(DateOnly day) => new(day.AddDays(1).ToDateTime(TimeOnly.MinValue), Offset);
}
