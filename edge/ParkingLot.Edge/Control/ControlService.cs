using System.Text.Json;
using Microsoft.Extensions.Options;
using ParkingLot.Edge.Gates;
using ParkingLot.Edge.Hardware;
using ParkingLot.Edge.Hardware.Inputs;
using ParkingLot.Edge.Hardware.Sensors;
using ParkingLot.Edge.Kiosk;
using ParkingLot.Edge.Ledger;
using ParkingLot.Edge.Lots;
using ParkingLot.Edge.Sync;
using ParkingLot.Shared.Contracts;

namespace ParkingLot.Edge.Control;

/// <summary>An expected refusal of a control call (unknown gate, missing reason): status code and one sentence.</summary>
internal sealed record ControlRefusal(int StatusCode, string Error);

/// <summary>
/// What the control API answers, computed from the ledger, the lot file, the gate drivers and the
/// outbox. Every state-changing call (gate open/close, selftest) is appended to the ledger as a
/// <see cref="ControlCommand"/> with the technician's name and reason.
/// </summary>
internal sealed partial class ControlService(
    LedgerStore ledger,
    LotFile lot,
    AgentIdentity agent,
    IEnumerable<ControlledGate> gates,
    IEnumerable<IReportsHealth> otherDevices,
    IEnumerable<ISpaceSensor> spaceSensors,
    SensorActivity activity,
    RecentLogs logs,
    IOptions<EdgeOptions> edgeOptions,
    IConfiguration configuration,
    TimeProvider time,
    ILogger<ControlService> logger,
    OutboxPublisher? outbox = null,
    KioskDevices? kiosk = null)
{
    /// <summary>Spot sensors changing more often than this per hour are flapping (a parked car makes two changes a stay).</summary>
    public const double SpotFlappingPerHour = 30;

    /// <summary>Loops and beams changing more often than this per hour are flapping (two changes per vehicle, a busy lane sees ~200 vehicles an hour).</summary>
    public const double InputFlappingPerHour = 1200;

    /// <summary>Signed ticket and pass codes start with this (shared Credentials/CredentialCodec).</summary>
    private const string TicketCodePrefix = "PL1.";

    /// <summary>A rate needs this many changes in the window before it counts as flapping (one parked car is not a storm).</summary>
    public const int FlappingMinChanges = 6;

    private readonly IReadOnlyList<ControlledGate> _gates = [.. gates];
    private readonly IReadOnlyList<IReportsHealth> _otherDevices = [.. otherDevices];
    private readonly IReadOnlyList<ISpaceSensor> _spaceSensors = [.. spaceSensors];
    private readonly DateTimeOffset _startedAt = time.GetUtcNow();
    private readonly long _startedTimestamp = time.GetTimestamp();

    /// <summary>The pay kiosk's coin acceptor and receipt printer, when the lot has a kiosk.</summary>
    internal static IEnumerable<IReportsHealth> KioskDevicesOf(KioskDevices? kiosk) =>
        kiosk is not null
            ? new IReportsHealth?[] { kiosk.Acceptor, kiosk.Printer }.OfType<IReportsHealth>()
            : [];

    public async Task<StatusResponse> GetStatusAsync(CancellationToken cancellationToken)
    {
        var devices = GetDevices();
        var faults = devices.Where(d => d.State != "ok").OrderBy(d => d.State == "faulted" ? 0 : 1).ThenBy(d => d.DeviceId, StringComparer.Ordinal).ToList();
        var cloud = CloudLink();
        var timeStatus = TimeNow();
        var problems = new List<string>();
        problems.AddRange(faults.Select(f => $"{f.DeviceId} {f.State}: {f.Detail}" + (f.LikelyFix is null ? string.Empty : $" (fix: {f.LikelyFix})")));
        var gates = GetGates().Gates;
        problems.AddRange(gates.Where(g => g.LaneFault is not null).Select(g =>
            $"lane {g.GateId} out of service: {g.LaneFault} (fix: clear the cause, then `parkctl gate reset {g.GateId} --reason \"…\"`)"));
        if (cloud.Enabled && !cloud.Connected)
        {
            problems.Add($"cloud link down ({cloud.Backlog} event(s) waiting)" + (cloud.LastError is null ? string.Empty : $": {cloud.LastError}"));
        }

        if (!timeStatus.Trusted)
        {
            problems.Add($"clock {timeStatus.Quality}: events are stamped with an untrusted time (check NTP, the RTC battery, then the cloud link)");
        }

        var sensors = await GetSensorsAsync(cancellationToken);
        problems.AddRange(sensors.Sensors.Where(s => s.Flapping && !faults.Any(f => f.DeviceId == s.SensorId))
            .Select(s => $"{s.SensorId} flapping: {s.ChangesPerHour:0} changes/h (fix: {s.LikelyFix})"));

        return new StatusResponse(
            agent.Version,
            _startedAt,
            Math.Round(time.GetElapsedTime(_startedTimestamp).TotalSeconds, 1),
            new LotSummary(lot.LotId, lot.Name, lot.TimeZone, lot.Spots.Count),
            cloud,
            timeStatus,
            gates,
            await OccupancyAsync(cancellationToken),
            faults,
            problems.Count > 0,
            problems);
    }

    public IReadOnlyList<DeviceView> GetDevices()
    {
        var views = new List<DeviceView>();
        foreach (var gate in _gates)
        {
            if (gate.Barrier is null)
            {
                views.Add(new DeviceView($"{gate.GateId}.barrier", "barrier", "faulted", "no barrier driver is running for this gate", "check the lot file's devices.barrier and that the agent runs with its hardware drivers", gate.GateId));
            }

            views.AddRange(gate.Devices.Select(d => View(SafeHealth(d), gate.GateId)));
        }

        views.AddRange(_otherDevices.Select(d => View(SafeHealth(d), null)));
        views.AddRange(KioskDevicesOf(kiosk).Select(d => View(SafeHealth(d), null)));
        views.AddRange(_spaceSensors.Select(d => View(SafeHealth(d), null)));
        return views;
    }

    public async Task<SensorsResponse> GetSensorsAsync(CancellationToken cancellationToken)
    {
        var sensors = new List<SensorView>();
        foreach (var gate in _gates)
        {
            foreach (var input in new[] { gate.Loop, gate.Passage }.OfType<IDigitalInput>())
            {
                var health = SafeHealth(input);
                var (last, perHour, count) = activity.Of(input.Id);
                var flapping = perHour > InputFlappingPerHour && count >= FlappingMinChanges;
                var kind = Name(health.Kind);
                sensors.Add(new SensorView(
                    input.Id, kind, null, gate.GateId,
                    input.IsActive ? (health.Kind == DeviceKind.IrBeam ? "blocked" : "vehicle") : "clear",
                    flapping ? "flapping" : Name(health.State),
                    last, Math.Round(perHour, 1), flapping,
                    flapping ? FlappingFix(health.Kind) : health.LikelyFix));
            }
        }

        var spots = (await ledger.GetSpotsAsync(cancellationToken)).ToDictionary(s => s.SpotId, StringComparer.Ordinal);
        var hardware = _spaceSensors.ToDictionary(s => s.SensorId, StringComparer.Ordinal);
        foreach (var spot in lot.Spots.Where(s => s.SensorId is not null))
        {
            var sensorId = spot.SensorId!;
            var (last, perHour, count) = activity.Of(sensorId);
            spots.TryGetValue(spot.Id, out var state);
            last ??= state?.ChangedAt;
            var flapping = perHour > SpotFlappingPerHour && count >= FlappingMinChanges;
            var health = hardware.TryGetValue(sensorId, out var sensor) ? SafeHealth(sensor) : null;
            // A pushing sensor reports changes only: one that never changed reads as free.
            var value = state is null ? "free" : state.Occupied ? "occupied" : "free";
            var stateName = flapping ? "flapping" : health is not null ? Name(health.State) : "ok";
            sensors.Add(new SensorView(
                sensorId, health is null ? "space" : Name(health.Kind), spot.Id, null, value, stateName, last, Math.Round(perHour, 1), flapping,
                flapping ? FlappingFix(DeviceKind.SpaceSensor) : health?.LikelyFix));
        }

        return new SensorsResponse(sensors, (int)SensorActivity.Window.TotalMinutes, SpotFlappingPerHour);
    }

    public GatesResponse GetGates() => new([.. _gates.Select(GateView)]);

    private GateView GateView(ControlledGate gate)
    {
        var states = gate.Devices.Select(d => SafeHealth(d).State).ToList();
        var lane = gate.Lane?.Snapshot;
        var state = gate.Barrier is null || lane?.OutOfService == true || states.Contains(DeviceState.Faulted) ? "faulted" : states.Contains(DeviceState.Degraded) ? "degraded" : "ok";
        return new GateView(
            gate.GateId,
            gate.Gate.Direction == GateDirection.Entry ? "entry" : "exit",
            gate.Gate.Name,
            gate.Barrier is null ? "no driver" : Name(gate.Barrier.Position),
            state,
            lane is null ? null : lane.OutOfService ? "outOfService" : Name(lane.State),
            lane?.Fault,
            gate.HeldOpen,
            gate.Loop?.IsActive,
            gate.Passage?.IsActive,
            gate.LastCommand);
    }

    private async Task<IReadOnlyList<OccupancyView>> OccupancyAsync(CancellationToken cancellationToken)
    {
        var occupied = await ledger.GetOccupancyAsync(cancellationToken);
        return [.. Enum.GetValues<VehicleType>()
            .Select(t => (Type: t, Spots: lot.SpotsOf(t).Count()))
            .Where(x => x.Spots > 0)
            .Select(x => new OccupancyView(
                LotFileLoader.VehicleTypeName(x.Type),
                occupied.GetValueOrDefault(x.Type),
                x.Spots,
                x.Spots - lot.WalkInShare(x.Type),
                lot.WalkInShare(x.Type)))];
    }

    private TimeStatus TimeNow()
    {
        var quality = ledger.TimeQuality;
        return new TimeStatus(time.GetUtcNow(), WireNames.Of(quality), quality is TimeQuality.Synced or TimeQuality.Anchored);
    }

    private double Ms(long started) => Math.Round(time.GetElapsedTime(started).TotalMilliseconds, 1);

    private static DeviceHealth SafeHealth(IReportsHealth device)
    {
        try
        {
            return device.GetHealth();
        }
        catch (Exception ex) when (ex is InvalidOperationException or IOException or ObjectDisposedException)
        {
            return new DeviceHealth(device.GetType().Name, DeviceKind.SpaceSensor, DeviceState.Faulted, $"health check failed: {ex.Message}", "restart the agent; if it persists, check the device's connection");
        }
    }

    private static DeviceView View(DeviceHealth health, string? gateId) =>
        new(health.DeviceId, Name(health.Kind), Name(health.State), health.Detail, health.LikelyFix, gateId);

    private static string FlappingFix(DeviceKind kind) => kind switch
    {
        DeviceKind.InductionLoop => "loop flapping: check the loop detector's sensitivity and the loop feeder cable for a loose joint or cracked saw cut (technician.md, loop flapping)",
        DeviceKind.IrBeam => "beam flapping: clean and re-align the IR beam's sender and reflector",
        _ => "sensor flapping: check it is aimed at the spot and not at passing traffic, and its mounting",
    };

    private static string Name<T>(T value)
        where T : struct, Enum => WireNames.Of(value);
}
