using System.Globalization;
using Microsoft.Extensions.Options;
using ParkingLot.Cloud.Availability;
using StackExchange.Redis;

namespace ParkingLot.Cloud.Idempotency;

/// <summary>
/// Idempotency keys in Redis when it is configured: one hash per key
/// (<c>{prefix}idempotency:{scope}:{key}</c>) that expires with the key, so there is nothing to sweep.
/// The claim is one Lua script, atomic on the server.
/// </summary>
internal sealed class RedisIdempotencyStore(IConnectionMultiplexer redis, IOptions<RedisOptions> options) : IIdempotencyStore
{
    // The key, fingerprint, now / locked-until / expires-at (unix ms), time to live (ms). The expiry is
    // also kept in the hash and compared with the caller's clock, so the service's TimeProvider, not
    // only Redis's own clock, decides what has expired. Claimed → {1}; otherwise {0, field, value, …}.
    private static readonly LuaScript Claim = LuaScript.Prepare("""
        local held = redis.call('HMGET', @key, 'fp', 'status', 'locked', 'expires')
        if held[1] and tonumber(held[4]) > tonumber(@now) and (held[2] or tonumber(held[3]) > tonumber(@now)) then
            local result = redis.call('HGETALL', @key)
            table.insert(result, 1, 0)
            return result
        end
        redis.call('DEL', @key)
        redis.call('HSET', @key, 'fp', @fingerprint, 'owner', @owner, 'locked', @lockedUntil, 'expires', @expiresAt)
        redis.call('PEXPIRE', @key, @ttl)
        return {1}
        """);

    // Completes the key only while this owner's claim, without a response yet, still exists: a key
    // that expired meanwhile must not come back without a TTL, and a claim a retry took over is not ours.
    private static readonly LuaScript Complete = LuaScript.Prepare("""
        local held = redis.call('HMGET', @key, 'owner', 'status')
        if held[1] ~= @owner or held[2] then
            return 0
        end
        redis.call('HSET', @key, 'status', @status, 'body', @body)
        if @type ~= '' then redis.call('HSET', @key, 'type', @type) end
        if @location ~= '' then redis.call('HSET', @key, 'location', @location) end
        return 1
        """);

    private static readonly LuaScript Release = LuaScript.Prepare("""
        local held = redis.call('HMGET', @key, 'owner', 'status')
        if held[1] ~= @owner or held[2] then
            return 0
        end
        redis.call('DEL', @key)
        return 1
        """);

    private readonly string _prefix = options.Value.KeyPrefix + "idempotency:";

    public async Task<IdempotencyClaim> TryClaimAsync(
        IdempotencyKey key, string fingerprint, string owner, DateTimeOffset now, DateTimeOffset lockedUntil, DateTimeOffset expiresAt,
        CancellationToken cancellationToken)
    {
        var result = (RedisResult[])(await redis.GetDatabase().ScriptEvaluateAsync(Claim, new
        {
            key = (RedisKey)RedisKeyOf(key),
            fingerprint,
            owner,
            now = now.ToUnixTimeMilliseconds(),
            lockedUntil = lockedUntil.ToUnixTimeMilliseconds(),
            expiresAt = expiresAt.ToUnixTimeMilliseconds(),
            ttl = (long)Math.Max(1, (expiresAt - now).TotalMilliseconds),
        }).WaitAsync(cancellationToken))!;
        if ((int)result[0] == 1)
        {
            return new IdempotencyClaim(IdempotencyState.Claimed, fingerprint, null);
        }

        var fields = new Dictionary<string, RedisValue>(StringComparer.Ordinal);
        for (var i = 1; i + 1 < result.Length; i += 2)
        {
            fields[(string)result[i]!] = (RedisValue)result[i + 1];
        }

        var held = (string)fields["fp"]!;
        if (!fields.TryGetValue("status", out var status))
        {
            return new IdempotencyClaim(IdempotencyState.InProgress, held, null);
        }

        var response = new StoredResponse(
            int.Parse((string)status!, CultureInfo.InvariantCulture),
            fields.TryGetValue("type", out var type) ? (string?)type : null,
            fields.TryGetValue("location", out var location) ? (string?)location : null,
            fields.TryGetValue("body", out var body) ? (byte[])body! : []);
        return new IdempotencyClaim(IdempotencyState.Completed, held, response);
    }

    public async Task<bool> CompleteAsync(IdempotencyKey key, string owner, StoredResponse response, CancellationToken cancellationToken)
    {
        var done = await redis.GetDatabase().ScriptEvaluateAsync(Complete, new
        {
            key = (RedisKey)RedisKeyOf(key),
            owner,
            status = response.StatusCode,
            body = response.Body,
            type = response.ContentType ?? "",
            location = response.Location ?? "",
        }).WaitAsync(cancellationToken);
        return (int)done == 1;
    }

    public async Task<bool> ReleaseAsync(IdempotencyKey key, string owner, CancellationToken cancellationToken)
    {
        var done = await redis.GetDatabase().ScriptEvaluateAsync(Release, new { key = (RedisKey)RedisKeyOf(key), owner })
            .WaitAsync(cancellationToken);
        return (int)done == 1;
    }

    /// <summary>Nothing to do: every key carries its own expiry.</summary>
    public Task<int> PurgeExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken) => Task.FromResult(0);

    private string RedisKeyOf(IdempotencyKey key) => $"{_prefix}{key.Scope}:{key.Key}";
}
