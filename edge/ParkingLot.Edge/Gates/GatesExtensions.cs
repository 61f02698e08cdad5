using Microsoft.Extensions.Options;
using ParkingLot.Edge.Hardware;
using ParkingLot.Edge.Ledger;
using ParkingLot.Edge.Lots;
using ParkingLot.Edge.Time;

namespace ParkingLot.Edge.Gates;

/// <summary>Trusted cloud keys for passes and permits (configuration section <c>Lanes:TrustedKeys</c>: key id → base64 SubjectPublicKeyInfo).</summary>
internal sealed class TrustedKeysOptions
{
    public Dictionary<string, string> TrustedKeys { get; } = new(StringComparer.Ordinal);
}

internal static class GatesExtensions
{
    /// <summary>
    /// The lanes of <paramref name="lot"/>, one state machine per gate over the devices
    /// <paramref name="devices"/> gives for it, started (recovered) by <see cref="LanesService"/>.
    /// Registers the ticket signer, the trusted keys and the lane context too; an
    /// <see cref="IPermitDirectory"/> registered before is used, else an empty one.
    /// </summary>
    public static void AddLanes(this IHostApplicationBuilder builder, LotFile lot, Func<IServiceProvider, GateDefinition, LaneDevices> devices, Func<GateDefinition, bool>? hasLane = null)
    {
        builder.Services.AddOptions<LaneOptions>().BindConfiguration(LaneOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<TrustedKeysOptions>().BindConfiguration(LaneOptions.Section);
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
        builder.Services.AddSingleton(sp => new CredentialKeyRing(sp.GetRequiredService<TicketSigner>(), sp.GetRequiredService<IOptions<TrustedKeysOptions>>().Value.TrustedKeys));
        builder.Services.AddSingleton(sp => new LaneContext(
            lot,
            sp.GetRequiredService<TicketSigner>(),
            sp.GetRequiredService<CredentialKeyRing>(),
            sp.GetService<IPermitDirectory>() ?? new PermitDirectory(),
            sp.GetRequiredService<IOptions<LaneOptions>>().Value,
            sp.GetService<TrustedClock>()));

        foreach (var gate in lot.Gates.Where(hasLane ?? (_ => true)))
        {
            builder.Services.AddSingleton<Lane>(sp => gate.Direction == GateDirection.Entry
                ? new EntryLane(gate, devices(sp, gate), sp.GetRequiredService<LaneContext>(), sp.GetRequiredService<LedgerStore>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<EntryLane>>())
                : new ExitLane(gate, devices(sp, gate), sp.GetRequiredService<LaneContext>(), sp.GetRequiredService<LedgerStore>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<ExitLane>>()));
        }

        builder.Services.AddHostedService<LanesService>();
    }

    /// <summary>
    /// The lanes on the Pi's real hardware, from the lot file's gate devices. The drivers are opened
    /// now, while the host is built (like the lot file is read), so that only gates whose loop, beam
    /// and barrier opened get a lane; what could not be opened is logged at start.
    /// </summary>
    public static void AddHardwareLanes(this IHostApplicationBuilder builder, LotFile lot, HardwareBuses buses)
    {
        var options = new LaneHardwareOptions();
        builder.Configuration.GetSection(LaneOptions.Section).Bind(options);
        var hardware = LaneHardware.Open(lot, options, buses, TimeProvider.System);

        // Resolving the buses first makes the container dispose the lanes' drivers before the buses
        // under them (reverse creation order), so no debounce timer reads a closed GPIO controller.
        builder.Services.AddSingleton(sp =>
        {
            _ = sp.GetRequiredService<HardwareBuses>();
            return hardware;
        });
        builder.Services.AddHostedService<LaneHardwareReport>();
        builder.Services.AddSingleton<IPermitDirectory>(new PermitDirectory((lot.Permits ?? []).Select(p => new Permit(p.PermitId, p.VehicleType, null, p.ValidUntil))));
        builder.AddLanes(lot, (sp, gate) => sp.GetRequiredService<LaneHardware>().Devices(gate.Id), gate => hardware.GateIds.Contains(gate.Id));
    }
}

/// <summary>Logs, at start, what the lane hardware could not open (a gate without a lane, a missing display …).</summary>
internal sealed class LaneHardwareReport(LaneHardware hardware, ILogger<LaneHardwareReport> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var problem in hardware.Problems)
        {
            Log.LaneHardwareProblem(logger, problem);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>
/// Starts every lane at agent start (each recovers from the ledger and its sensors before it takes a
/// vehicle) and stops them at shutdown, after the traffic and before the ledger closes.
/// </summary>
internal sealed class LanesService(IEnumerable<Lane> lanes) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var lane in lanes)
        {
            await lane.StartAsync(cancellationToken);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        foreach (var lane in lanes)
        {
            await lane.StopAsync();
        }
    }
}
