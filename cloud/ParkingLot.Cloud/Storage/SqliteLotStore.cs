using Microsoft.Data.Sqlite;
using ParkingLot.Cloud.Availability;
using ParkingLot.Cloud.Lots;
using ParkingLot.Shared.Contracts;
using ParkingLot.Shared.Tariffs;

namespace ParkingLot.Cloud.Storage;

/// <summary>Lots, spots, tariffs, capacity splits and the availability rebuilt from them, on the embedded SQLite store.</summary>
internal sealed class SqliteLotStore(SqliteDatabase database) : ILotStore, IAvailabilityStore
{
    public async Task UpsertAsync(LotDescription lot, CancellationToken cancellationToken)
    {
        await using var writer = await WriterAsync(cancellationToken);

        await using (var upsertLot = writer.Command("""
            INSERT INTO lots (lot_id, name, time_zone, lat, lng, vehicle_types) VALUES ($lot, $name, $tz, $lat, $lng, $types)
            ON CONFLICT (lot_id) DO UPDATE SET name = excluded.name, time_zone = excluded.time_zone, lat = excluded.lat, lng = excluded.lng,
                vehicle_types = excluded.vehicle_types
            """))
        {
            upsertLot.With("$lot", lot.LotId).With("$name", lot.Name).With("$tz", lot.TimeZone)
                .With("$lat", lot.Location?.Lat).With("$lng", lot.Location?.Lng)
                .With("$types", DbValues.TypeList(lot.Spots.Select(s => s.VehicleType)));
            await upsertLot.ExecuteNonQueryAsync(cancellationToken);
        }

        var existing = new List<string>();
        await using (var select = writer.Command("SELECT spot_id FROM spots WHERE lot_id = $lot"))
        {
            select.With("$lot", lot.LotId);
            await using var reader = await select.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                existing.Add(reader.GetString(0));
            }
        }

        var wanted = lot.Spots.Select(s => s.Id).ToHashSet(StringComparer.Ordinal);
        await using (var delete = writer.Command("DELETE FROM spots WHERE lot_id = $lot AND spot_id = $spot"))
        {
            var spotParameter = delete.Parameters.Add("$spot", SqliteType.Text);
            delete.With("$lot", lot.LotId);
            foreach (var gone in existing.Where(id => !wanted.Contains(id)))
            {
                spotParameter.Value = gone;
                await delete.ExecuteNonQueryAsync(cancellationToken);
            }
        }

