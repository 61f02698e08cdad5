using System.Globalization;
using Microsoft.Data.Sqlite;
using ParkingLot.Cloud.Storage;
using ParkingLot.Shared.Contracts;

namespace ParkingLot.Cloud.Auth;

/// <summary>Accounts on the embedded SQLite store (tables: Storage/Sqlite/Migrations/0100_auth.sql).</summary>
internal sealed class SqliteAccountStore(SqliteDatabase database) : IAccountStore
{
    public async Task<bool> CreateUserAsync(UserAccount user, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        await using (var insert = connection.CreateCommand())
        {
            insert.Transaction = transaction;
            insert.CommandText = """
                INSERT INTO users (user_id, email, name, password_hash, created_at) VALUES ($id, $email, $name, $hash, $at)
                ON CONFLICT (email) DO NOTHING
                """;
            insert.With("$id", Id(user.Id)).With("$email", user.Email).With("$name", user.Name)
                .With("$hash", user.PasswordHash).With("$at", DbValues.Time(user.CreatedAt));
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
        FindAsync("email = $key", normalizedEmail, cancellationToken);

    public Task<UserAccount?> FindByIdAsync(Guid userId, CancellationToken cancellationToken) =>
        FindAsync("user_id = $key", Id(userId), cancellationToken);

    public async Task<RoleChange> SetRolesAsync(Guid userId, IReadOnlyCollection<string> roles, CancellationToken cancellationToken)
    {
        // BEGIN IMMEDIATE: the file's single writer serialises role changes, so the admin count read
        // before and after this one is not changed by another meanwhile.
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        var adminsBefore = await CountAdminsAsync(connection, transaction, cancellationToken);
        if (!await ReplaceUserRowsAsync(connection, transaction, userId, "user_roles", "role", roles, cancellationToken))
        {
            return RoleChange.UnknownUser;
        }

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
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "UPDATE users SET password_hash = $hash WHERE user_id = $id";
        command.With("$hash", passwordHash).With("$id", Id(userId));
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async Task<int> RevokeUserRefreshTokensAsync(Guid userId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "UPDATE refresh_tokens SET used_at = $now WHERE user_id = $id AND used_at IS NULL";
        command.With("$now", DbValues.Time(now)).With("$id", Id(userId));
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<bool> RevokeRefreshFamilyOfAsync(string tokenHash, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            UPDATE refresh_tokens SET used_at = $now
            WHERE family_id = (SELECT family_id FROM refresh_tokens WHERE token_hash = $hash) AND used_at IS NULL;
            SELECT EXISTS (SELECT 1 FROM refresh_tokens WHERE token_hash = $hash);
            """;
        command.With("$now", DbValues.Time(now)).With("$hash", tokenHash);
        var known = (long)(await command.ExecuteScalarAsync(cancellationToken))! == 1;
        await transaction.CommitAsync(cancellationToken);
        return known;
    }

    private static async Task<long> CountAdminsAsync(SqliteConnection connection, SqliteTransaction transaction, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT count(*) FROM user_roles WHERE role = $role";
        command.With("$role", Roles.Admin);
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    public async Task<bool> AnyUserInRoleAsync(string role, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT EXISTS (SELECT 1 FROM user_roles WHERE role = $role)";
        command.With("$role", role);
        return (long)(await command.ExecuteScalarAsync(cancellationToken))! == 1;
    }

    public async Task<long> CountUsersAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM users";
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    public async Task StoreRefreshTokenAsync(RefreshTokenRecord token, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO refresh_tokens (token_hash, user_id, family_id, issued_at, expires_at) VALUES ($hash, $user, $family, $issued, $expires)
            """;
        command.With("$hash", token.TokenHash).With("$user", Id(token.UserId)).With("$family", Id(token.FamilyId))
            .With("$issued", DbValues.Time(token.IssuedAt)).With("$expires", DbValues.Time(token.ExpiresAt));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<RefreshRedemption> RedeemRefreshTokenAsync(string tokenHash, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using (var redeem = connection.CreateCommand())
        {
            // One statement: the row is either still unused (and now used) or the update finds nothing.
            redeem.CommandText = """
                UPDATE refresh_tokens SET used_at = $now
                WHERE token_hash = $hash AND used_at IS NULL AND expires_at > $now
                RETURNING user_id, family_id
                """;
            redeem.With("$hash", tokenHash).With("$now", DbValues.Time(now));
            await using var reader = await redeem.ExecuteReaderAsync(cancellationToken);
            if (await reader.ReadAsync(cancellationToken))
            {
                return new RefreshRedemption(RefreshOutcome.Redeemed, Guid.Parse(reader.GetString(0)), Guid.Parse(reader.GetString(1)));
            }
        }

        await using var lookup = connection.CreateCommand();
        lookup.CommandText = "SELECT user_id, family_id FROM refresh_tokens WHERE token_hash = $hash AND used_at IS NOT NULL";
        lookup.With("$hash", tokenHash);
        await using var used = await lookup.ExecuteReaderAsync(cancellationToken);
        return await used.ReadAsync(cancellationToken)
            ? new RefreshRedemption(RefreshOutcome.Reused, Guid.Parse(used.GetString(0)), Guid.Parse(used.GetString(1)))
            : RefreshRedemption.Invalid;
    }

    public async Task RevokeRefreshFamilyAsync(Guid familyId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "UPDATE refresh_tokens SET used_at = $now WHERE family_id = $family AND used_at IS NULL";
        command.With("$family", Id(familyId)).With("$now", DbValues.Time(now));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public Task<bool> SetOperatorLotsAsync(Guid userId, IReadOnlyCollection<string> lotIds, CancellationToken cancellationToken) =>
        ReplaceUserRowsAsync(userId, "operator_lots", "lot_id", lotIds, cancellationToken);

    public async Task<IReadOnlyList<string>> GetOperatorLotsAsync(Guid userId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT lot_id FROM operator_lots WHERE user_id = $id ORDER BY lot_id";
        command.With("$id", Id(userId));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var lots = new List<string>();
        while (await reader.ReadAsync(cancellationToken))
        {
            lots.Add(reader.GetString(0));
        }

        return lots;
    }

    public async Task<bool> IsOperatorOfLotAsync(Guid userId, string lotId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT EXISTS (SELECT 1 FROM operator_lots WHERE user_id = $id AND lot_id = $lot)";
        command.With("$id", Id(userId)).With("$lot", lotId);
        return (long)(await command.ExecuteScalarAsync(cancellationToken))! == 1;
    }

    public async Task<bool> AddVehicleAsync(Guid userId, Vehicle vehicle, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO vehicles (vehicle_id, user_id, plate, vehicle_type, created_at) VALUES ($id, $user, $plate, $type, $at)
            ON CONFLICT (user_id, plate) DO NOTHING
            """;
        command.With("$id", Id(vehicle.Id)).With("$user", Id(userId)).With("$plate", vehicle.Plate)
            .With("$type", DbValues.Name(vehicle.VehicleType)).With("$at", DbValues.Time(vehicle.CreatedAt));
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async Task<IReadOnlyList<Vehicle>> ListVehiclesAsync(Guid userId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT vehicle_id, plate, vehicle_type, created_at FROM vehicles WHERE user_id = $user ORDER BY created_at, plate";
        command.With("$user", Id(userId));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var vehicles = new List<Vehicle>();
        while (await reader.ReadAsync(cancellationToken))
        {
            vehicles.Add(new Vehicle(
                Guid.Parse(reader.GetString(0)), reader.GetString(1), DbValues.Parse<VehicleType>(reader.GetString(2)),
                DateTimeOffset.Parse(reader.GetString(3), CultureInfo.InvariantCulture)));
        }

        return vehicles;
    }

    public async Task<bool> DeleteVehicleAsync(Guid userId, Guid vehicleId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM vehicles WHERE vehicle_id = $id AND user_id = $user";
        command.With("$id", Id(vehicleId)).With("$user", Id(userId));
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    private async Task<UserAccount?> FindAsync(string where, string key, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT u.user_id, u.email, u.name, u.password_hash, u.created_at, r.role
            FROM users u LEFT JOIN user_roles r ON r.user_id = u.user_id
            WHERE u.{where}
            ORDER BY r.role
            """;
        command.With("$key", key);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        UserAccount? user = null;
        var roles = new List<string>();
        while (await reader.ReadAsync(cancellationToken))
        {
            user ??= new UserAccount(
                Guid.Parse(reader.GetString(0)), reader.GetString(1), reader.GetString(2), reader.GetString(3), roles,
                DateTimeOffset.Parse(reader.GetString(4), CultureInfo.InvariantCulture));
            if (!reader.IsDBNull(5))
            {
                roles.Add(reader.GetString(5));
            }
        }

        return user;
    }

    /// <summary>
    /// Replaces a user's rows in a child table (roles, operator lots) in one transaction; false for an
    /// unknown user. The file's single writer serialises concurrent replacements.
    /// </summary>
    private async Task<bool> ReplaceUserRowsAsync(
        Guid userId, string table, string column, IEnumerable<string> values, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        if (!await ReplaceUserRowsAsync(connection, transaction, userId, table, column, values, cancellationToken))
        {
            return false;
        }

        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    /// <summary>The same inside the caller's transaction, which the caller commits.</summary>
    private static async Task<bool> ReplaceUserRowsAsync(
        SqliteConnection connection, SqliteTransaction transaction, Guid userId, string table, string column, IEnumerable<string> values,
        CancellationToken cancellationToken)
    {
        if (!await UserExistsAsync(connection, transaction, userId, cancellationToken))
        {
            return false;
        }

        await using (var delete = connection.CreateCommand())
        {
            delete.Transaction = transaction;
            delete.CommandText = $"DELETE FROM {table} WHERE user_id = $id";
            delete.With("$id", Id(userId));
            await delete.ExecuteNonQueryAsync(cancellationToken);
        }

        await InsertUserRowsAsync(connection, transaction, userId, table, column, values, cancellationToken);
        return true;
    }

    private static Task InsertRolesAsync(
        SqliteConnection connection, SqliteTransaction transaction, Guid userId, IEnumerable<string> roles, CancellationToken cancellationToken) =>
        InsertUserRowsAsync(connection, transaction, userId, "user_roles", "role", roles, cancellationToken);

    // Table and column names are this class's constants, never input.
    private static async Task InsertUserRowsAsync(
        SqliteConnection connection, SqliteTransaction transaction, Guid userId, string table, string column, IEnumerable<string> values,
        CancellationToken cancellationToken)
    {
        await using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = $"INSERT INTO {table} (user_id, {column}) VALUES ($id, $value) ON CONFLICT DO NOTHING";
        insert.With("$id", Id(userId));
        var parameter = insert.Parameters.Add("$value", SqliteType.Text);
        foreach (var value in values)
        {
            parameter.Value = value;
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    private static async Task<bool> UserExistsAsync(SqliteConnection connection, SqliteTransaction transaction, Guid userId, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT 1 FROM users WHERE user_id = $id";
        command.With("$id", Id(userId));
        return await command.ExecuteScalarAsync(cancellationToken) is not null;
    }

    private static string Id(Guid id) => id.ToString("D");
}
