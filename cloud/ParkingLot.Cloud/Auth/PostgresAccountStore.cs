using Npgsql;
using ParkingLot.Cloud.Storage;
using ParkingLot.Cloud.Storage.Postgres;
using ParkingLot.Shared.Contracts;

namespace ParkingLot.Cloud.Auth;

/// <summary>Accounts on PostgreSQL (tables: Storage/Postgres/Migrations/0100_auth.sql).</summary>
internal sealed class PostgresAccountStore(NpgsqlDataSource dataSource) : IAccountStore
{
    public async Task<bool> CreateUserAsync(UserAccount user, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var insert = connection.Command(transaction, """
            INSERT INTO users (user_id, email, name, password_hash, created_at) VALUES (@id, @email, @name, @hash, @at)
            ON CONFLICT (email) DO NOTHING
            """))
        {
            insert.With("id", user.Id).With("email", user.Email).With("name", user.Name).With("hash", user.PasswordHash).WithTime("at", user.CreatedAt);
            if (await insert.ExecuteNonQueryAsync(cancellationToken) == 0)
            {
                return false;
            }
        }

        await InsertRolesAsync(connection, transaction, user.Id, user.Roles, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    public Task<UserAccount?> FindByEmailAsync(string normalizedEmail, CancellationToken cancellationToken) =>
        FindAsync("u.email = @key", normalizedEmail, cancellationToken);

    public Task<UserAccount?> FindByIdAsync(Guid userId, CancellationToken cancellationToken) =>
        FindAsync("u.user_id = @key", userId, cancellationToken);

    public async Task<RoleChange> SetRolesAsync(Guid userId, IReadOnlyCollection<string> roles, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        // One role change at a time across all users (they are rare): two admins demoting each other
        // concurrently would otherwise each see the other still an admin and leave none.
        await using (var serialise = connection.Command(transaction, "SELECT pg_advisory_xact_lock(@key)"))
        {
            await serialise.With("key", RoleChangeLockKey).ExecuteNonQueryAsync(cancellationToken);
        }

        if (!await LockUserAsync(connection, transaction, userId, cancellationToken))
        {
            return RoleChange.UnknownUser;
        }

        var adminsBefore = await CountAdminsAsync(connection, transaction, cancellationToken);
        await using (var delete = connection.Command(transaction, "DELETE FROM user_roles WHERE user_id = @id"))
        {
            await delete.With("id", userId).ExecuteNonQueryAsync(cancellationToken);
        }

        await InsertRolesAsync(connection, transaction, userId, roles, cancellationToken);
        if (adminsBefore > 0 && await CountAdminsAsync(connection, transaction, cancellationToken) == 0)
        {
            await transaction.RollbackAsync(cancellationToken);
            return RoleChange.LastAdmin;
        }

        await transaction.CommitAsync(cancellationToken);
        return RoleChange.Done;
    }

    public async Task<bool> SetPasswordHashAsync(Guid userId, string passwordHash, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("UPDATE users SET password_hash = @hash WHERE user_id = @id");
        return await command.With("hash", passwordHash).With("id", userId).ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async Task<int> RevokeUserRefreshTokensAsync(Guid userId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("UPDATE refresh_tokens SET used_at = @now WHERE user_id = @id AND used_at IS NULL");
        return await command.WithTime("now", now).With("id", userId).ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<bool> RevokeRefreshFamilyOfAsync(string tokenHash, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            WITH token AS (SELECT family_id FROM refresh_tokens WHERE token_hash = @hash),
                 revoked AS (
                     UPDATE refresh_tokens SET used_at = @now
                     WHERE family_id = (SELECT family_id FROM token) AND used_at IS NULL)
            SELECT EXISTS (SELECT 1 FROM token)
            """);
        return (bool)(await command.WithTime("now", now).With("hash", tokenHash).ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>The advisory lock key of role changes ("roles" in ASCII).</summary>
    private const long RoleChangeLockKey = 0x726F6C6573;

    private static async Task<long> CountAdminsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        await using var count = connection.Command(transaction, "SELECT count(*) FROM user_roles WHERE role = @role");
        return (long)(await count.With("role", Roles.Admin).ExecuteScalarAsync(cancellationToken))!;
    }

    public async Task<bool> AnyUserInRoleAsync(string role, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SELECT EXISTS (SELECT 1 FROM user_roles WHERE role = @role)");
        return (bool)(await command.With("role", role).ExecuteScalarAsync(cancellationToken))!;
    }

    public async Task<long> CountUsersAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SELECT count(*) FROM users");
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    public async Task StoreRefreshTokenAsync(RefreshTokenRecord token, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            INSERT INTO refresh_tokens (token_hash, user_id, family_id, issued_at, expires_at) VALUES (@hash, @user, @family, @issued, @expires)
            """);
        command.With("hash", token.TokenHash).With("user", token.UserId).With("family", token.FamilyId)
            .WithTime("issued", token.IssuedAt).WithTime("expires", token.ExpiresAt);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<RefreshRedemption> RedeemRefreshTokenAsync(string tokenHash, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using (var redeem = dataSource.CreateCommand("""
            UPDATE refresh_tokens SET used_at = @now
            WHERE token_hash = @hash AND used_at IS NULL AND expires_at > @now
            RETURNING user_id, family_id
            """))
        {
            redeem.With("hash", tokenHash).WithTime("now", now);
            await using var reader = await redeem.ExecuteReaderAsync(cancellationToken);
            if (await reader.ReadAsync(cancellationToken))
            {
                return new RefreshRedemption(RefreshOutcome.Redeemed, reader.GetGuid(0), reader.GetGuid(1));
            }
        }

        await using var lookup = dataSource.CreateCommand("SELECT user_id, family_id FROM refresh_tokens WHERE token_hash = @hash AND used_at IS NOT NULL");
        lookup.With("hash", tokenHash);
        await using var used = await lookup.ExecuteReaderAsync(cancellationToken);
        return await used.ReadAsync(cancellationToken)
            ? new RefreshRedemption(RefreshOutcome.Reused, used.GetGuid(0), used.GetGuid(1))
            : RefreshRedemption.Invalid;
    }

    public async Task RevokeRefreshFamilyAsync(Guid familyId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("UPDATE refresh_tokens SET used_at = @now WHERE family_id = @family AND used_at IS NULL");
        await command.With("family", familyId).WithTime("now", now).ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<bool> SetOperatorLotsAsync(Guid userId, IReadOnlyCollection<string> lotIds, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (!await LockUserAsync(connection, transaction, userId, cancellationToken))
        {
            return false;
        }

        await using (var replace = connection.Command(transaction, """
            DELETE FROM operator_lots WHERE user_id = @id;
            INSERT INTO operator_lots (user_id, lot_id) SELECT @id, unnest(@lots) ON CONFLICT DO NOTHING;
            """))
        {
            await replace.With("id", userId).With("lots", lotIds.ToArray()).ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    public async Task<IReadOnlyList<string>> GetOperatorLotsAsync(Guid userId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SELECT lot_id FROM operator_lots WHERE user_id = @id ORDER BY lot_id");
        await using var reader = await command.With("id", userId).ExecuteReaderAsync(cancellationToken);
        var lots = new List<string>();
        while (await reader.ReadAsync(cancellationToken))
        {
            lots.Add(reader.GetString(0));
        }

        return lots;
    }

    public async Task<bool> IsOperatorOfLotAsync(Guid userId, string lotId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SELECT EXISTS (SELECT 1 FROM operator_lots WHERE user_id = @id AND lot_id = @lot)");
        return (bool)(await command.With("id", userId).With("lot", lotId).ExecuteScalarAsync(cancellationToken))!;
    }

    public async Task<bool> AddVehicleAsync(Guid userId, Vehicle vehicle, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            INSERT INTO vehicles (vehicle_id, user_id, plate, vehicle_type, created_at) VALUES (@id, @user, @plate, @type, @at)
            ON CONFLICT (user_id, plate) DO NOTHING
            """);
        command.With("id", vehicle.Id).With("user", userId).With("plate", vehicle.Plate)
            .With("type", DbValues.Name(vehicle.VehicleType)).WithTime("at", vehicle.CreatedAt);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async Task<IReadOnlyList<Vehicle>> ListVehiclesAsync(Guid userId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT vehicle_id, plate, vehicle_type, created_at FROM vehicles WHERE user_id = @user ORDER BY created_at, plate");
        await using var reader = await command.With("user", userId).ExecuteReaderAsync(cancellationToken);
        var vehicles = new List<Vehicle>();
        while (await reader.ReadAsync(cancellationToken))
        {
            vehicles.Add(new Vehicle(reader.GetGuid(0), reader.GetString(1), DbValues.Parse<VehicleType>(reader.GetString(2)), reader.GetTime(3)));
        }

        return vehicles;
    }

    public async Task<bool> DeleteVehicleAsync(Guid userId, Guid vehicleId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("DELETE FROM vehicles WHERE vehicle_id = @id AND user_id = @user");
        return await command.With("id", vehicleId).With("user", userId).ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    private async Task<UserAccount?> FindAsync(string where, object key, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"""
            SELECT u.user_id, u.email, u.name, u.password_hash, u.created_at,
                   coalesce(array_agg(r.role ORDER BY r.role) FILTER (WHERE r.role IS NOT NULL), '{"{}"}')
            FROM users u LEFT JOIN user_roles r ON r.user_id = u.user_id
            WHERE {where}
            GROUP BY u.user_id
            """);
        await using var reader = await command.With("key", key).ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new UserAccount(reader.GetGuid(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetFieldValue<string[]>(5), reader.GetTime(4))
            : null;
    }

    /// <summary>Locks the user's row (false for an unknown user), so two changes of one user's roles or lots apply one after the other.</summary>
    private static async Task<bool> LockUserAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid userId, CancellationToken cancellationToken)
    {
        await using var exists = connection.Command(transaction, "SELECT 1 FROM users WHERE user_id = @id FOR UPDATE");
        return await exists.With("id", userId).ExecuteScalarAsync(cancellationToken) is not null;
    }

    private static async Task InsertRolesAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, Guid userId, IEnumerable<string> roles, CancellationToken cancellationToken)
    {
        await using var insert = connection.Command(transaction, "INSERT INTO user_roles (user_id, role) SELECT @id, unnest(@roles) ON CONFLICT DO NOTHING");
        await insert.With("id", userId).With("roles", roles.ToArray()).ExecuteNonQueryAsync(cancellationToken);
    }
}
