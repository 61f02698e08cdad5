using ParkingLot.Cloud.Bookings;

namespace ParkingLot.Cloud.Tests.Bookings;

/// <summary>The booking state machine as a table: every (from, to) pair of states, legal or refused.</summary>
public sealed class BookingLifecycleTests
{
    // Rows: from; columns: to, in enum order Held, Confirmed, Cancelled, Expired, Refunded.
    private static readonly Dictionary<string, string> Table = new()
    {
        ["held"] = "- y y y -",
        ["confirmed"] = "- - y - y",
        ["cancelled"] = "- - - - -",
        ["expired"] = "- - - - -",
        ["refunded"] = "- - - - -",
    };

    public static TheoryData<string, string, bool> Pairs()
    {
        var data = new TheoryData<string, string, bool>();
        var states = Enum.GetValues<BookingStatus>();
        Assert.Equal(states.Length, Table.Count);
        foreach (var from in states)
        {
            var row = Table[Name(from)].Split(' ');
            Assert.Equal(states.Length, row.Length);
            for (var i = 0; i < states.Length; i++)
            {
                data.Add(Name(from), Name(states[i]), row[i] == "y");
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Pairs))]
    public void CanMove_EveryPair_AsTheTable(string from, string to, bool allowed) =>
        Assert.Equal(allowed, BookingLifecycle.CanMove(Parse(from), Parse(to)));

    [Fact]
    public void HasPassAndIsActive_OnlyConfirmedHasAPassHeldAndConfirmedAreActive()
    {
        var states = Enum.GetValues<BookingStatus>();

        Assert.Equal([BookingStatus.Confirmed], states.Where(BookingLifecycle.HasPass));
        Assert.Equal([BookingStatus.Held, BookingStatus.Confirmed], states.Where(BookingLifecycle.IsActive));
    }

    [Fact]
    public void Cancelled_RefundDecidesTheState()
    {
        Assert.Equal(BookingStatus.Refunded, BookingLifecycle.Cancelled(1));
        Assert.Equal(BookingStatus.Cancelled, BookingLifecycle.Cancelled(0));
        Assert.True(BookingLifecycle.RevokesPass(BookingStatus.Confirmed, BookingStatus.Refunded));
        Assert.False(BookingLifecycle.RevokesPass(BookingStatus.Held, BookingStatus.Cancelled));
    }

    private static string Name(BookingStatus status) => status.ToString().ToLowerInvariant();

    private static BookingStatus Parse(string name) => Enum.Parse<BookingStatus>(name, ignoreCase: true);
}
