namespace ParkingLot.Cloud.Auth;

/// <summary>
/// The four roles (DESIGN §6). A role is a claim <c>role</c> in the access token; the policy of the
/// same name admits that role and admin, since an admin may do anything another role may.
/// </summary>
internal static class Roles
{
    public const string Driver = "driver";
    public const string Operator = "operator";
    public const string Technician = "technician";
    public const string Admin = "admin";

    public static IReadOnlyList<string> All { get; } = [Driver, Operator, Technician, Admin];

    public static bool IsValid(string? role) => role is not null && All.Contains(role, StringComparer.Ordinal);
}

/// <summary>Authorization policy names for <c>RequireAuthorization(...)</c>; each equals its role's name.</summary>
internal static class Policies
{
    public const string Driver = Roles.Driver;
    public const string Operator = Roles.Operator;
    public const string Technician = Roles.Technician;
    public const string Admin = Roles.Admin;
}
