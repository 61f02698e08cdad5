using Microsoft.Extensions.Options;
using ParkingLot.Edge.Gates;
using ParkingLot.Edge.Ledger;
using ParkingLot.Edge.Lots;
using ParkingLot.Edge.Occupancy;
using ParkingLot.Edge.Traffic;

namespace ParkingLot.Edge.Simulation;

internal static class SimulationExtensions
{
    /// <summary>
    /// Simulated sensors and barriers behind the same lane and sensor interfaces the hardware drivers
    /// will implement, the occupancy monitor, and the traffic generator playing a scenario.
    /// </summary>
    public static void AddSimulation(this IHostApplicationBuilder builder, LotFile lot)
    {
        builder.Services.AddOptions<TrafficOptions>().BindConfiguration(TrafficOptions.Section).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<TrafficOptions>, TrafficOptionsValidator>();
        builder.Services.AddSingleton(sp => TrafficScenario.Load(Path.GetFullPath(sp.GetRequiredService<IOptions<TrafficOptions>>().Value.Scenario)));
        builder.Services.AddSingleton<SimulatedSpaceSensors>();
        builder.Services.AddSingleton<ISpaceSensors>(sp => sp.GetRequiredService<SimulatedSpaceSensors>());
        builder.Services.AddSingleton(sp =>
        {
            var paths = sp.GetRequiredService<EdgePaths>();
            var signer = TicketSigner.LoadOrCreate(paths.DataDirectory, lot.LotId, out var created);
            if (created)
            {
                Log.SigningKeyCreated(sp.GetRequiredService<ILogger<TicketSigner>>(), signer.KeyId, paths.DataDirectory);
            }

            return signer;
        });

        foreach (var gate in lot.Gates)
        {
            var barrier = new SimulatedBarrier(gate.Id);
            if (gate.Direction == GateDirection.Entry)
            {
                builder.Services.AddSingleton<IEntryLane>(sp => new EntryLane(
                    gate, barrier, lot, sp.GetRequiredService<LedgerStore>(), sp.GetRequiredService<TicketSigner>(),
                    sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<EntryLane>>()));
            }
            else
            {
                builder.Services.AddSingleton<IExitLane>(sp => new ExitLane(
                    gate, barrier, lot, sp.GetRequiredService<LedgerStore>(),
                    sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<ExitLane>>()));
            }
        }

        builder.Services.AddHostedService<OccupancyMonitor>();
        builder.Services.AddHostedService<TrafficGenerator>();
    }
}
