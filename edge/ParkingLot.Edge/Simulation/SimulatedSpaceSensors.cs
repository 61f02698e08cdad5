using System.Threading.Channels;
using ParkingLot.Edge.Occupancy;

namespace ParkingLot.Edge.Simulation;

/// <summary>One simulated sensor per spot; the traffic generator parks and unparks through it.</summary>
internal sealed class SimulatedSpaceSensors : ISpaceSensors
{
    private readonly Channel<SpaceReading> _readings = Channel.CreateUnbounded<SpaceReading>(new UnboundedChannelOptions { SingleReader = true });

    public ChannelReader<SpaceReading> Readings => _readings.Reader;

    public void Report(string sensorId, bool occupied) => _readings.Writer.TryWrite(new SpaceReading(sensorId, occupied));
}
