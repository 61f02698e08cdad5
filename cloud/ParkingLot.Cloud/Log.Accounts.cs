namespace ParkingLot.Cloud;

/// <summary>Accounts: the first admin, sign-out, password changes (event ids 9600–9649). Never a password or token.</summary>
internal static partial class Log
{
    [LoggerMessage(9600, LogLevel.Critical, "Admin:Email {Email} is an existing account whose password is not Admin:Password: not made admin, the service does not start. Set Admin:Password to that account's password, or choose another Admin:Email")]
    public static partial void AdminPromotionRefused(ILogger logger, string email);

    [LoggerMessage(9601, LogLevel.Information, "User {UserId} changed their password; {Revoked} refresh tokens revoked")]
    public static partial void PasswordChanged(ILogger logger, Guid userId, int revoked);

    [LoggerMessage(9602, LogLevel.Information, "User {UserId} signed out everywhere; {Revoked} refresh tokens revoked")]
    public static partial void SignedOutEverywhere(ILogger logger, Guid userId, int revoked);

    [LoggerMessage(9603, LogLevel.Warning, "Refused to remove the admin role of user {UserId}: it is the last admin")]
    public static partial void LastAdminKept(ILogger logger, Guid userId);
}
