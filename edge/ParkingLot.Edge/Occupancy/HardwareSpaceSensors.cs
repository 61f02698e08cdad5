using System.Threading.Channels;
using ParkingLot.Edge.Hardware;
using ParkingLot.Edge.Hardware.Sensors;
using ParkingLot.Edge.Lots;

namespace ParkingLot.Edge.Occupancy;

/// <summary>Space sensors on real devices (configuration section <c>Sensors</c>).</summary>
internal sealed class SpaceSensorOptions
{
    public const string Section = "Sensors";

    /// <summary>Time between polls of the GPIO and ranging sensors. Default 1 s (a car takes seconds to park).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Readings in a row needed to change a space's state. Default 3 (a passer-by lasts one or two polls).</summary>
    public int RequiredConsecutive { get; set; } = 3;

    /// <summary>An MQTT sensor whose last reading is older than this is dead, not quiet. Default 30 min (bridges send a heartbeat every few minutes).</summary>
    public TimeSpan MqttMaxAge { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>The local broker the third-party sensors publish on (<c>host:port</c>). Default: the sync broker.</summary>
    public string? Broker { get; set; }
}

/// <summary>
/// The lot file's space sensors on real devices, opened on the agent's <see cref="HardwareBuses"/>:
/// GPIO presence sensors, HC-SR04 and VL53L0X rangers (polled by <see cref="SpaceSensorPoller"/>) and
/// third-party sensors on the local broker (<see cref="MqttSpaceSensor"/>, fed by
/// <see cref="MqttSensorSubscriber"/> and polled like the others, so a silent one goes stale). Their
/// filtered changes are one stream of readings for <see cref="OccupancyMonitor"/>. A sensor that cannot
/// be opened is left out with a line in <see cref="Problems"/> (logged at start); its spot keeps its
/// last state in the ledger.
/// </summary>
internal sealed class HardwareSpaceSensors : BackgroundService, ISpaceSensors
{
    /// <summary>Ranging sensors with no <c>occupiedBelowMm</c>: a car roof under a ceiling sensor 2.5 m up reads about 1 m.</summary>
    public const int DefaultOccupiedBelowMm = 1500;

    /// <summary>The dead band above the "occupied" threshold, as a fraction of it: 20 % keeps a sensor hovering at the threshold from flapping.</summary>
    private const double DeadBand = 0.2;

    private readonly Channel<SpaceReading> _readings = Channel.CreateUnbounded<SpaceReading>(new UnboundedChannelOptions { SingleReader = true });
    private readonly List<ISpaceSensor> _sensors = [];
    private readonly Dictionary<string, MqttSpaceSensor> _mqtt = new(StringComparer.Ordinal);
    private readonly List<IDisposable> _owned = [];
    private readonly List<string> _problems = [];
    private readonly SpaceSensorPoller _poller;
    private readonly ILogger<HardwareSpaceSensors> _logger;

    public HardwareSpaceSensors(LotFile lot, HardwareBuses buses, SpaceSensorOptions options, TimeProvider time, ILogger<HardwareSpaceSensors> logger)
    {
        _logger = logger;
        foreach (var spot in lot.Spots)
        {
            if (spot.SensorId is not { } sensorId || lot.SpotSensors is null || !lot.SpotSensors.TryGetValue(spot.Id, out var sensor))
            {
                continue;
            }

            try
            {
                _sensors.Add(Open(sensorId, sensor, buses, options, time));
            }
            catch (Exception e)
            {
                // No GPIO chip, no I2C bus, a sensor that does not answer its initialisation: that spot
                // goes unwatched, the others and the lanes go on.
                _problems.Add($"spot {spot.Id}: sensor {sensorId} ({sensor.Kind}) cannot be opened ({e.GetType().Name}: {e.Message}); the spot keeps its last state");
            }
        }

        _poller = new SpaceSensorPoller(_sensors, new SpaceSensorPollerOptions { Interval = options.PollInterval, RequiredConsecutive = options.RequiredConsecutive }, time);
    }

    public ChannelReader<SpaceReading> Readings => _readings.Reader;

    /// <summary>Every sensor that opened, for parkctl's health view.</summary>
    public IReadOnlyList<ISpaceSensor> Sensors => _sensors;

    /// <summary>True when at least one sensor of the lot file publishes on the local broker.</summary>
    public bool HasMqttSensors => _mqtt.Count > 0;

    public IReadOnlyList<string> Problems => _problems;

    /// <summary>A reading from the local broker, routed to its sensor; false for a sensor id no spot has.</summary>
    public bool Accept(MqttSensorReading reading)
    {
        if (!_mqtt.TryGetValue(reading.SensorId, out var sensor))
        {
            return false;
        }

        sensor.Accept(reading);
        return true;
    }

    public override void Dispose()
    {
        for (var i = _owned.Count - 1; i >= 0; i--)
        {
            _owned[i].Dispose();
        }

        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        foreach (var problem in _problems)
        {
            Log.SpaceSensorProblem(_logger, problem);
        }

        Log.SpaceSensorsWatching(_logger, _sensors.Count, _mqtt.Count, _problems.Count);
        await foreach (var change in _poller.WatchAsync(stoppingToken))
        {
            _readings.Writer.TryWrite(new SpaceReading(change.SensorId, change.Occupied));
        }
    }

    private static DistanceThresholds Thresholds(SpotSensorDefinition sensor)
    {
        var occupiedBelow = sensor.OccupiedBelowMm ?? DefaultOccupiedBelowMm;
        return new DistanceThresholds(occupiedBelow, (int)Math.Ceiling(occupiedBelow * (1 + DeadBand)));
    }

    private ISpaceSensor Open(string sensorId, SpotSensorDefinition sensor, HardwareBuses buses, SpaceSensorOptions options, TimeProvider time)
    {
        switch (sensor.Kind)
        {
            case SensorKind.Gpio:
                return Own(new GpioSpaceSensor(sensorId, buses.Gpio, sensor.Pin!.Value, sensor.ActiveLow, shouldDispose: false));
            case SensorKind.Hcsr04:
                var sonar = Own(new Hcsr04DistanceSource(buses.Gpio, sensor.TriggerPin!.Value, sensor.EchoPin!.Value, shouldDispose: false));
                return new DistanceSpaceSensor(sensorId, DeviceKind.UltrasonicSensor, sonar, Thresholds(sensor));
            case SensorKind.Vl53l0x:
                var ranger = Own(new Vl53L0XDistanceSource(buses.OpenI2c(sensor.I2cBus, sensor.Address!.Value), shouldDispose: false));
                return new DistanceSpaceSensor(sensorId, DeviceKind.TimeOfFlightSensor, ranger, Thresholds(sensor));
            default:
                var mqtt = new MqttSpaceSensor(sensorId, Thresholds(sensor), options.MqttMaxAge, time);
                _mqtt[sensorId] = mqtt;
                return mqtt;
        }
    }

    private T Own<T>(T device)
        where T : IDisposable
    {
        _owned.Add(device);
        return device;
    }
}