        // Re-seeding keeps the occupancy the edge reported; only the description changes.
        await InsertSpotsAsync(writer, lot.LotId, lot.Spots, firstRank: 0, upsert: true, cancellationToken);
        await writer.Transaction.CommitAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<LotSummary>> ListAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT lot_id, name, lat, lng FROM lots ORDER BY lot_id";
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
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT l.name, l.time_zone, l.lat, l.lng, l.vehicle_types, l.opening_hours, l.tariff_version, s.zone, count(s.spot_id)
            FROM lots l LEFT JOIN spots s ON s.lot_id = l.lot_id
            WHERE l.lot_id = $lot
            GROUP BY s.zone ORDER BY s.zone
            """;
        command.With("$lot", lotId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        LotDetails? lot = null;
        var zones = new List<string>();
        var spotCount = 0;
        while (await reader.ReadAsync(cancellationToken))
        {
            lot ??= new LotDetails(
                lotId, reader.GetString(0), reader.GetString(1), ReadLocation(reader, 2), 0, zones,
                DbValues.ParseTypeList(reader.GetString(4)), DbValues.ParseOpeningHours(reader.GetString(5)),
                reader.IsDBNull(6) ? null : reader.GetString(6));
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
        await using var writer = await WriterAsync(cancellationToken);
        await using var command = writer.Command("""
            INSERT INTO lots (lot_id, name, time_zone, lat, lng, opening_hours, vehicle_types) VALUES ($lot, $name, $tz, $lat, $lng, $hours, $types)
            ON CONFLICT (lot_id) DO NOTHING
            """);
        BindDefinition(command, lot);
        if (await command.ExecuteNonQueryAsync(cancellationToken) == 0)
        {
            return new LotWriteResult(LotWriteStatus.Conflict, $"Lot '{lot.Id}' exists already.");
        }

        await writer.Transaction.CommitAsync(cancellationToken);
        return LotWriteResult.Done;
    }

    public async Task<LotWriteResult> UpdateAsync(LotDefinition lot, CancellationToken cancellationToken)
    {
        await using var writer = await WriterAsync(cancellationToken);
        await using var command = writer.Command("""
            UPDATE lots SET name = $name, time_zone = $tz, lat = $lat, lng = $lng, opening_hours = $hours, vehicle_types = $types
            WHERE lot_id = $lot
            """);
        BindDefinition(command, lot);
        if (await command.ExecuteNonQueryAsync(cancellationToken) == 0)
        {
            return LotWriteResult.UnknownLot;
        }

        await writer.Transaction.CommitAsync(cancellationToken);
        return LotWriteResult.Done;
    }

    public async Task<LotWriteResult> AddSpotsAsync(string lotId, IReadOnlyList<SpotDescription> spots, CancellationToken cancellationToken)
    {
        await using var writer = await WriterAsync(cancellationToken);
        string types;
        await using (var lot = writer.Command("SELECT vehicle_types FROM lots WHERE lot_id = $lot"))
        {
            lot.With("$lot", lotId);
            if (await lot.ExecuteScalarAsync(cancellationToken) is not string current)
            {
                return LotWriteResult.UnknownLot;
            }

            types = current;
        }

        int firstRank;
        await using (var existing = writer.Command("SELECT coalesce(max(rank) + 1, 0) FROM spots WHERE lot_id = $lot"))
        {
            existing.With("$lot", lotId);
            firstRank = Convert.ToInt32(await existing.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
        }

        await using (var taken = writer.Command("SELECT spot_id FROM spots WHERE lot_id = $lot AND spot_id = $spot"))
        {
            taken.With("$lot", lotId);
            var spot = taken.Parameters.Add("$spot", SqliteType.Text);
            foreach (var s in spots)
            {
                spot.Value = s.Id;
                if (await taken.ExecuteScalarAsync(cancellationToken) is not null)
                {
                    return new LotWriteResult(LotWriteStatus.Conflict, $"Spot '{s.Id}' exists already in lot '{lotId}'.");
                }
            }
        }

        await InsertSpotsAsync(writer, lotId, spots, firstRank, upsert: false, cancellationToken);
        await using (var update = writer.Command("UPDATE lots SET vehicle_types = $types WHERE lot_id = $lot"))
        {
            update.With("$lot", lotId).With("$types", DbValues.TypeList(DbValues.ParseTypeList(types).Concat(spots.Select(s => s.VehicleType))));
            await update.ExecuteNonQueryAsync(cancellationToken);
        }

        await writer.Transaction.CommitAsync(cancellationToken);
        return LotWriteResult.Done;
    }

    public async Task<IReadOnlyList<SpotInfo>?> ListSpotsAsync(string lotId, VehicleType? vehicleType, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        if (!await LotExistsAsync(connection, null, lotId, cancellationToken))
        {
            return null;
        }

        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT spot_id, vehicle_type, zone, sensor_id, rank, occupied FROM spots
            WHERE lot_id = $lot AND ($type IS NULL OR vehicle_type = $type)
            ORDER BY rank, spot_id
            """;
        command.With("$lot", lotId).With("$type", vehicleType is { } t ? DbValues.Name(t) : null);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var spots = new List<SpotInfo>();
        while (await reader.ReadAsync(cancellationToken))
        {
            spots.Add(new SpotInfo(
                reader.GetString(0), DbValues.Parse<VehicleType>(reader.GetString(1)), reader.GetString(2),
                reader.IsDBNull(3) ? null : reader.GetString(3), reader.GetInt32(4), reader.GetBoolean(5)));
        }

