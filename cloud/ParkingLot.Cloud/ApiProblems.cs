using Microsoft.AspNetCore.Http.HttpResults;

namespace ParkingLot.Cloud;

/// <summary>RFC 7807 problems for expected refusals (I9): the status says which kind, the detail says what to change.</summary>
internal static class ApiProblems
{
    public static ProblemHttpResult Invalid(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid request", detail: detail);

    /// <summary>
    /// A 400 naming the first missing field, or null when all are present. Request records also carry
    /// [Required] for the OpenAPI document and AddValidation; this check holds whatever binds them.
    /// </summary>
    public static ProblemHttpResult? Missing(params (string Name, object? Value)[] fields) =>
        fields.FirstOrDefault(f => f.Value is null) is { Name: { } name } ? Invalid($"{name} is required.") : null;

    public static ProblemHttpResult NotFound(string title, string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: title, detail: detail);

    public static ProblemHttpResult Conflict(string title, string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: title, detail: detail);

    public static ProblemHttpResult Unprocessable(string title, string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: title, detail: detail);
}
