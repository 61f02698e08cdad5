using ParkingLot.Edge.Hardware.Sensors;

namespace ParkingLot.Edge.Tests.Hardware;

public sealed class OccupancyFilterTests
{
    [Fact]
    public void Update_AlternatingReadings_NeverChangesEstablishedState()
    {
        var filter = new OccupancyFilter(3);
        for (var i = 0; i < 3; i++)
        {
            filter.Update(false);
        }

        Assert.False(filter.State);
        var changes = 0;
        for (var i = 0; i < 100; i++)
        {
            changes += filter.Update(i % 2 == 0) ? 1 : 0;
        }

        Assert.Equal(0, changes);
        Assert.False(filter.State);
    }

    [Fact]
    public void Update_TwoAgainstThenOneFor_ResetsTheStreak()
    {
        var filter = new OccupancyFilter(3);
        filter.Update(false);
        filter.Update(false);
        filter.Update(false);

        filter.Update(true);
        filter.Update(true);
        filter.Update(false);
        filter.Update(true);
        filter.Update(true);

        Assert.False(filter.State);
    }

    [Fact]
    public void Update_SustainedChange_SwitchesOnceOnTheNthReading()
    {
        var filter = new OccupancyFilter(3);
        filter.Update(false);
        filter.Update(false);
        filter.Update(false);

        Assert.False(filter.Update(true));
        Assert.False(filter.Update(true));
        Assert.True(filter.Update(true));
        Assert.False(filter.Update(true));
        Assert.True(filter.State);
    }

    [Fact]
    public void State_BeforeEnoughAgreeingReadings_IsNull()
    {
        var filter = new OccupancyFilter(3);
        filter.Update(true);
        filter.Update(true);

        Assert.Null(filter.State);
    }

    [Fact]
    public void UpdateDistance_ReadingsInsideTheGap_DoNotFlap()
    {
        var filter = new OccupancyFilter(1, new DistanceThresholds(OccupiedBelowMm: 1200, FreeAboveMm: 1600));
        filter.UpdateDistance(900);
        Assert.True(filter.State);

        // A sensor hovering around 1400 mm, either side of a single 1400 mm threshold.
        var changes = 0;
        foreach (var mm in new[] { 1390, 1410, 1395, 1590, 1205, 1599, 1400 })
        {
            changes += filter.UpdateDistance(mm) ? 1 : 0;
        }

        Assert.Equal(0, changes);
        Assert.True(filter.State);
    }

    [Fact]
    public void UpdateDistance_BeyondFreeThreshold_SwitchesToFree()
    {
        var filter = new OccupancyFilter(2, new DistanceThresholds(1200, 1600));
        filter.UpdateDistance(800);
        filter.UpdateDistance(800);

        Assert.False(filter.UpdateDistance(2400));
        Assert.True(filter.UpdateDistance(double.PositiveInfinity));
        Assert.False(filter.State);
    }

    [Fact]
    public void Constructor_ThresholdsWithoutGap_Throws() =>
        Assert.Throws<ArgumentException>(() => new OccupancyFilter(1, new DistanceThresholds(1500, 1500)));
}
