using Microsoft.Extensions.Options;
using ParkingLot.Edge.Gates;
using ParkingLot.Edge.Lots;
using ParkingLot.Edge.Occupancy;
using ParkingLot.Edge.Traffic;

namespace ParkingLot.Edge.Simulation;

internal static class SimulationExtensions
{
    /// <summary>
    /// The simulated lot: a simulated GPIO driver under a real GpioController with the real lane drivers
    /// on it, the lanes over them, simulated space sensors and the occupancy monitor, a stand-in for the
    /// cloud that signs passes and holds permit cards, and the traffic generator playing a scenario.
    /// </summary>
    public static void AddSimulation(this IHostApplicationBuilder builder, LotFile lot)
    {
        builder.Services.AddOptions<TrafficOptions>().BindConfiguration(TrafficOptions.Section).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<TrafficOptions>, TrafficOptionsValidator>();
        builder.Services.AddSingleton(sp => TrafficScenario.Load(Path.GetFullPath(sp.GetRequiredService<IOptions<TrafficOptions>>().Value.Scenario)));
        // Sensor change rates (parkctl sensors/status) are judged in scenario time, not compressed time.
        builder.Services.AddSingleton(sp => new Control.SensorTimeScale(sp.GetRequiredService<IOptions<TrafficOptions>>().Value.Speed));
        builder.Services.AddSingleton<SimulatedSpaceSensors>();
        builder.Services.AddSingleton<ISpaceSensors>(sp => sp.GetRequiredService<SimulatedSpaceSensors>());
        builder.Services.AddSingleton(sp => new SimulatedCloudIssuer(sp.GetRequiredService<EdgePaths>().DataDirectory, lot));
        // Permit cards: the lot file's and the simulated cloud's.
        var lotPermits = (lot.Permits ?? []).Select(p => new Permit(p.PermitId, p.VehicleType, null, p.ValidUntil)).ToList();
        builder.Services.AddSingleton<IPermitDirectory>(sp => new PermitDirectory(sp.GetRequiredService<SimulatedCloudIssuer>().PermitCards.Select(c => c.Permit).Concat(lotPermits)));
        builder.Services.AddSingleton(sp => new SimulatedLot(
            lot,
            sp.GetRequiredService<TimeProvider>(),
            SimulatedLaneTiming.ForSpeed(sp.GetRequiredService<IOptions<TrafficOptions>>().Value.Speed),
            sp.GetRequiredService<SimulatedCloudIssuer>().PermitsByUid.Concat(lot.PermitsByUid()).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal)));

        // The simulated cloud's key is trusted like the cloud's pass key would be.
        builder.Services.AddOptions<TrustedKeysOptions>().PostConfigure<IServiceProvider>((keys, sp) =>
        {
            var issuer = sp.GetRequiredService<SimulatedCloudIssuer>();
            keys.TrustedKeys[issuer.KeyId] = issuer.PublicKey;
        });
        builder.AddLanes(lot, (sp, gate) => sp.GetRequiredService<SimulatedLot>().Rig(gate.Id).Devices);

        builder.Services.AddHostedService<OccupancyMonitor>();
        builder.Services.AddHostedService<TrafficGenerator>();
    }
}
