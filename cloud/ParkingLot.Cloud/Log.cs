namespace ParkingLot.Cloud;

/// <summary>
/// Every log message of the cloud service. Event ids by feature: 1xxx lots, 2xxx edge sync,
/// 3xxx MQTT, 4xxx storage, 5xxx bookings, 6xxx accounts and access, 7xxx idempotency and the Redis cache, 8xxx lot administration,
/// 9000–9499 payments (Log.Payments.cs), 9500–9999 host. Structured properties only; never credentials.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(1000, LogLevel.Information, "Seeded lot {LotId} ({SpotCount} spots) from {Path}")]
    public static partial void LotSeeded(ILogger logger, string lotId, int spotCount, string path);

    [LoggerMessage(1001, LogLevel.Critical, "Lot file refused: {Problem}")]
    public static partial void LotFileRefused(ILogger logger, string problem);

    [LoggerMessage(2000, LogLevel.Debug, "Applied {Applied} events of lot {LotId} epoch {Epoch} ({Duplicates} duplicates); high-water {HighWater}")]
    public static partial void BatchApplied(ILogger logger, string lotId, long epoch, int applied, int duplicates, long highWater);

    [LoggerMessage(2001, LogLevel.Information, "Ignored {Duplicates} already applied events of lot {LotId} epoch {Epoch}; high-water {HighWater}")]
    public static partial void BatchDuplicate(ILogger logger, string lotId, long epoch, int duplicates, long highWater);

    [LoggerMessage(2002, LogLevel.Warning, "Gap in lot {LotId} epoch {Epoch}: {Detail}; re-acknowledged {HighWater} so the edge resends")]
    public static partial void BatchGap(ILogger logger, string lotId, long epoch, long highWater, string detail);

    [LoggerMessage(2003, LogLevel.Warning, "Rejected batch on {Topic} ({Reason}): {Detail}")]
    public static partial void BatchRejected(ILogger logger, string topic, string reason, string detail);

    [LoggerMessage(2004, LogLevel.Warning, "Lot {LotId} seq {Seq}: occupancy of unknown spot {SpotId} kept in the ledger, not applied")]
    public static partial void UnknownSpot(ILogger logger, string lotId, long seq, string spotId);

    [LoggerMessage(2005, LogLevel.Debug, "Edge of lot {LotId}: online {Online}, epoch {Epoch}, last seq {LastSeq}, backlog {Backlog}")]
    public static partial void EdgeStateRecorded(ILogger logger, string lotId, bool online, long epoch, long lastSeq, long backlog);

    [LoggerMessage(2006, LogLevel.Warning, "Rejected edge state on {Topic}: {Problem}")]
    public static partial void EdgeStateRejected(ILogger logger, string topic, string problem);

    [LoggerMessage(4000, LogLevel.Information, "Store {Kind}: applied {Count} migrations ({Scripts})")]
    public static partial void MigrationsApplied(ILogger logger, string kind, int count, string scripts);

    [LoggerMessage(5000, LogLevel.Information, "Held booking {BookingId}: lot {LotId} spot {SpotId} {Start:O} – {End:O}")]
    public static partial void BookingHeld(ILogger logger, Guid bookingId, string lotId, string spotId, DateTimeOffset start, DateTimeOffset end);

    [LoggerMessage(5001, LogLevel.Information, "Cancelled booking {BookingId} of lot {LotId}; refundable {RefundMinor} minor units")]
    public static partial void BookingCancelled(ILogger logger, Guid bookingId, string lotId, long refundMinor);

    [LoggerMessage(5002, LogLevel.Information, "Expired {Count} unpaid holds")]
    public static partial void HoldsExpired(ILogger logger, int count);

    [LoggerMessage(5003, LogLevel.Warning, "Sweeping expired holds failed; retrying at the next interval")]
    public static partial void BookingSweepFailed(ILogger logger, Exception exception);

    [LoggerMessage(8000, LogLevel.Information, "Lot {LotId}: {Change} by {UserId}")]
    public static partial void LotChanged(ILogger logger, string lotId, string change, string userId);

    [LoggerMessage(3000, LogLevel.Information, "In-process MQTT broker listening on {Address}:{Port}")]
    public static partial void EmbeddedBrokerStarted(ILogger logger, string address, int port);

    [LoggerMessage(3001, LogLevel.Information, "Connected to MQTT broker {Host}:{Port} (in-process: {Embedded}); consuming edge events")]
    public static partial void BrokerConnected(ILogger logger, string host, int port, bool embedded);

    [LoggerMessage(3002, LogLevel.Warning, "Cannot connect to MQTT broker {Host}:{Port}; retrying in {Delay}")]
    public static partial void BrokerConnectFailed(ILogger logger, string host, int port, TimeSpan delay, Exception? exception);

    [LoggerMessage(3003, LogLevel.Warning, "Disconnected from the MQTT broker ({Reason})")]
    public static partial void BrokerDisconnected(ILogger logger, string reason, Exception? exception);

    [LoggerMessage(3004, LogLevel.Error, "Processing the message on {Topic} failed; it stays unacknowledged")]
    public static partial void MessageFailed(ILogger logger, string topic, Exception exception);

    [LoggerMessage(3005, LogLevel.Warning, "Announcing offline on shutdown failed")]
    public static partial void BrokerStopFailed(ILogger logger, Exception exception);

    [LoggerMessage(6000, LogLevel.Information, "Created the first admin account {Email} from Admin:Email")]
    public static partial void AdminCreated(ILogger logger, string email);

    [LoggerMessage(6001, LogLevel.Warning, "No admin existed: granted the admin role to the existing account {Email} (Admin:Email), whose password is Admin:Password")]
    public static partial void AdminPromoted(ILogger logger, string email);

    [LoggerMessage(7000, LogLevel.Debug, "Purged {Count} expired idempotency keys")]
    public static partial void IdempotencyKeysPurged(ILogger logger, int count);

    [LoggerMessage(7001, LogLevel.Warning, "Purging expired idempotency keys failed; retrying at the next interval")]
    public static partial void IdempotencySweepFailed(ILogger logger, Exception exception);

    [LoggerMessage(7100, LogLevel.Information, "Redis connection ({ConnectionType}) restored; local availability copies dropped, reading Redis again")]
    public static partial void RedisReconnected(ILogger logger, string connectionType);

    [LoggerMessage(7101, LogLevel.Warning, "Ignored an unreadable availability change on the Redis channel")]
    public static partial void RedisChangeUnreadable(ILogger logger, Exception exception);
}
