using Microsoft.Extensions.Options;
using ParkingLot.Edge.Gates;
using ParkingLot.Edge.Lots;
using ParkingLot.Edge.Occupancy;
using ParkingLot.Edge.Sync;

namespace ParkingLot.Edge.Hardware;

internal static class HardwareExtensions
{
    /// <summary>
    /// The lot on real devices (no <c>--simulate</c>), every device the lot file names opened on
    /// <paramref name="buses"/>: the lanes (loop A, loop B, passage beam, barrier, printer, display, NFC
    /// reader, scanners), the space sensors (GPIO, HC-SR04, VL53L0X, and the local broker's
    /// <c>sensors/{id}</c> topics) and the <see cref="OccupancyMonitor"/> that turns their changes into
    /// ledger events. Devices are opened now, while the host is built (like the lot file is read), so
    /// what could not be opened is known and logged at start; the container disposes the buses last.
    /// </summary>
    public static void AddHardware(this IHostApplicationBuilder builder, LotFile lot, HardwareBuses buses)
    {
        builder.Services.AddSingleton(_ => buses);
        builder.AddHardwareLanes(lot, buses);

        var options = builder.Configuration.GetSection(SpaceSensorOptions.Section).Get<SpaceSensorOptions>() ?? new SpaceSensorOptions();
        builder.Services.AddSingleton(sp => new HardwareSpaceSensors(lot, sp.GetRequiredService<HardwareBuses>(), options, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<HardwareSpaceSensors>>()));
        builder.Services.AddSingleton<ISpaceSensors>(sp => sp.GetRequiredService<HardwareSpaceSensors>());
        builder.Services.AddHostedService(sp => sp.GetRequiredService<HardwareSpaceSensors>());
        builder.Services.AddSingleton<IEnumerable<Hardware.Sensors.ISpaceSensor>>(sp => sp.GetRequiredService<HardwareSpaceSensors>().Sensors);
        builder.Services.AddHostedService<OccupancyMonitor>();

        var sync = builder.Configuration.GetSection(SyncOptions.Section).Get<SyncOptions>() ?? new SyncOptions();
        var brokerText = options.Broker ?? (sync.Offline ? null : sync.Broker ?? lot.Cloud?.Broker);
        if (lot.SpotSensors?.Values.Any(s => s.Kind == SensorKind.Mqtt) != true)
        {
            return;
        }

        if (brokerText is null || !BrokerAddress.TryParse(brokerText, out var broker))
        {
            builder.Services.AddHostedService(sp => new SensorBrokerMissing(lot, sp.GetRequiredService<ILogger<SensorBrokerMissing>>()));
            return;
        }

        builder.Services.AddSingleton(sp => new MqttSensorSubscriber(lot, broker, sp.GetRequiredService<HardwareSpaceSensors>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<MqttSensorSubscriber>>()));
        builder.Services.AddHostedService(sp => sp.GetRequiredService<MqttSensorSubscriber>());
    }

    private sealed class SensorBrokerMissing(LotFile lot, ILogger<SensorBrokerMissing> logger) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            Log.SensorBrokerMissing(logger, lot.SpotSensors?.Values.Count(s => s.Kind == SensorKind.Mqtt) ?? 0);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
