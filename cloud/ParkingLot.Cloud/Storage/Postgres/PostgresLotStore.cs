using Npgsql;
using ParkingLot.Cloud.Availability;
using ParkingLot.Cloud.Lots;
using ParkingLot.Shared.Contracts;
using ParkingLot.Shared.Tariffs;

namespace ParkingLot.Cloud.Storage.Postgres;

/// <summary>Lots, spots, tariffs, capacity splits and the availability rebuilt from them, on PostgreSQL.</summary>
internal sealed class PostgresLotStore(NpgsqlDataSource dataSource) : ILotStore, IAvailabilityStore
{
    public async Task UpsertAsync(LotDescription lot, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var upsertLot = connection.Command(transaction, """
            INSERT INTO lots (lot_id, name, time_zone, lat, lng, vehicle_types) VALUES (@lot, @name, @tz, @lat, @lng, @types)
            ON CONFLICT (lot_id) DO UPDATE SET name = excluded.name, time_zone = excluded.time_zone, lat = excluded.lat, lng = excluded.lng,
                vehicle_types = excluded.vehicle_types
            """))
        {
            upsertLot.With("lot", lot.LotId).With("name", lot.Name).With("tz", lot.TimeZone)
                .With("lat", lot.Location?.Lat).With("lng", lot.Location?.Lng)
                .With("types", TypeArray(lot.Spots.Select(s => s.VehicleType)));
            await upsertLot.ExecuteNonQueryAsync(cancellationToken);
        }

        await using (var delete = connection.Command(transaction, "DELETE FROM spots WHERE lot_id = @lot AND NOT (spot_id = ANY (@keep))"))
        {
            delete.With("lot", lot.LotId).With("keep", lot.Spots.Select(s => s.Id).ToArray());
            await delete.ExecuteNonQueryAsync(cancellationToken);
        }

        // Re-seeding keeps the occupancy the edge reported; only the description changes.
        await InsertSpotsAsync(connection, transaction, lot.LotId, lot.Spots, 0, upsert: true, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<LotSummary>> ListAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SELECT lot_id, name, lat, lng FROM lots ORDER BY lot_id");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var lots = new List<LotSummary>();
        while (await reader.ReadAsync(cancellationToken))
        {
            lots.Add(new LotSummary(reader.GetString(0), reader.GetString(1), ReadLocation(reader, 2)));
        }

        return lots;
    }

