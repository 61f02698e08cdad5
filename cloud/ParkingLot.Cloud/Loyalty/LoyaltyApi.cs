using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using ParkingLot.Cloud.Auth;
using ParkingLot.Cloud.Payments;

namespace ParkingLot.Cloud.Loyalty;

/// <summary><c>GET /api/v1/me/loyalty</c>: the caller's points, tier and ledger.</summary>
internal static class LoyaltyApi
{
    /// <summary>Ledger entries listed, newest first.</summary>
    public const int ListLimit = 200;

    public static IEndpointRouteBuilder MapLoyalty(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/me/loyalty", GetLoyalty).WithTags("Loyalty").WithName(nameof(GetLoyalty)).RequireAuthorization(Policies.Driver);
        return app;
    }

    public static async Task<Ok<LoyaltyResponse>> GetLoyalty(ClaimsPrincipal user, IPaymentStore store, CancellationToken cancellationToken)
    {
        var account = await store.LoyaltyAsync(user.GetUserId().ToString("D"), ListLimit, cancellationToken);
        var next = LoyaltyRules.Tiers.FirstOrDefault(t => t.FromPoints > account.EarnedPoints);
        return TypedResults.Ok(new LoyaltyResponse(
            account.Balance, account.EarnedPoints, account.Tier.Name, account.Tier.DiscountPercent, next?.Name, next?.FromPoints, account.Entries));
    }
}

/// <summary>Points (1 point = 1 minor unit when redeemed), the tier by points earned, the next tier, and the ledger.</summary>
internal sealed record LoyaltyResponse(
    long Points, long EarnedPoints, string Tier, int DiscountPercent, string? NextTier, long? NextTierFromPoints, IReadOnlyList<LoyaltyEntry> Entries);
