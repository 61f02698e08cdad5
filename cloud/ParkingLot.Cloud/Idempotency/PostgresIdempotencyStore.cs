using Npgsql;
using ParkingLot.Cloud.Storage.Postgres;

namespace ParkingLot.Cloud.Idempotency;

/// <summary>Idempotency keys on PostgreSQL (table: Storage/Postgres/Migrations/0101_idempotency.sql).</summary>
internal sealed class PostgresIdempotencyStore(NpgsqlDataSource dataSource) : IIdempotencyStore
{
    public async Task<IdempotencyClaim> TryClaimAsync(
        IdempotencyKey key, string fingerprint, string owner, DateTimeOffset now, DateTimeOffset lockedUntil, DateTimeOffset expiresAt,
        CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        // Read committed is enough: the primary key decides which of two concurrent inserts wins (the
        // other waits for it and then inserts nothing), and the stale-row delete is idempotent.
        await using (var stale = connection.Command(null, """
            DELETE FROM idempotency_keys WHERE scope = @scope AND idempotency_key = @key
                AND (expires_at <= @now OR (status_code IS NULL AND locked_until <= @now))
            """))
        {
            await stale.With("scope", key.Scope).With("key", key.Key).WithTime("now", now).ExecuteNonQueryAsync(cancellationToken);
        }

        await using (var claim = connection.Command(null, """
            INSERT INTO idempotency_keys (scope, idempotency_key, fingerprint, owner, locked_until, expires_at)
            VALUES (@scope, @key, @fingerprint, @owner, @locked, @expires)
            ON CONFLICT DO NOTHING
            RETURNING 1
            """))
        {
            claim.With("scope", key.Scope).With("key", key.Key).With("fingerprint", fingerprint).With("owner", owner)
                .WithTime("locked", lockedUntil).WithTime("expires", expiresAt);
            if (await claim.ExecuteScalarAsync(cancellationToken) is not null)
            {
                return new IdempotencyClaim(IdempotencyState.Claimed, fingerprint, null);
            }
        }

        await using var read = connection.Command(null, """
            SELECT fingerprint, status_code, content_type, location, body FROM idempotency_keys
            WHERE scope = @scope AND idempotency_key = @key
            """);
        read.With("scope", key.Scope).With("key", key.Key);
        await using var reader = await read.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            // Released by its owner between our insert attempt and this read: treat as still running;
            // the client's retry claims it.
            return new IdempotencyClaim(IdempotencyState.InProgress, fingerprint, null);
        }

        var stored = reader.IsDBNull(1)
            ? null
            : new StoredResponse(reader.GetInt32(1), reader.GetStringOrNull(2), reader.GetStringOrNull(3), reader.IsDBNull(4) ? [] : reader.GetFieldValue<byte[]>(4));
        return new IdempotencyClaim(stored is null ? IdempotencyState.InProgress : IdempotencyState.Completed, reader.GetString(0), stored);
    }

    public async Task<bool> CompleteAsync(IdempotencyKey key, string owner, StoredResponse response, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            UPDATE idempotency_keys SET status_code = @status, content_type = @type, location = @location, body = @body
            WHERE scope = @scope AND idempotency_key = @key AND owner = @owner AND status_code IS NULL
            """);
        command.With("scope", key.Scope).With("key", key.Key).With("owner", owner).With("status", response.StatusCode)
            .With("type", response.ContentType).With("location", response.Location).With("body", response.Body);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async Task<bool> ReleaseAsync(IdempotencyKey key, string owner, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "DELETE FROM idempotency_keys WHERE scope = @scope AND idempotency_key = @key AND owner = @owner AND status_code IS NULL");
        return await command.With("scope", key.Scope).With("key", key.Key).With("owner", owner).ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async Task<int> PurgeExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("DELETE FROM idempotency_keys WHERE expires_at <= @now");
        return await command.WithTime("now", now).ExecuteNonQueryAsync(cancellationToken);
    }
}
