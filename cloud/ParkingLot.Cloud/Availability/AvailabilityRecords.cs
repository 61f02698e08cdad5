using ParkingLot.Shared.Contracts;

namespace ParkingLot.Cloud.Availability;

/// <summary><c>GET /api/v1/lots/{lotId}/availability</c>, and the value the availability cache holds.</summary>
internal sealed record LotAvailability(string LotId, DateTimeOffset AsOf, IReadOnlyList<VehicleTypeAvailability> VehicleTypes);

/// <summary>Spots of one vehicle type: <see cref="Free"/> = <see cref="Capacity"/> − <see cref="Occupied"/>.</summary>
internal sealed record VehicleTypeAvailability(VehicleType VehicleType, int Capacity, int Occupied, int Free)
{
    /// <summary>
    /// Occupied is the larger of what the space sensors see and what the gates counted in, so a
    /// sensor that misses a car or a lot without sensors never shows room that may be taken.
    /// </summary>
    public static VehicleTypeAvailability From(VehicleType type, int capacity, int sensorOccupied, long vehiclesIn)
    {
        var occupied = (int)Math.Clamp(Math.Max(sensorOccupied, vehiclesIn), 0, capacity);
        return new VehicleTypeAvailability(type, capacity, occupied, capacity - occupied);
    }
}
