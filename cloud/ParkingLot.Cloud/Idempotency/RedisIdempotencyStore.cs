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
        redis.call('HSET', @key, 'fp', @fingerprint, 'locked', @lockedUntil, 'expires', @expiresAt)
        redis.call('PEXPIRE', @key, @ttl)
        return {1}
        """);

    private readonly string _prefix = options.Value.KeyPrefix + "idempotency:";

    public async Task<IdempotencyClaim> TryClaimAsync(
        IdempotencyKey key, string fingerprint, DateTimeOffset now, DateTimeOffset lockedUntil, DateTimeOffset expiresAt,
        CancellationToken cancellationToken)
    {
        var result = (RedisResult[])(await redis.GetDatabase().ScriptEvaluateAsync(Claim, new
        {
            key = (RedisKey)RedisKeyOf(key),
            fingerprint,
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

    public async Task CompleteAsync(IdempotencyKey key, StoredResponse response, CancellationToken cancellationToken)
    {
        var redisKey = (RedisKey)RedisKeyOf(key);
        var entries = new List<HashEntry>
        {
            new("status", response.StatusCode),
            new("body", response.Body),
        };
        if (response.ContentType is not null)
        {
            entries.Add(new HashEntry("type", response.ContentType));
        }

        if (response.Location is not null)
        {
            entries.Add(new HashEntry("location", response.Location));
        }

        // Only while the claim still exists: a key that expired meanwhile must not come back without a TTL.
        var transaction = redis.GetDatabase().CreateTransaction();
        transaction.AddCondition(Condition.KeyExists(redisKey));
        _ = transaction.HashSetAsync(redisKey, [.. entries]);
        await transaction.ExecuteAsync().WaitAsync(cancellationToken);
    }

    public async Task ReleaseAsync(IdempotencyKey key, CancellationToken cancellationToken)
    {
        var redisKey = (RedisKey)RedisKeyOf(key);
        var transaction = redis.GetDatabase().CreateTransaction();
        transaction.AddCondition(Condition.HashNotExists(redisKey, "status"));
        _ = transaction.KeyDeleteAsync(redisKey);
        await transaction.ExecuteAsync().WaitAsync(cancellationToken);
    }

    /// <summary>Nothing to do: every key carries its own expiry.</summary>
    public Task<int> PurgeExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken) => Task.FromResult(0);

    private string RedisKeyOf(IdempotencyKey key) => $"{_prefix}{key.Scope}:{key.Key}";
}
