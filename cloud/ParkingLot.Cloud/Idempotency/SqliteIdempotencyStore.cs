using Microsoft.Data.Sqlite;
using ParkingLot.Cloud.Storage;

namespace ParkingLot.Cloud.Idempotency;

/// <summary>Idempotency keys on the embedded SQLite store; table: Storage/Sqlite/Migrations/0101_idempotency.sql.</summary>
internal sealed class SqliteIdempotencyStore(SqliteDatabase database) : IIdempotencyStore
{
    public async Task<IdempotencyClaim> TryClaimAsync(
        IdempotencyKey key, string fingerprint, string owner, DateTimeOffset now, DateTimeOffset lockedUntil, DateTimeOffset expiresAt,
        CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        // BEGIN IMMEDIATE (the default here): the writer lock is taken before the read, so the
        // delete-insert-read below is one step for every other request.
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        await using (var claim = connection.CreateCommand())
        {
            claim.Transaction = transaction;
            claim.CommandText = """
                DELETE FROM idempotency_keys WHERE scope = $scope AND idempotency_key = $key
                    AND (expires_at <= $now OR (status_code IS NULL AND locked_until <= $now));
                INSERT INTO idempotency_keys (scope, idempotency_key, fingerprint, owner, locked_until, expires_at)
                VALUES ($scope, $key, $fingerprint, $owner, $locked, $expires)
                ON CONFLICT DO NOTHING;
                SELECT changes();
                """;
            claim.With("$scope", key.Scope).With("$key", key.Key).With("$fingerprint", fingerprint).With("$owner", owner).With("$now", DbValues.Time(now))
                .With("$locked", DbValues.Time(lockedUntil)).With("$expires", DbValues.Time(expiresAt));
            if ((long)(await claim.ExecuteScalarAsync(cancellationToken))! == 1)
            {
                await transaction.CommitAsync(cancellationToken);
                return new IdempotencyClaim(IdempotencyState.Claimed, fingerprint, null);
            }
        }

        await using var read = connection.CreateCommand();
        read.Transaction = transaction;
        read.CommandText = """
            SELECT fingerprint, status_code, content_type, location, body FROM idempotency_keys
            WHERE scope = $scope AND idempotency_key = $key
            """;
        read.With("$scope", key.Scope).With("$key", key.Key);
        await using var reader = await read.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            throw new InvalidOperationException("An idempotency key vanished inside its claim transaction.");
        }

        var stored = reader.IsDBNull(1)
            ? null
            : new StoredResponse(
                reader.GetInt32(1), reader.IsDBNull(2) ? null : reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3),
                reader.IsDBNull(4) ? [] : (byte[])reader.GetValue(4));
        return new IdempotencyClaim(stored is null ? IdempotencyState.InProgress : IdempotencyState.Completed, reader.GetString(0), stored);
    }

    public async Task<bool> CompleteAsync(IdempotencyKey key, string owner, StoredResponse response, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            UPDATE idempotency_keys SET status_code = $status, content_type = $type, location = $location, body = $body
            WHERE scope = $scope AND idempotency_key = $key AND owner = $owner AND status_code IS NULL
            """;
        command.With("$scope", key.Scope).With("$key", key.Key).With("$owner", owner).With("$status", response.StatusCode)
            .With("$type", response.ContentType).With("$location", response.Location).With("$body", response.Body);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async Task<bool> ReleaseAsync(IdempotencyKey key, string owner, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            DELETE FROM idempotency_keys WHERE scope = $scope AND idempotency_key = $key AND owner = $owner AND status_code IS NULL
            """;
        command.With("$scope", key.Scope).With("$key", key.Key).With("$owner", owner);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async Task<int> PurgeExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM idempotency_keys WHERE expires_at <= $now";
        command.With("$now", DbValues.Time(now));
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
