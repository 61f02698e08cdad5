namespace ParkingLot.Cloud.Loyalty;

/// <summary>A loyalty tier: reached at <see cref="FromPoints"/> points earned, worth <see cref="DiscountPercent"/> off every payment.</summary>
internal sealed record LoyaltyTier(string Name, long FromPoints, int DiscountPercent);

/// <summary>
/// The loyalty rules, in one place: 1 point per whole currency unit paid; tiers by the points earned
/// (net of reversals) over all time; a redeemed point is worth 1 minor unit; a payment after its
/// discounts never falls below <see cref="MinimumChargeMinor"/> (the smallest card charge Stripe takes).
/// </summary>
internal static class LoyaltyRules
{
    /// <summary>Stripe's smallest charge in EUR (and most currencies): 0.50.</summary>
    public const long MinimumChargeMinor = 50;

    /// <summary>Lowest first.</summary>
    public static readonly IReadOnlyList<LoyaltyTier> Tiers =
    [
        new("bronze", 0, 0),
        new("silver", 200, 5),
        new("gold", 1000, 10),
    ];

    public static long PointsFor(long paidMinor) => paidMinor / 100;

    public static LoyaltyTier TierOf(long earnedPoints) => Tiers.Last(t => earnedPoints >= t.FromPoints);

    /// <summary>The tier's discount on an amount, rounded down to the minor unit, never below the minimum charge.</summary>
    public static long TierDiscount(long amountMinor, LoyaltyTier tier) =>
        Math.Clamp(amountMinor * tier.DiscountPercent / 100, 0, Math.Max(0, amountMinor - MinimumChargeMinor));

    /// <summary>How many points may pay part of an amount (after the tier discount): the rest must stay at or above the minimum charge.</summary>
    public static long MaxRedeemable(long amountAfterDiscountMinor, long balance) =>
        Math.Max(0, Math.Min(balance, amountAfterDiscountMinor - MinimumChargeMinor));
}
