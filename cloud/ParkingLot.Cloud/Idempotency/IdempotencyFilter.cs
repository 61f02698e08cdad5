using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using ParkingLot.Cloud.Auth;

namespace ParkingLot.Cloud.Idempotency;

/// <summary>
/// Honours <c>Idempotency-Key</c> on the POST it is attached to (<c>.WithIdempotency()</c>). The first
/// request with a key claims it (with an owner token of its own) and runs; its response (status, content
/// type, location, body) is stored for <see cref="IdempotencyOptions.Expiry"/>; a repeat with the same
/// key, caller and request (method, path, body bytes) gets that response back without running again,
/// marked <c>Idempotent-Replayed: true</c>. The same key with another request is 422; while the first is
/// still running, 409 with Retry-After.
/// <para>
/// Exactly once: a refusal decided before any write (<see cref="IsDecidedBeforeAnyWrite"/>: 400, 404,
/// 422) and a failure before the effect (an exception, a 5xx) release the key, so a corrected request
/// or a retry with it runs. Work after the commit (cache refresh, notifications) is best-effort in
/// the services and cannot fail the request, so a committed effect always completes the key; the
/// store writes here run on <see cref="CancellationToken.None"/>, which a client abort does not cancel.
/// </para>
/// </summary>
internal sealed class IdempotencyFilter(IIdempotencyStore store, IOptions<IdempotencyOptions> options, TimeProvider timeProvider) : IEndpointFilter
{
    public const string HeaderName = "Idempotency-Key";
    public const string ReplayedHeaderName = "Idempotent-Replayed";
    public const int MaxKeyLength = 255;

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        if (!http.Request.Headers.TryGetValue(HeaderName, out var values))
        {
            return await next(context);
        }

        if (values.Count != 1 || !IsValidKey(values[0]))
        {
            return IdempotencyProblems.InvalidKey();
        }

        var cancellationToken = http.RequestAborted;
        var key = new IdempotencyKey(Scope(http), values[0]!);
        var fingerprint = await FingerprintAsync(http.Request, cancellationToken);
        var now = timeProvider.GetUtcNow();
        var settings = options.Value;
        var owner = Guid.NewGuid().ToString("N");
        var claim = await store.TryClaimAsync(key, fingerprint, owner, now, now + settings.InProgressTimeout, now + settings.Expiry, cancellationToken);
        if (!string.Equals(claim.Fingerprint, fingerprint, StringComparison.Ordinal))
        {
            return IdempotencyProblems.KeyReused();
        }

        switch (claim.State)
        {
            case IdempotencyState.Completed:
                return new StoredResult(claim.Response!, Replayed: true);
            case IdempotencyState.InProgress:
                http.Response.Headers.RetryAfter = "1";
                return IdempotencyProblems.InProgress();
        }

        StoredResponse response;
        try
        {
            response = await CaptureAsync(http, await next(context));
        }
        catch
        {
            await store.ReleaseAsync(key, owner, CancellationToken.None);
            throw;
        }

        // Past this point the work is done: keep its outcome even if the client went away meanwhile.
        if (response.StatusCode >= StatusCodes.Status500InternalServerError || IsDecidedBeforeAnyWrite(response.StatusCode))
        {
            await store.ReleaseAsync(key, owner, CancellationToken.None);
        }
        else
        {
            // False when this request outlived its lock and a retry took the key over: the retry's
            // outcome is the one kept, and this response is still the true answer to this request.
            await store.CompleteAsync(key, owner, response, CancellationToken.None);
        }

