using System.Security.Claims;

namespace ParkingLot.Cloud.Auth;

/// <summary>
/// Which lots a caller may manage: an admin every lot, an operator the lots assigned to them
/// (<c>PUT /api/v1/admin/users/{id}/lots</c>), anyone else none. Admin endpoints for a lot call it
/// after the <c>operator</c> policy and answer 404 when it says no, so lot ids cannot be probed.
/// </summary>
internal sealed class LotScope(IAccountStore store)
{
    public async Task<bool> CanManageAsync(ClaimsPrincipal user, string lotId, CancellationToken cancellationToken = default)
    {
        if (user.IsAdmin())
        {
            return true;
        }

        return user.IsInRole(Roles.Operator)
            && user.TryGetUserId(out var userId)
            && await store.IsOperatorOfLotAsync(userId, lotId, cancellationToken);
    }
}
