using Microsoft.AspNetCore.Http.HttpResults;

namespace ParkingLot.Cloud.Auth;

/// <summary>The problems of the auth and account endpoints.</summary>
internal static class AuthProblems
{
    public static ProblemHttpResult InvalidCredentials() =>
        TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Invalid credentials",
            detail: "The e-mail address or password is wrong.");

    public static ProblemHttpResult InvalidRefreshToken() =>
        TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Invalid refresh token",
            detail: "The refresh token is unknown, expired or already used; sign in again.");

    public static ProblemHttpResult EmailTaken() =>
        TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "E-mail already registered",
            detail: "An account with this e-mail address exists; sign in instead.");

    public static ProblemHttpResult UnknownUser(Guid id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown user", detail: $"There is no user '{id}'.");

    public static ProblemHttpResult UnknownVehicle(Guid id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown vehicle", detail: $"You have no vehicle '{id}'.");

    public static ProblemHttpResult DuplicatePlate(string plate) =>
        TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Vehicle already added",
            detail: $"Your profile already has a vehicle with plate '{plate}'.");

    public static ProblemHttpResult LastAdmin(Guid id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Last admin",
            detail: $"User '{id}' is the only admin; make another user admin before removing this one's admin role.");

    public static ValidationProblem Invalid(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] });
}
