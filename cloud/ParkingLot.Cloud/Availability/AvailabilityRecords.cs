using System.Data.Common;
using ParkingLot.Cloud.Storage;
using ParkingLot.Shared.Contracts;

namespace ParkingLot.Cloud.Availability;

/// <summary><c>GET /api/v1/lots/{lotId}/availability</c>, and the value the availability cache holds.</summary>
internal sealed record LotAvailability(string LotId, DateTimeOffset AsOf, IReadOnlyList<VehicleTypeAvailability> VehicleTypes)
{
    /// <summary>Occupied share of the whole lot (0..1): the demand band input of quotes.</summary>
    public double Occupancy()
    {
        var capacity = VehicleTypes.Sum(t => t.Capacity);
        return capacity == 0 ? 0 : (double)VehicleTypes.Sum(t => t.Occupied) / capacity;
    }
}

/// <summary>
/// Spots of one vehicle type: <see cref="Free"/> = <see cref="Capacity"/> − <see cref="Occupied"/>.
/// <see cref="Reservable"/> is the cloud's share (I2) and <see cref="Reserved"/> the held/confirmed
/// bookings whose window covers <see cref="LotAvailability.AsOf"/>; both are kept here so no request
/// has to count bookings.
/// </summary>
internal sealed record VehicleTypeAvailability(VehicleType VehicleType, int Capacity, int Occupied, int Free, int Reservable = 0, int Reserved = 0)
{
    /// <summary>
    /// Occupied is the larger of what the space sensors see and what the gates counted in, so a
    /// sensor that misses a car or a lot without sensors never shows room that may be taken.
    /// </summary>
    public static VehicleTypeAvailability From(VehicleType type, int capacity, int sensorOccupied, long vehiclesIn, int reservable = 0, int reserved = 0)
    {
        var occupied = (int)Math.Clamp(Math.Max(sensorOccupied, vehiclesIn), 0, capacity);
        return new VehicleTypeAvailability(type, capacity, occupied, capacity - occupied, reservable, reserved);
    }

    /// <summary>
    /// Reads the per-type availability query both stores run (columns: vehicle type, capacity, sensor
    /// occupied, vehicles in, reservable, reserved), ordered by vehicle type.
    /// </summary>
    public static async Task<List<VehicleTypeAvailability>> ReadAllAsync(DbDataReader reader, CancellationToken cancellationToken)
    {
        var types = new List<VehicleTypeAvailability>();
        while (await reader.ReadAsync(cancellationToken))
        {
            types.Add(From(
                DbValues.Parse<VehicleType>(reader.GetString(0)), reader.GetInt32(1), reader.GetInt32(2), reader.GetInt64(3),
                reader.GetInt32(4), reader.GetInt32(5)));
        }

        types.Sort((a, b) => a.VehicleType.CompareTo(b.VehicleType));
        return types;
    }
}
