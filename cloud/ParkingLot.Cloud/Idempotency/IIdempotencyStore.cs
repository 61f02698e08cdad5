namespace ParkingLot.Cloud.Idempotency;

/// <summary>
/// Remembers <c>Idempotency-Key</c>s and the first response given to each, in the SQL store (SQLite or
/// PostgreSQL), durable like the effects they guard (never in Redis, which may restart empty). <see cref="TryClaimAsync"/> is atomic: of two concurrent requests with one key
/// exactly one gets <see cref="IdempotencyState.Claimed"/>. A claim carries its owner's token: only that
/// owner completes or releases it, so a request that outlived <see cref="IdempotencyOptions.InProgressTimeout"/>
/// cannot overwrite or free the claim a retry took over meanwhile.
/// </summary>
internal interface IIdempotencyStore
{
    /// <summary>
    /// Claims the key for a request with this fingerprint, or returns what holds it. Expired keys and
    /// claims whose <paramref name="lockedUntil"/> passed without a response count as absent.
    /// </summary>
    Task<IdempotencyClaim> TryClaimAsync(
        IdempotencyKey key, string fingerprint, string owner, DateTimeOffset now, DateTimeOffset lockedUntil, DateTimeOffset expiresAt,
        CancellationToken cancellationToken);

    /// <summary>Stores the response of a key this owner still claims; false (nothing written) otherwise.</summary>
    Task<bool> CompleteAsync(IdempotencyKey key, string owner, StoredResponse response, CancellationToken cancellationToken);

    /// <summary>
    /// Forgets a key this owner still claims and has no response yet (its request wrote nothing), so a
    /// retry runs it again; false (nothing changed) otherwise.
    /// </summary>
    Task<bool> ReleaseAsync(IdempotencyKey key, string owner, CancellationToken cancellationToken);

    /// <summary>Deletes expired keys; the number deleted.</summary>
    Task<int> PurgeExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken);
}

/// <summary>A key is per caller: the user id, or "anonymous" for requests without a token.</summary>
internal sealed record IdempotencyKey(string Scope, string Key);

internal enum IdempotencyState
{
    /// <summary>This request owns the key now and must complete or release it.</summary>
    Claimed,

    /// <summary>Another request with the key is running.</summary>
    InProgress,

    /// <summary>A request with the key finished; its response is stored.</summary>
    Completed,
}

/// <summary>The state of a key and the fingerprint (method, path, body hash) of the request that claimed it.</summary>
internal sealed record IdempotencyClaim(IdempotencyState State, string Fingerprint, StoredResponse? Response);

/// <summary>The response replayed for a repeated key: status, the two headers that matter, body bytes.</summary>
internal sealed record StoredResponse(int StatusCode, string? ContentType, string? Location, byte[] Body);