        return new StoredResult(response, Replayed: false);
    }

    /// <summary>
    /// The refusals every endpoint decides from the request and a read before it writes anything: bad
    /// input (400), an unknown target (404), a request that cannot be processed as sent (422). Storing
    /// them would pin the key to a mistake; releasing lets a corrected request with the same key run.
    /// A 409 (nothing free, not cancellable) is an answer about the state, stored like a success.
    /// </summary>
    public static bool IsDecidedBeforeAnyWrite(int statusCode) =>
        statusCode is StatusCodes.Status400BadRequest or StatusCodes.Status404NotFound or StatusCodes.Status422UnprocessableEntity;

    /// <summary>1–255 visible ASCII characters (a UUID is the usual choice).</summary>
    public static bool IsValidKey(string? key) =>
        key is { Length: > 0 and <= MaxKeyLength } && key.All(c => c is > ' ' and <= '~');

    private static string Scope(HttpContext http) =>
        http.User.TryGetUserId(out var userId) ? userId.ToString("D") : "anonymous";

    /// <summary>SHA-256 over method, path, query and the raw body (buffered by <c>UseIdempotency()</c>).</summary>
    private static async Task<string> FingerprintAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (!request.Body.CanSeek)
        {
            throw new InvalidOperationException("The request body is not buffered: app.UseIdempotency() must run before the endpoints.");
        }

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes($"{request.Method} {request.PathBase}{request.Path}{request.QueryString}\n"));
        request.Body.Position = 0;
        var buffer = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(buffer, cancellationToken)) > 0)
        {
            hash.AppendData(buffer, 0, read);
        }

        request.Body.Position = 0;
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>Runs the handler's result into a buffer instead of the wire, so it can be stored and replayed.</summary>
    private static async Task<StoredResponse> CaptureAsync(HttpContext http, object? result)
    {
        var executable = result switch
        {
            IResult r => r,
            string text => TypedResults.Text(text),
            null => TypedResults.Ok(),
            _ => TypedResults.Json(result),
        };

        // The effect has happened: render its response even if the client hung up meanwhile (results
        // serialise on RequestAborted), or the key would be freed and a retry would run it again.
        var original = http.Response.Body;
        var aborted = http.RequestAborted;
        using var buffer = new MemoryStream();
        http.Response.Body = buffer;
        http.RequestAborted = CancellationToken.None;
        try
        {
            await executable.ExecuteAsync(http);
            await http.Response.BodyWriter.FlushAsync(CancellationToken.None);
        }
        finally
        {
            http.Response.Body = original;
            http.RequestAborted = aborted;
        }

        var location = http.Response.Headers.Location;
        return new StoredResponse(
            http.Response.StatusCode, http.Response.ContentType, location.Count > 0 ? location.ToString() : null, buffer.ToArray());
    }

    /// <summary>Writes a stored response: the first time and every replay alike.</summary>
    private sealed record StoredResult(StoredResponse Response, bool Replayed) : IResult, IStatusCodeHttpResult
    {
        int? IStatusCodeHttpResult.StatusCode => Response.StatusCode;

        public async Task ExecuteAsync(HttpContext httpContext)
        {
            var http = httpContext.Response;
            http.StatusCode = Response.StatusCode;
            http.ContentType = Response.ContentType;
            if (Response.Location is not null)
            {
                http.Headers.Location = Response.Location;
            }

            if (Replayed)
            {
                http.Headers[ReplayedHeaderName] = "true";
            }

            http.ContentLength = Response.Body.Length;
            await http.Body.WriteAsync(Response.Body, httpContext.RequestAborted);
        }
    }
}

internal static class IdempotencyProblems
{
    public static ProblemHttpResult InvalidKey() =>
        TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid Idempotency-Key",
            detail: $"Send one {IdempotencyFilter.HeaderName} header of 1–{IdempotencyFilter.MaxKeyLength} visible ASCII characters, e.g. a UUID.");

    public static ProblemHttpResult KeyReused() =>
        TypedResults.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: "Idempotency-Key reused",
            detail: "This Idempotency-Key was used for a different request; use a new key for a new request.");

    public static ProblemHttpResult InProgress() =>
        TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Request in progress",
            detail: "A request with this Idempotency-Key is still running; retry shortly to get its response.");
}
