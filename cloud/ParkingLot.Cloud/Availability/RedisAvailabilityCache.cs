using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;
using ParkingLot.Shared.Contracts;
using StackExchange.Redis;

namespace ParkingLot.Cloud.Availability;

/// <summary>
/// Availability shared by every cloud instance through Redis: one hash per lot
/// (<c>{prefix}availability:{lotId}</c>: field <c>asOf</c> and one JSON field per vehicle type). A write
/// replaces the hash and publishes the new snapshot on <c>{prefix}availability</c> in one MULTI/EXEC;
/// every instance keeps a local copy of the lots it served, replaced from that channel, so the hot read
/// is a dictionary lookup and Redis is read only on a miss, after <see cref="RedisOptions.LocalCopyLifetime"/>
/// or after a reconnect (messages may have been missed meanwhile).
/// </summary>
internal sealed class RedisAvailabilityCache : IAvailabilityCache, IHostedService
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    private const string AsOfField = "asOf";

    // KEYS[1] the lot's hash; ARGV: asOf, channel, message, then field/value pairs (asOf among them).
    private const string SetUnlessNewerScript = """
        local stored = redis.call('HGET', KEYS[1], 'asOf')
        if stored and stored > ARGV[1] then
            return 0
        end
        redis.call('DEL', KEYS[1])
        redis.call('HSET', KEYS[1], unpack(ARGV, 4))
        redis.call('PUBLISH', ARGV[2], ARGV[3])
        return 1
        """;
    private const string TypeFieldPrefix = "type:";

    private readonly IConnectionMultiplexer _redis;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<RedisAvailabilityCache> _logger;
    private readonly string _keyPrefix;
    private readonly RedisChannel _channel;
    private readonly string _channelName;
    private readonly TimeSpan _localLifetime;
    private readonly ConcurrentDictionary<string, LocalCopy> _local = new(StringComparer.Ordinal);

    public RedisAvailabilityCache(
        IConnectionMultiplexer redis, IOptions<RedisOptions> options, TimeProvider timeProvider, ILogger<RedisAvailabilityCache> logger)
    {
        _redis = redis;
        _timeProvider = timeProvider;
        _logger = logger;
        _keyPrefix = options.Value.KeyPrefix + "availability:";
        _channelName = options.Value.KeyPrefix + "availability";
        _channel = RedisChannel.Literal(_channelName);
        _localLifetime = options.Value.LocalCopyLifetime;
    }

    /// <summary>Subscribes to the change channel; from then on other instances' writes reach the local copies.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _redis.ConnectionRestored += OnConnectionRestored;
        await _redis.GetSubscriber().SubscribeAsync(_channel, (_, message) => OnChange(message));
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _redis.ConnectionRestored -= OnConnectionRestored;
        await _redis.GetSubscriber().UnsubscribeAsync(_channel);
    }

    public async ValueTask<LotAvailability?> GetAsync(string lotId, CancellationToken cancellationToken)
    {
        if (_local.TryGetValue(lotId, out var copy) && _timeProvider.GetElapsedTime(copy.LoadedAt) < _localLifetime)
        {
            return copy.Availability;
        }

        var entries = await _redis.GetDatabase().HashGetAllAsync(_keyPrefix + lotId).WaitAsync(cancellationToken);
        var availability = Parse(lotId, entries);
        if (availability is null)
        {
            _local.TryRemove(lotId, out _);
            return null;
        }

        Keep(availability);
        return availability;
    }

    public async ValueTask SetAsync(LotAvailability availability, CancellationToken cancellationToken)
    {
        // UTC in round-trip format: fixed width, so the script can compare two instants as strings.
        var asOf = availability.AsOf.ToUniversalTime().ToString("O", System.Globalization.CultureInfo.InvariantCulture);
        var args = new List<RedisValue>(4 + 2 * (availability.VehicleTypes.Count + 1))
        {
            asOf, _channelName, JsonSerializer.Serialize(availability with { AsOf = availability.AsOf.ToUniversalTime() }, Json), AsOfField, asOf,
        };
        foreach (var type in availability.VehicleTypes)
        {
            args.Add(TypeFieldPrefix + WireNames.Of(type.VehicleType));
            args.Add(JsonSerializer.Serialize(type, Json));
        }

        try
        {
            // One script, so it is atomic: unless the stored snapshot is newer, DEL + HSET + PUBLISH —
            // readers never see half a lot, and the change goes out with the value it announces.
            await _redis.GetDatabase().ScriptEvaluateAsync(SetUnlessNewerScript, [(RedisKey)(_keyPrefix + availability.LotId)], [.. args])
                .WaitAsync(cancellationToken);
        }
        finally
        {
            // Our own message follows; until it does, the next read goes to Redis rather than keep a
            // copy that a later write elsewhere may already have replaced. When the write failed (Redis
            // down) the copy is stale for certain: dropped too, so reads fall back to the store.
            _local.TryRemove(availability.LotId, out _);
        }
    }

    // Last write wins: the channel delivers changes in the order they were made (each PUBLISH is
    // inside its write's transaction), and a Redis read is the truth at that moment.
    private void Keep(LotAvailability availability)
    {
        var copy = new LocalCopy(availability, _timeProvider.GetTimestamp());
        _local.AddOrUpdate(availability.LotId, copy, (_, current) => availability.AsOf >= current.Availability.AsOf ? copy : current);
    }

    private void OnChange(RedisValue message)
    {
        LotAvailability? availability;
        try
        {
            availability = JsonSerializer.Deserialize<LotAvailability>((string)message!, Json);
        }
        catch (JsonException exception)
        {
            Log.RedisChangeUnreadable(_logger, exception);
            return;
        }

        if (availability?.LotId is not null && availability.VehicleTypes is not null)
        {
            Keep(availability);
        }
    }

    private void OnConnectionRestored(object? sender, ConnectionFailedEventArgs e)
    {
        // Changes published while we were away are lost for us: forget the copies, read Redis again.
        _local.Clear();
        Log.RedisReconnected(_logger, e.ConnectionType.ToString());
    }

    private static LotAvailability? Parse(string lotId, HashEntry[] entries)
    {
        DateTimeOffset? asOf = null;
        var types = new List<VehicleTypeAvailability>(entries.Length);
        foreach (var entry in entries)
        {
            var name = (string)entry.Name!;
            if (name == AsOfField)
            {
                asOf = DateTimeOffset.Parse((string)entry.Value!, System.Globalization.CultureInfo.InvariantCulture);
            }
            else if (name.StartsWith(TypeFieldPrefix, StringComparison.Ordinal)
                && JsonSerializer.Deserialize<VehicleTypeAvailability>((string)entry.Value!, Json) is { } type)
            {
                types.Add(type);
            }
        }

        if (asOf is null)
        {
            return null;
        }

        types.Sort((a, b) => a.VehicleType.CompareTo(b.VehicleType));
        return new LotAvailability(lotId, asOf.Value, types);
    }

    private sealed record LocalCopy(LotAvailability Availability, long LoadedAt);
}