    public async Task<LotDetails?> GetAsync(string lotId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT l.name, l.time_zone, l.lat, l.lng, l.vehicle_types, l.opening_hours, l.tariff_version, s.zone, count(s.spot_id)::int
            FROM lots l LEFT JOIN spots s ON s.lot_id = l.lot_id
            WHERE l.lot_id = @lot
            GROUP BY l.lot_id, s.zone ORDER BY s.zone
            """);
        command.With("lot", lotId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        LotDetails? lot = null;
        var zones = new List<string>();
        var spotCount = 0;
        while (await reader.ReadAsync(cancellationToken))
        {
            lot ??= new LotDetails(
                lotId, reader.GetString(0), reader.GetString(1), ReadLocation(reader, 2), 0, zones,
                ParseTypes(reader.GetFieldValue<string[]>(4)), DbValues.ParseOpeningHours(reader.GetString(5)), reader.GetStringOrNull(6));
            if (!reader.IsDBNull(7))
            {
                zones.Add(reader.GetString(7));
                spotCount += reader.GetInt32(8);
            }
        }

        return lot is null ? null : lot with { SpotCount = spotCount };
    }

    public async Task<LotWriteResult> CreateAsync(LotDefinition lot, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            INSERT INTO lots (lot_id, name, time_zone, lat, lng, opening_hours, vehicle_types) VALUES (@lot, @name, @tz, @lat, @lng, @hours, @types)
            ON CONFLICT (lot_id) DO NOTHING
            """);
        BindDefinition(command, lot);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 0
            ? new LotWriteResult(LotWriteStatus.Conflict, $"Lot '{lot.Id}' exists already.")
            : LotWriteResult.Done;
    }

    public async Task<LotWriteResult> UpdateAsync(LotDefinition lot, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            UPDATE lots SET name = @name, time_zone = @tz, lat = @lat, lng = @lng, opening_hours = @hours, vehicle_types = @types
            WHERE lot_id = @lot
            """);
        BindDefinition(command, lot);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 0 ? LotWriteResult.UnknownLot : LotWriteResult.Done;
    }

    public async Task<LotWriteResult> AddSpotsAsync(string lotId, IReadOnlyList<SpotDescription> spots, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        string[] types;
        await using (var lot = connection.Command(transaction, "SELECT vehicle_types FROM lots WHERE lot_id = @lot FOR UPDATE"))
        {
            lot.With("lot", lotId);
            if (await lot.ExecuteScalarAsync(cancellationToken) is not string[] current)
            {
                return LotWriteResult.UnknownLot;
            }

            types = current;
        }

        int firstRank;
        await using (var existing = connection.Command(transaction, "SELECT coalesce(max(rank) + 1, 0) FROM spots WHERE lot_id = @lot"))
        {
            existing.With("lot", lotId);
            firstRank = (int)(await existing.ExecuteScalarAsync(cancellationToken))!;
        }

        await using (var taken = connection.Command(transaction, "SELECT spot_id FROM spots WHERE lot_id = @lot AND spot_id = ANY (@ids) ORDER BY spot_id LIMIT 1"))
        {
            taken.With("lot", lotId).With("ids", spots.Select(s => s.Id).ToArray());
            if (await taken.ExecuteScalarAsync(cancellationToken) is string duplicate)
            {
                return new LotWriteResult(LotWriteStatus.Conflict, $"Spot '{duplicate}' exists already in lot '{lotId}'.");
            }
        }

        await InsertSpotsAsync(connection, transaction, lotId, spots, firstRank, upsert: false, cancellationToken);
        await using (var update = connection.Command(transaction, "UPDATE lots SET vehicle_types = @types WHERE lot_id = @lot"))
        {
            update.With("lot", lotId).With("types", TypeArray(ParseTypes(types).Concat(spots.Select(s => s.VehicleType))));
            await update.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return LotWriteResult.Done;
    }

    public async Task<IReadOnlyList<SpotInfo>?> ListSpotsAsync(string lotId, VehicleType? vehicleType, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        if (!await LotExistsAsync(connection, null, lotId, cancellationToken))
        {
            return null;
        }

        await using var command = connection.Command(null, """
            SELECT spot_id, vehicle_type, zone, sensor_id, rank, occupied FROM spots
            WHERE lot_id = @lot AND (@type::text IS NULL OR vehicle_type = @type::text)
            ORDER BY rank, spot_id
            """);
        command.With("lot", lotId).With("type", vehicleType is { } t ? DbValues.Name(t) : null);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var spots = new List<SpotInfo>();
        while (await reader.ReadAsync(cancellationToken))
        {
            spots.Add(new SpotInfo(
                reader.GetString(0), DbValues.Parse<VehicleType>(reader.GetString(1)), reader.GetString(2),
                reader.GetStringOrNull(3), reader.GetInt32(4), reader.GetBoolean(5)));
        }

        return spots;
    }

    public async Task<CapacitySplit?> GetCapacityAsync(string lotId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await ReadCapacityAsync(connection, null, lotId, forUpdate: false, cancellationToken);
    }

    public async Task<LotWriteResult> SetCapacityAsync(
        string lotId, IReadOnlyDictionary<VehicleType, int> reservable, DateTimeOffset updatedAt, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var current = await ReadCapacityAsync(connection, transaction, lotId, forUpdate: true, cancellationToken);
        if (current is null)
        {
            return LotWriteResult.UnknownLot;
        }

        if (CapacityRules.Check(current, reservable) is { } problem)
        {
            return new LotWriteResult(LotWriteStatus.Invalid, problem);
        }

        var version = current.Version + 1;
        await using (var bump = connection.Command(transaction, "UPDATE lots SET capacity_version = @version WHERE lot_id = @lot"))
        {
            bump.With("lot", lotId).With("version", version);
            await bump.ExecuteNonQueryAsync(cancellationToken);
        }

        // FOR UPDATE on the split rows (taken by the upsert) waits for holds in flight, which lock the same row.
        await using (var upsert = connection.Command(transaction, """
            INSERT INTO capacity_splits (lot_id, vehicle_type, reservable, version, updated_at)
            SELECT @lot, t.type, t.reservable, @version, @at FROM unnest(@types, @shares) AS t (type, reservable)
            ON CONFLICT (lot_id, vehicle_type) DO UPDATE SET reservable = excluded.reservable, version = excluded.version, updated_at = excluded.updated_at
            """))
        {
            var pairs = reservable.OrderBy(p => p.Key).ToList();
            upsert.With("lot", lotId).With("version", version).WithTime("at", updatedAt)
                .With("types", pairs.Select(p => DbValues.Name(p.Key)).ToArray()).With("shares", pairs.Select(p => p.Value).ToArray());
            await upsert.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return LotWriteResult.Done;
    }

    public async Task<LotWriteResult> PublishTariffAsync(string lotId, TariffDefinition tariff, DateTimeOffset publishedAt, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var lockLot = connection.Command(transaction, "SELECT 1 FROM lots WHERE lot_id = @lot FOR UPDATE"))
        {
            lockLot.With("lot", lotId);
            if (await lockLot.ExecuteScalarAsync(cancellationToken) is null)
            {
                return LotWriteResult.UnknownLot;
            }
        }

        var json = DbValues.TariffJson(tariff);
        await using (var existing = connection.Command(transaction, "SELECT definition FROM lot_tariffs WHERE lot_id = @lot AND version = @version"))
        {
            existing.With("lot", lotId).With("version", tariff.Version);
            if (await existing.ExecuteScalarAsync(cancellationToken) is string stored && !string.Equals(stored, json, StringComparison.Ordinal))
            {
                return new LotWriteResult(LotWriteStatus.Conflict, TariffRules.VersionTaken(lotId, tariff.Version));
            }
        }

        await using (var insert = connection.Command(transaction, """
            INSERT INTO lot_tariffs (lot_id, version, definition, published_at) VALUES (@lot, @version, @json, @at)
            ON CONFLICT (lot_id, version) DO NOTHING;
            UPDATE lots SET tariff_version = @version WHERE lot_id = @lot;
            """))
        {
            insert.With("lot", lotId).With("version", tariff.Version).With("json", json).WithTime("at", publishedAt);
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return LotWriteResult.Done;
    }

    public async Task<TariffDefinition?> GetTariffAsync(string lotId, string? version, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT t.definition FROM lot_tariffs t JOIN lots l ON l.lot_id = t.lot_id
            WHERE t.lot_id = @lot AND t.version = coalesce(@version::text, l.tariff_version)
            """);
        command.With("lot", lotId).With("version", version);
        return await command.ExecuteScalarAsync(cancellationToken) is string json ? DbValues.ParseTariff(json) : null;
    }

    public async Task<IReadOnlyList<CatalogLot>> ListCatalogAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT l.lot_id, l.name, l.time_zone, l.lat, l.lng, l.vehicle_types, t.definition, l.opening_hours
            FROM lots l LEFT JOIN lot_tariffs t ON t.lot_id = l.lot_id AND t.version = l.tariff_version
            ORDER BY l.lot_id
            """);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var lots = new List<CatalogLot>();
        while (await reader.ReadAsync(cancellationToken))
        {
            lots.Add(new CatalogLot(
                reader.GetString(0), reader.GetString(1), reader.GetString(2), ReadLocation(reader, 3),
                ParseTypes(reader.GetFieldValue<string[]>(5)), reader.IsDBNull(6) ? null : DbValues.ParseTariff(reader.GetString(6)),
                DbValues.ParseOpeningHours(reader.GetString(7))));
        }

        return lots;
    }

    public async Task<LotAvailability?> LoadAsync(string lotId, DateTimeOffset asOf, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await ReadAvailabilityAsync(connection, null, lotId, asOf, cancellationToken);
    }

    /// <summary>
    /// Aggregates the lot's spots, gate counts, capacity split and the bookings covering
    /// <paramref name="asOf"/> (GiST (lot_id, period) index): run when something changed, never per
    /// availability request.
    /// </summary>
    internal static async Task<LotAvailability?> ReadAvailabilityAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, string lotId, DateTimeOffset asOf, CancellationToken cancellationToken)
    {
        await using var command = connection.Command(transaction, $"""
            SELECT s.vehicle_type, count(*)::int, (count(*) FILTER (WHERE s.occupied))::int, coalesce(v.vehicles_in, 0), coalesce(c.reservable, 0),
                (SELECT count(*)::int FROM bookings b
                 WHERE b.lot_id = s.lot_id AND b.vehicle_type = s.vehicle_type
                   AND b.period @> @now::timestamptz AND {BookingSql.ActiveAt("b.", "expires_at", "@now")})
            FROM spots s
            LEFT JOIN lot_vehicles v ON v.lot_id = s.lot_id AND v.vehicle_type = s.vehicle_type
            LEFT JOIN capacity_splits c ON c.lot_id = s.lot_id AND c.vehicle_type = s.vehicle_type
            WHERE s.lot_id = @lot
            GROUP BY s.lot_id, s.vehicle_type, v.vehicles_in, c.reservable
            """);
        command.With("lot", lotId).WithTime("now", asOf);
        List<VehicleTypeAvailability> types;
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            types = await VehicleTypeAvailability.ReadAllAsync(reader, cancellationToken);
        }

        if (types.Count == 0 && !await LotExistsAsync(connection, transaction, lotId, cancellationToken))
        {
            return null;
        }

        return new LotAvailability(lotId, asOf, types);
    }

    internal static async Task<bool> LotExistsAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string lotId, CancellationToken cancellationToken)
    {
        await using var command = connection.Command(transaction, "SELECT 1 FROM lots WHERE lot_id = @lot");
        command.With("lot", lotId);
        return await command.ExecuteScalarAsync(cancellationToken) is not null;
    }

    private static async Task<CapacitySplit?> ReadCapacityAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, string lotId, bool forUpdate, CancellationToken cancellationToken)
    {
        int version;
        await using (var lot = connection.Command(transaction, $"SELECT capacity_version FROM lots WHERE lot_id = @lot{(forUpdate ? " FOR UPDATE" : "")}"))
        {
            lot.With("lot", lotId);
            if (await lot.ExecuteScalarAsync(cancellationToken) is not int v)
            {
                return null;
            }

            version = v;
        }

        await using var command = connection.Command(transaction, """
            SELECT s.vehicle_type, count(*)::int, coalesce(c.reservable, 0)
            FROM spots s LEFT JOIN capacity_splits c ON c.lot_id = s.lot_id AND c.vehicle_type = s.vehicle_type
            WHERE s.lot_id = @lot
            GROUP BY s.vehicle_type, c.reservable
            """);
        command.With("lot", lotId);
        var shares = new List<CapacityShare>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            shares.Add(new CapacityShare(DbValues.Parse<VehicleType>(reader.GetString(0)), reader.GetInt32(2), reader.GetInt32(1)));
        }

        return new CapacitySplit(lotId, version, [.. shares.OrderBy(s => s.VehicleType)]);
    }

    private static async Task InsertSpotsAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, string lotId, IReadOnlyList<SpotDescription> spots, int firstRank, bool upsert,
        CancellationToken cancellationToken)
    {
        // One statement for the whole list: a lot of a thousand spots is one round trip.
        await using var command = connection.Command(transaction, $"""
            INSERT INTO spots (lot_id, spot_id, vehicle_type, zone, sensor_id, rank)
            SELECT @lot, t.spot, t.type, t.zone, t.sensor, @first + t.ordinality - 1
            FROM unnest(@spots, @types, @zones, @sensors) WITH ORDINALITY AS t (spot, type, zone, sensor, ordinality)
            {(upsert ? "ON CONFLICT (lot_id, spot_id) DO UPDATE SET vehicle_type = excluded.vehicle_type, zone = excluded.zone, sensor_id = excluded.sensor_id, rank = excluded.rank" : "")}
            """);
        command.With("lot", lotId).With("first", firstRank)
            .With("spots", spots.Select(s => s.Id).ToArray())
            .With("types", spots.Select(s => DbValues.Name(s.VehicleType)).ToArray())
            .With("zones", spots.Select(s => s.Zone).ToArray())
            .With("sensors", spots.Select(s => s.SensorId).ToArray());
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static void BindDefinition(NpgsqlCommand command, LotDefinition lot) =>
        command.With("lot", lot.Id).With("name", lot.Name).With("tz", lot.TimeZone)
            .With("lat", lot.Location.Lat).With("lng", lot.Location.Lng)
            .With("hours", DbValues.OpeningHoursJson(lot.OpeningHours)).With("types", TypeArray(lot.VehicleTypes));

    private static string[] TypeArray(IEnumerable<VehicleType> types) => [.. DbValues.Normalise(types).Select(DbValues.Name)];

    private static IReadOnlyList<VehicleType> ParseTypes(string[] names) => DbValues.Normalise(names.Select(DbValues.Parse<VehicleType>));

    private static GeoPoint? ReadLocation(NpgsqlDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) || reader.IsDBNull(ordinal + 1) ? null : new GeoPoint(reader.GetDouble(ordinal), reader.GetDouble(ordinal + 1));
}
