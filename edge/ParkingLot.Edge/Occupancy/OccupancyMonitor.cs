using ParkingLot.Edge.Ledger;
using ParkingLot.Edge.Lots;
using ParkingLot.Shared.Contracts;

namespace ParkingLot.Edge.Occupancy;

/// <summary>
/// Turns sensor readings into <see cref="OccupancyChanged"/> events, only on a change against the
/// ledger's spot state, so a chattering or restarted sensor does not flood the ledger.
/// </summary>
internal sealed class OccupancyMonitor(ISpaceSensors sensors, LotFile lot, LedgerStore ledger, ILogger<OccupancyMonitor> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var spotsBySensor = lot.Spots.Where(s => s.SensorId is not null).ToDictionary(s => s.SensorId!, StringComparer.Ordinal);
        var known = (await ledger.GetSpotsAsync(stoppingToken)).ToDictionary(s => s.SpotId, s => s.Occupied, StringComparer.Ordinal);
        try
        {
            await foreach (var reading in sensors.Readings.ReadAllAsync(stoppingToken))
            {
                if (!spotsBySensor.TryGetValue(reading.SensorId, out var spot))
                {
                    Log.UnknownSensor(logger, reading.SensorId);
                    continue;
                }

                if (known.TryGetValue(spot.Id, out var occupied) && occupied == reading.Occupied)
                {
                    continue;
                }

                await ledger.AppendAsync(EventTypes.OccupancyChanged, new OccupancyChanged(spot.Id, spot.VehicleType, reading.Occupied, reading.SensorId), stoppingToken);
                known[spot.Id] = reading.Occupied;
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping; unread readings are re-reported by the sensors after restart.
        }
    }
}