        return spots;
    }

    public async Task<CapacitySplit?> GetCapacityAsync(string lotId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await ReadCapacityAsync(connection, null, lotId, cancellationToken);
    }

    public async Task<LotWriteResult> SetCapacityAsync(
        string lotId, IReadOnlyDictionary<VehicleType, int> reservable, DateTimeOffset updatedAt, CancellationToken cancellationToken)
    {
        await using var writer = await WriterAsync(cancellationToken);
        var current = await ReadCapacityAsync(writer.Connection, writer.Transaction, lotId, cancellationToken);
        if (current is null)
        {
            return LotWriteResult.UnknownLot;
        }

        if (CapacityRules.Check(current, reservable) is { } problem)
        {
            return new LotWriteResult(LotWriteStatus.Invalid, problem);
        }

        var version = current.Version + 1;
        await using (var bump = writer.Command("UPDATE lots SET capacity_version = $version WHERE lot_id = $lot"))
        {
            bump.With("$lot", lotId).With("$version", version);
            await bump.ExecuteNonQueryAsync(cancellationToken);
        }

        await using (var upsert = writer.Command("""
            INSERT INTO capacity_splits (lot_id, vehicle_type, reservable, version, updated_at) VALUES ($lot, $type, $reservable, $version, $at)
            ON CONFLICT (lot_id, vehicle_type) DO UPDATE SET reservable = excluded.reservable, version = excluded.version, updated_at = excluded.updated_at
            """))
        {
            upsert.With("$lot", lotId).With("$version", version).With("$at", DbValues.Time(updatedAt));
            var type = upsert.Parameters.Add("$type", SqliteType.Text);
            var share = upsert.Parameters.Add("$reservable", SqliteType.Integer);
            foreach (var (t, n) in reservable)
            {
                type.Value = DbValues.Name(t);
                share.Value = n;
                await upsert.ExecuteNonQueryAsync(cancellationToken);
            }
        }

        await writer.Transaction.CommitAsync(cancellationToken);
        return LotWriteResult.Done;
    }

    public async Task<LotWriteResult> PublishTariffAsync(string lotId, TariffDefinition tariff, DateTimeOffset publishedAt, CancellationToken cancellationToken)
    {
        await using var writer = await WriterAsync(cancellationToken);
        if (!await LotExistsAsync(writer.Connection, writer.Transaction, lotId, cancellationToken))
        {
            return LotWriteResult.UnknownLot;
        }

        var json = DbValues.TariffJson(tariff);
        await using (var existing = writer.Command("SELECT definition FROM lot_tariffs WHERE lot_id = $lot AND version = $version"))
        {
            existing.With("$lot", lotId).With("$version", tariff.Version);
            if (await existing.ExecuteScalarAsync(cancellationToken) is string stored && !string.Equals(stored, json, StringComparison.Ordinal))
            {
                return new LotWriteResult(LotWriteStatus.Conflict, TariffRules.VersionTaken(lotId, tariff.Version));
            }
        }

        await using (var insert = writer.Command("""
            INSERT INTO lot_tariffs (lot_id, version, definition, published_at) VALUES ($lot, $version, $json, $at)
            ON CONFLICT (lot_id, version) DO NOTHING
            """))
        {
            insert.With("$lot", lotId).With("$version", tariff.Version).With("$json", json).With("$at", DbValues.Time(publishedAt));
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        await using (var current = writer.Command("UPDATE lots SET tariff_version = $version WHERE lot_id = $lot"))
        {
            current.With("$lot", lotId).With("$version", tariff.Version);
            await current.ExecuteNonQueryAsync(cancellationToken);
        }

        await writer.Transaction.CommitAsync(cancellationToken);
        return LotWriteResult.Done;
    }

    public async Task<TariffDefinition?> GetTariffAsync(string lotId, string? version, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT t.definition FROM lot_tariffs t JOIN lots l ON l.lot_id = t.lot_id
            WHERE t.lot_id = $lot AND t.version = coalesce($version, l.tariff_version)
            """;
        command.With("$lot", lotId).With("$version", version);
        return await command.ExecuteScalarAsync(cancellationToken) is string json ? DbValues.ParseTariff(json) : null;
    }

    public async Task<IReadOnlyList<CatalogLot>> ListCatalogAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT l.lot_id, l.name, l.time_zone, l.lat, l.lng, l.vehicle_types, t.definition, l.opening_hours
            FROM lots l LEFT JOIN lot_tariffs t ON t.lot_id = l.lot_id AND t.version = l.tariff_version
            ORDER BY l.lot_id
            """;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var lots = new List<CatalogLot>();
        while (await reader.ReadAsync(cancellationToken))
        {
            lots.Add(new CatalogLot(
                reader.GetString(0), reader.GetString(1), reader.GetString(2), ReadLocation(reader, 3),
                DbValues.ParseTypeList(reader.GetString(5)), reader.IsDBNull(6) ? null : DbValues.ParseTariff(reader.GetString(6)),
                DbValues.ParseOpeningHours(reader.GetString(7))));
        }

        return lots;
    }

    public async Task<LotAvailability?> LoadAsync(string lotId, DateTimeOffset asOf, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await ReadAvailabilityAsync(connection, transaction: null, lotId, asOf, cancellationToken);
    }

    /// <summary>
    /// Aggregates the lot's spots, gate counts, capacity split and the bookings covering
    /// <paramref name="asOf"/>: indexed range reads of the lot's rows, cheap enough to run inside every
    /// ingest and booking transaction (never per availability request: that is served from the cache).
    /// </summary>
    internal static async Task<LotAvailability?> ReadAvailabilityAsync(
        SqliteConnection connection, SqliteTransaction? transaction, string lotId, DateTimeOffset asOf, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"""
            SELECT s.vehicle_type, count(*), sum(s.occupied), coalesce(v.vehicles_in, 0), coalesce(c.reservable, 0),
                (SELECT count(*) FROM bookings b
                 WHERE b.lot_id = s.lot_id AND b.vehicle_type = s.vehicle_type AND b.start_ms <= $now AND b.end_ms > $now
                   AND {BookingSql.ActiveAt("b.", "expires_at_ms", "$now")})
            FROM spots s
            LEFT JOIN lot_vehicles v ON v.lot_id = s.lot_id AND v.vehicle_type = s.vehicle_type
            LEFT JOIN capacity_splits c ON c.lot_id = s.lot_id AND c.vehicle_type = s.vehicle_type
            WHERE s.lot_id = $lot
            GROUP BY s.vehicle_type
            """;
        command.With("$lot", lotId).With("$now", DbValues.Ms(asOf));
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

    internal static async Task<bool> LotExistsAsync(SqliteConnection connection, SqliteTransaction? transaction, string lotId, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT 1 FROM lots WHERE lot_id = $lot";
        command.With("$lot", lotId);
        return await command.ExecuteScalarAsync(cancellationToken) is not null;
    }

    private static async Task<CapacitySplit?> ReadCapacityAsync(
        SqliteConnection connection, SqliteTransaction? transaction, string lotId, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            SELECT l.capacity_version, s.vehicle_type, count(s.spot_id), coalesce(c.reservable, 0)
            FROM lots l
            LEFT JOIN spots s ON s.lot_id = l.lot_id
            LEFT JOIN capacity_splits c ON c.lot_id = l.lot_id AND c.vehicle_type = s.vehicle_type
            WHERE l.lot_id = $lot
            GROUP BY s.vehicle_type
            """;
        command.With("$lot", lotId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        int? version = null;
        var shares = new List<CapacityShare>();
        while (await reader.ReadAsync(cancellationToken))
        {
            version = reader.GetInt32(0);
            if (!reader.IsDBNull(1))
            {
                shares.Add(new CapacityShare(DbValues.Parse<VehicleType>(reader.GetString(1)), reader.GetInt32(3), reader.GetInt32(2)));
            }
        }

        return version is { } v ? new CapacitySplit(lotId, v, [.. shares.OrderBy(s => s.VehicleType)]) : null;
    }

    private static async Task InsertSpotsAsync(
        SqliteWriter writer, string lotId, IReadOnlyList<SpotDescription> spots, int firstRank, bool upsert, CancellationToken cancellationToken)
    {
        await using var command = writer.Command(upsert
            ? """
              INSERT INTO spots (lot_id, spot_id, vehicle_type, zone, sensor_id, rank) VALUES ($lot, $spot, $type, $zone, $sensor, $rank)
              ON CONFLICT (lot_id, spot_id) DO UPDATE SET vehicle_type = excluded.vehicle_type, zone = excluded.zone,
                  sensor_id = excluded.sensor_id, rank = excluded.rank
              """
            : "INSERT INTO spots (lot_id, spot_id, vehicle_type, zone, sensor_id, rank) VALUES ($lot, $spot, $type, $zone, $sensor, $rank)");
        command.With("$lot", lotId);
        var spot = command.Parameters.Add("$spot", SqliteType.Text);
        var type = command.Parameters.Add("$type", SqliteType.Text);
        var zone = command.Parameters.Add("$zone", SqliteType.Text);
        var sensor = command.Parameters.Add("$sensor", SqliteType.Text);
        var rank = command.Parameters.Add("$rank", SqliteType.Integer);
        for (var i = 0; i < spots.Count; i++)
        {
            var s = spots[i];
            spot.Value = s.Id;
            type.Value = DbValues.Name(s.VehicleType);
            zone.Value = s.Zone;
            sensor.Value = (object?)s.SensorId ?? DBNull.Value;
            rank.Value = firstRank + i;
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    private static void BindDefinition(SqliteCommand command, LotDefinition lot) =>
        command.With("$lot", lot.Id).With("$name", lot.Name).With("$tz", lot.TimeZone)
            .With("$lat", lot.Location.Lat).With("$lng", lot.Location.Lng)
            .With("$hours", DbValues.OpeningHoursJson(lot.OpeningHours)).With("$types", DbValues.TypeList(lot.VehicleTypes));

    private Task<SqliteWriter> WriterAsync(CancellationToken cancellationToken) => SqliteWriter.BeginAsync(database, cancellationToken);

    private static GeoPoint? ReadLocation(SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) || reader.IsDBNull(ordinal + 1) ? null : new GeoPoint(reader.GetDouble(ordinal), reader.GetDouble(ordinal + 1));
}
