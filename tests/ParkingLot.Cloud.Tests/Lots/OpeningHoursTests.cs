using ParkingLot.Cloud.Lots;

namespace ParkingLot.Cloud.Tests.Lots;

public sealed class OpeningHoursTests
{
    private static readonly TimeZoneInfo Berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");

    // Weekdays 07:00–19:00; Friday night 22:00–02:00 (into Saturday); Sunday all day.
    private static readonly OpeningHours[] Hours =
    [
        new([DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday], new TimeOnly(7, 0), new TimeOnly(19, 0)),
        new([DayOfWeek.Friday], new TimeOnly(22, 0), new TimeOnly(2, 0)),
        new([DayOfWeek.Sunday], new TimeOnly(0, 0), new TimeOnly(0, 0)),
    ];

    public static TheoryData<string, string, bool, bool> Instants() => new()
    {
        // local time in Berlin (2031-03-03 is a Monday), closing minute counts as open?, expected
        { "Monday before opening", "2031-03-03T06:59", false, false },
        { "Monday at opening", "2031-03-03T07:00", false, true },
        { "Monday at closing, arriving", "2031-03-03T19:00", false, false },
        { "Monday at closing, leaving", "2031-03-03T19:00", true, true },
        { "Monday a minute after closing, leaving", "2031-03-03T19:01", true, false },
        { "Friday night after midnight-wrapping opening", "2031-03-07T23:30", false, true },
        { "Saturday early, the Friday night entry", "2031-03-08T01:30", false, true },
        { "Saturday after the Friday night entry closed", "2031-03-08T02:30", false, false },
        { "Thursday late (the night entry is Friday's)", "2031-03-06T23:30", false, false },
        { "Sunday all day", "2031-03-09T03:00", false, true },
        { "Saturday noon", "2031-03-08T12:00", false, false },
    };

    [Theory]
    [MemberData(nameof(Instants))]
    public void IsOpenAt_LocalInstant_OpenPerEntry(string scenario, string local, bool closing, bool expected)
    {
        var wall = DateTime.Parse(local, System.Globalization.CultureInfo.InvariantCulture);
        var at = new DateTimeOffset(wall, Berlin.GetUtcOffset(wall));

        Assert.True(expected == OpeningHours.IsOpenAt(Hours, Berlin, at, closing), scenario);
    }

    [Fact]
    public void IsOpenAt_NoEntries_AlwaysOpen()
    {
        Assert.True(OpeningHours.IsOpenAt([], Berlin, new DateTimeOffset(2031, 3, 8, 3, 0, 0, TimeSpan.Zero)));
    }

    [Fact]
    public void ClosedProblem_WindowStartsSaturday_NamesTheEndAndTheHours()
    {
        var lot = new CatalogLot("l-1", "Lot", "Europe/Berlin", null, [], null, [Hours[0]]);
        var saturday = new DateTimeOffset(2031, 3, 8, 10, 0, 0, TimeSpan.FromHours(1));
        var monday = new DateTimeOffset(2031, 3, 10, 8, 0, 0, TimeSpan.FromHours(1));

        var closed = lot.ClosedProblem(saturday, saturday.AddHours(2));
        var lateExit = lot.ClosedProblem(monday, monday.AddHours(12));

        Assert.Equal(
            "Lot 'l-1' is closed when the window starts (Sat 2031-03-08 10:00 Europe/Berlin); opening hours: monday, tuesday, wednesday, thursday, friday 07:00–19:00.",
            closed);
        Assert.Contains("when the window ends (Mon 2031-03-10 20:00", lateExit, StringComparison.Ordinal);
        Assert.Null(lot.ClosedProblem(monday, monday.AddDays(1)));
    }
}
