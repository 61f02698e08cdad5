using System.Threading.Channels;

namespace ParkingLot.Edge.Occupancy;

/// <summary>
/// Space sensors of the lot, as a stream of debounced readings (DESIGN §4: GPIO, I2C or third-party
/// sensors on the local broker all end up here). A reading may repeat the current state.
/// </summary>
internal interface ISpaceSensors
{
    ChannelReader<SpaceReading> Readings { get; }
}

/// <summary>Sensor <see cref="SensorId"/> sees its spot occupied or free.</summary>
internal readonly record struct SpaceReading(string SensorId, bool Occupied);
