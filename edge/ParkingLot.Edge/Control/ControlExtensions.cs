using Microsoft.Extensions.Options;
using ParkingLot.Edge.Gates;
using ParkingLot.Edge.Lots;
using ParkingLot.Edge.Simulation;

namespace ParkingLot.Edge.Control;

internal static class ControlExtensions
{
    /// <summary>
    /// The local control API for parkctl (Kestrel on a Unix socket), its view of the gate drivers and
    /// sensors, and the in-memory log tail for diagnostics. Call after the lanes: each gate's lane
    /// lends its drivers; a simulated lot also gets the fault injection of <see cref="SimulatedFaults"/>.
    /// </summary>
    public static void AddControl(this IHostApplicationBuilder builder, LotFile lot)
    {
        builder.Services.AddOptions<ControlOptions>().BindConfiguration(ControlOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        var options = builder.Configuration.GetSection(ControlOptions.Section).Get<ControlOptions>() ?? new ControlOptions();

        var recentLogs = new RecentLogs(TimeProvider.System);
        builder.Logging.AddProvider(recentLogs);

        // The diag bundle keeps Information even when the journal is set to Warning.
        builder.Logging.AddFilter<RecentLogs>(null, LogLevel.Information);
        builder.Services.AddSingleton(recentLogs);

        if (builder.Services.Any(d => d.ServiceType == typeof(ControlledGate)))
        {
            // Registered by whoever owns the drivers.
        }
        else if (builder.Services.Any(d => d.ServiceType == typeof(Lane)))
        {
            foreach (var gate in lot.Gates)
            {
                builder.Services.AddSingleton(sp => ControlledGate.Of(sp.GetServices<Lane>().Single(l => l.GateId == gate.Id), gate));
            }
        }
        else
        {
            // No drivers run for these gates: list them, refuse commands, report the missing driver.
            foreach (var gate in lot.Gates)
            {
                builder.Services.AddSingleton(new ControlledGate(gate, barrier: null));
            }
        }

        if (builder.Services.Any(d => d.ServiceType == typeof(SimulatedLot)))
        {
            builder.Services.AddHostedService<SimulatedFaults>();
        }

        builder.Services.AddSingleton(sp =>
        {
            var data = sp.GetRequiredService<EdgePaths>().DataDirectory;
            var socket = sp.GetRequiredService<IOptions<ControlOptions>>().Value.Socket;
            return new ControlPaths(
                Path.GetFullPath(socket ?? Path.Combine(data, ControlPaths.SocketFileName)),
                Path.Combine(data, ControlPaths.TokenFileName));
        });
        builder.Services.AddSingleton<SensorActivity>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<SensorActivity>());
        builder.Services.AddSingleton<ControlService>();
        builder.Services.AddHostedService<DeviceWatcher>();
        if (options.Enabled)
        {
            builder.Services.AddHostedService<ControlServer>();
        }
    }
}
