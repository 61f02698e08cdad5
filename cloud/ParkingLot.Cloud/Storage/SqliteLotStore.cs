using Microsoft.Data.Sqlite;
using ParkingLot.Cloud.Availability;
using ParkingLot.Cloud.Lots;
using ParkingLot.Shared.Contracts;

namespace ParkingLot.Cloud.Storage;

/// <summary>Lots, spots and the availability rebuilt from them, on the embedded SQLite store.</summary>
internal sealed class SqliteLotStore(SqliteDatabase database) : ILotStore, IAvailabilityStore
{
    public async Task UpsertAsync(LotDescription lot, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);

        await using (var upsertLot = connection.CreateCommand())
        {
            upsertLot.CommandText = """
                INSERT INTO lots (lot_id, name, time_zone, lat, lng) VALUES ($lot, $name, $tz, $lat, $lng)
                ON CONFLICT (lot_id) DO UPDATE SET name = excluded.name, time_zone = excluded.time_zone, lat = excluded.lat, lng = excluded.lng
                """;
            upsertLot.With("$lot", lot.LotId).With("$name", lot.Name).With("$tz", lot.TimeZone)
                .With("$lat", lot.Location?.Lat).With("$lng", lot.Location?.Lng);
            await upsertLot.ExecuteNonQueryAsync(cancellationToken);
        }

        var existing = new List<string>();
        await using (var select = connection.CreateCommand())
        {
            select.CommandText = "SELECT spot_id FROM spots WHERE lot_id = $lot";
            select.With("$lot", lot.LotId);
            await using var reader = await select.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                existing.Add(reader.GetString(0));
            }
        }

        var wanted = lot.Spots.Select(s => s.Id).ToHashSet(StringComparer.Ordinal);
        await using (var delete = connection.CreateCommand())
        {
            delete.CommandText = "DELETE FROM spots WHERE lot_id = $lot AND spot_id = $spot";
            var spotParameter = delete.Parameters.Add("$spot", SqliteType.Text);
            delete.With("$lot", lot.LotId);
            foreach (var gone in existing.Where(id => !wanted.Contains(id)))
            {
                spotParameter.Value = gone;
                await delete.ExecuteNonQueryAsync(cancellationToken);
            }
        }

        await using (var upsertSpot = connection.CreateCommand())
        {
            // Re-seeding keeps the occupancy the edge reported; only the description changes.
            upsertSpot.CommandText = """
                INSERT INTO spots (lot_id, spot_id, vehicle_type, zone, sensor_id) VALUES ($lot, $spot, $type, $zone, $sensor)
                ON CONFLICT (lot_id, spot_id) DO UPDATE SET vehicle_type = excluded.vehicle_type, zone = excluded.zone, sensor_id = excluded.sensor_id
                """;
            upsertSpot.With("$lot", lot.LotId);
            var spot = upsertSpot.Parameters.Add("$spot", SqliteType.Text);
            var type = upsertSpot.Parameters.Add("$type", SqliteType.Text);
            var zone = upsertSpot.Parameters.Add("$zone", SqliteType.Text);
            var sensor = upsertSpot.Parameters.Add("$sensor", SqliteType.Text);
            foreach (var s in lot.Spots)
            {
                spot.Value = s.Id;
                type.Value = DbValues.Name(s.VehicleType);
                zone.Value = s.Zone;
                sensor.Value = (object?)s.SensorId ?? DBNull.Value;
                await upsertSpot.ExecuteNonQueryAsync(cancellationToken);
            }
        }

        await transaction.CommitAsync(cancellationToken);
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
            SELECT l.name, l.time_zone, l.lat, l.lng, s.zone, count(s.spot_id)
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
            lot ??= new LotDetails(lotId, reader.GetString(0), reader.GetString(1), ReadLocation(reader, 2), 0, zones);
            if (!reader.IsDBNull(4))
            {
                zones.Add(reader.GetString(4));
                spotCount += reader.GetInt32(5);
            }
        }

        return lot is null ? null : lot with { SpotCount = spotCount };
    }

    public async Task<LotAvailability?> LoadAsync(string lotId, DateTimeOffset asOf, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await ReadAvailabilityAsync(connection, transaction: null, lotId, asOf, cancellationToken);
    }

    /// <summary>
    /// Aggregates the lot's spots and gate counts: one indexed range read of the lot's rows, so it
    /// is cheap enough to run inside every ingest transaction.
    /// </summary>
    internal static async Task<LotAvailability?> ReadAvailabilityAsync(
        SqliteConnection connection, SqliteTransaction? transaction, string lotId, DateTimeOffset asOf, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            SELECT s.vehicle_type, count(*), sum(s.occupied), coalesce(v.vehicles_in, 0)
            FROM spots s LEFT JOIN lot_vehicles v ON v.lot_id = s.lot_id AND v.vehicle_type = s.vehicle_type
            WHERE s.lot_id = $lot
            GROUP BY s.vehicle_type
            """;
        command.With("$lot", lotId);
        var types = new List<VehicleTypeAvailability>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                types.Add(VehicleTypeAvailability.From(
                    DbValues.Parse<VehicleType>(reader.GetString(0)), reader.GetInt32(1), reader.GetInt32(2), reader.GetInt64(3)));
            }
        }

        if (types.Count == 0 && !await LotExistsAsync(connection, transaction, lotId, cancellationToken))
        {
            return null;
        }

        types.Sort((a, b) => a.VehicleType.CompareTo(b.VehicleType));
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

    private static GeoPoint? ReadLocation(SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) || reader.IsDBNull(ordinal + 1) ? null : new GeoPoint(reader.GetDouble(ordinal), reader.GetDouble(ordinal + 1));
}
