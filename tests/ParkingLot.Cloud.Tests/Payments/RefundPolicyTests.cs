using ParkingLot.Cloud.Payments;

namespace ParkingLot.Cloud.Tests.Payments;

public sealed class RefundPolicyTests
{
    private static readonly DateTimeOffset Start = new(2030, 5, 1, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(-48 * 60, 999)] // two days before: full
    [InlineData(-24 * 60, 999)] // exactly at the cut-off: still full
    [InlineData(-24 * 60 + 1, 499)] // after the cut-off: 50 %, rounded down to the cent
    [InlineData(-1, 499)]
    [InlineData(0, 0)] // from the start: nothing
    [InlineData(30, 0)]
    public void RefundOf_DefaultPolicy_FullBeforeCutoffHalfAfterNoneFromStart(int minutesFromStart, long expected) =>
        Assert.Equal(expected, new RefundPolicy().RefundOf(999, Start, Start.AddMinutes(minutesFromStart)));

    [Fact]
    public void RefundPolicyOf_LotWithItsOwnPolicy_ThatPolicyElseTheDefault()
    {
        var options = new PaymentsOptions { RefundPolicies = { ["strict"] = new RefundPolicy { FullRefundBefore = TimeSpan.FromDays(7), PartialPercent = 0 } } };

        Assert.Equal(0, options.RefundPolicyOf("strict").RefundOf(1000, Start, Start.AddDays(-2)));
        Assert.Equal(1000, options.RefundPolicyOf("other").RefundOf(1000, Start, Start.AddDays(-2)));
    }
}
