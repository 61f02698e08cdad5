using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using ParkingLot.Edge.Gates;
using ParkingLot.Edge.Hardware;
using ParkingLot.Edge.Hardware.Inputs;
using ParkingLot.Edge.Hardware.Printing;
using ParkingLot.Edge.Hardware.Sensors;
using ParkingLot.Edge.Kiosk;
using ParkingLot.Edge.Ledger;
using ParkingLot.Edge.Lots;
using ParkingLot.Edge.Sync;
using ParkingLot.Shared.Contracts;
using ParkingLot.Shared.Tariffs;

namespace ParkingLot.Edge.Control;

/// <summary>An expected refusal of a control call (unknown gate, missing reason): status code and one sentence.</summary>
internal sealed record ControlRefusal(int StatusCode, string Error);

/// <summary>
/// What the control API answers, computed from the ledger, the lot file, the gate drivers and the
/// outbox. Every state-changing call (gate open/close, selftest) is appended to the ledger as a
/// <see cref="ControlCommand"/> with the technician's name and reason.
/// </summary>
internal sealed class ControlService(
    LedgerStore ledger,
    LotFile lot,
    AgentIdentity agent,
    IEnumerable<ControlledGate> gates,
    IEnumerable<IReportsHealth> otherDevices,
    IEnumerable<ISpaceSensor> spaceSensors,
    SensorActivity activity,
    RecentLogs logs,
    IServiceProvider services,
    IOptions<EdgeOptions> edgeOptions,
    IConfiguration configuration,
    TimeProvider time,
    ILogger<ControlService> logger)
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

    private OutboxPublisher? Outbox => services.GetService<OutboxPublisher>();

    /// <summary>The pay kiosk's coin acceptor and receipt printer, when the lot has a kiosk.</summary>
    internal static IEnumerable<IReportsHealth> KioskDevicesOf(IServiceProvider services) =>
        services.GetService<KioskDevices>() is { } kiosk
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
        views.AddRange(KioskDevicesOf(services).Select(d => View(SafeHealth(d), null)));
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

    public async Task<(GateCommandResponse? Done, ControlRefusal? Refused)> CommandGateAsync(string gateId, bool open, GateCommandRequest request, CancellationToken cancellationToken)
    {
        var command = open ? "open" : "close";
        if (string.IsNullOrWhiteSpace(request.Reason))
        {
            return (null, new ControlRefusal(400, $"gate {command} needs a reason (it is recorded in the ledger with your name)"));
        }

        var gate = _gates.FirstOrDefault(g => string.Equals(g.GateId, gateId, StringComparison.Ordinal));
        if (gate is null)
        {
            return (null, new ControlRefusal(404, $"no gate '{gateId}' in lot {lot.LotId} (gates: {string.Join(", ", _gates.Select(g => g.GateId))})"));
        }

        if (gate.Barrier is not { } barrier)
        {
            return (null, new ControlRefusal(409, $"gate {gateId} has no barrier driver to command"));
        }

        var technician = Technician(request.Technician);
        var reason = request.Reason.Trim();
        await gate.Commands.WaitAsync(cancellationToken);
        try
        {
            var outcome = open ? await barrier.OpenAsync(cancellationToken) : await barrier.CloseAsync(cancellationToken);
            gate.HeldOpen = open && outcome.Reached;
            gate.LastCommand = $"{command} by {technician}: {reason}";
            var result = outcome.Reached
                ? $"{command} reached in {outcome.Elapsed.TotalSeconds:0.0} s"
                : $"{command} failed: {outcome.Fault} (arm {Name(outcome.Position)})";
            var audit = await ledger.AppendAsync(EventTypes.ControlGateCommand, new ControlCommand(command, gateId, technician, reason, result), cancellationToken);
            Log.GateCommanded(logger, gateId, command, technician, reason, result);
            return (new GateCommandResponse(gateId, command, outcome.Reached, Name(barrier.Position), outcome.Fault, audit.Seq), null);
        }
        finally
        {
            gate.Commands.Release();
        }
    }

    /// <summary>Puts an out-of-service lane back into service (the lane records lane.reset); audited like a gate command.</summary>
    public async Task<(GateCommandResponse? Done, ControlRefusal? Refused)> ResetGateAsync(string gateId, GateCommandRequest request, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(request.Reason))
        {
            return (null, new ControlRefusal(400, "gate reset needs a reason (it is recorded in the ledger with your name)"));
        }

        var gate = _gates.FirstOrDefault(g => string.Equals(g.GateId, gateId, StringComparison.Ordinal));
        if (gate is null)
        {
            return (null, new ControlRefusal(404, $"no gate '{gateId}' in lot {lot.LotId} (gates: {string.Join(", ", _gates.Select(g => g.GateId))})"));
        }

        if (gate.Lane is not { } lane)
        {
            return (null, new ControlRefusal(409, $"gate {gateId} has no lane running to reset"));
        }

        var technician = Technician(request.Technician);
        var reason = request.Reason.Trim();
        var wasOut = lane.Snapshot.Fault;
        lane.Reset($"{reason} ({technician})");
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        wait.CancelAfter(TimeSpan.FromSeconds(10));
        var after = wasOut is null ? lane.Snapshot : await lane.WaitForAsync(s => !s.OutOfService, wait.Token);
        var result = wasOut is null ? "lane was in service" : $"lane back in service (was: {wasOut})";
        var audit = await ledger.AppendAsync(EventTypes.ControlGateCommand, new ControlCommand("reset", gateId, technician, reason, result), cancellationToken);
        Log.GateCommanded(logger, gateId, "reset", technician, reason, result);
        return (new GateCommandResponse(gateId, "reset", !after.OutOfService, gate.Barrier is null ? "no driver" : Name(gate.Barrier.Position), after.Fault, audit.Seq), null);
    }

    public async Task<EventsResponse> TailAsync(int count, CancellationToken cancellationToken)
    {
        count = Math.Clamp(count, 1, 10_000);
        var last = ledger.LastSeq;
        var events = await ledger.ReadAfterAsync(Math.Max(0, last - count), count, cancellationToken);
        return new EventsResponse([.. events.Select(View)], ledger.LastSeq, events.Count == 0 ? last : events[^1].Seq, true);
    }

    /// <summary>
    /// Events after <paramref name="after"/>, at most <paramref name="limit"/>, optionally only those that
    /// occurred in [<paramref name="from"/>, <paramref name="to"/>). Reads at most a few pages per call;
    /// <see cref="EventsResponse.NextAfter"/> and <see cref="EventsResponse.Done"/> page on.
    /// </summary>
    public async Task<EventsResponse> EventsAsync(long after, int limit, DateTimeOffset? from, DateTimeOffset? to, CancellationToken cancellationToken)
    {
        limit = Math.Clamp(limit, 1, 5_000);
        var matched = new List<EventView>();
        var cursor = Math.Max(0, after);
        for (var page = 0; page < 20 && matched.Count < limit; page++)
        {
            var events = await ledger.ReadAfterAsync(cursor, limit, cancellationToken);
            if (events.Count == 0)
            {
                return new EventsResponse(matched, ledger.LastSeq, cursor, true);
            }

            foreach (var e in events)
            {
                cursor = e.Seq;
                if (to is { } end && e.OccurredAt >= end)
                {
                    // occurred_at never runs backwards along seq within a run; a clock stepped back
                    // across a restart can still put an older time later, so this ends the export.
                    return new EventsResponse(matched, ledger.LastSeq, cursor, true);
                }

                if (from is null || e.OccurredAt >= from)
                {
                    matched.Add(View(e));
                    if (matched.Count == limit)
                    {
                        break;
                    }
                }
            }
        }

        return new EventsResponse(matched, ledger.LastSeq, cursor, cursor >= ledger.LastSeq);
    }

    public async Task<VerifyResponse> VerifyAsync(CancellationToken cancellationToken)
    {
        var result = await ledger.VerifyAsync(cancellationToken);
        string? badType = null;
        Guid? badId = null;
        if (result.FirstBadSeq is { } bad)
        {
            try
            {
                var rows = await ledger.ReadAfterAsync(bad - 1, 1, cancellationToken);
                if (rows.Count == 1 && rows[0].Seq == bad)
                {
                    badType = rows[0].Type;
                    badId = rows[0].Id;
                }
            }
            catch (Exception ex) when (ex is FormatException or JsonException or InvalidOperationException or ArgumentException)
            {
                // The row itself is unreadable (edited id or payload): the seq and the reason name it.
            }
        }

        return new VerifyResponse(result.IsValid, result.EventsChecked, ledger.LastSeq, ledger.AckedSeq, result.FirstBadSeq, badType, badId, result.Reason);
    }

    public SyncStatusResponse SyncStatus() => new(CloudLink(), ledger.Epoch, ledger.LotId);

    public SyncNowResponse SyncNow()
    {
        if (Outbox is not { } outbox)
        {
            return new SyncNowResponse(false, "sync is off (agent started with --offline or without a broker): nothing to send to", CloudLink());
        }

        outbox.RequestSend();
        var detail = outbox.IsConnected
            ? $"sending {ledger.LastSeq - ledger.AckedSeq} unacknowledged event(s) now"
            : "not connected: the outbox keeps reconnecting on its back-off and sends the backlog once connected";
        return new SyncNowResponse(true, detail, CloudLink());
    }

    public LeasesResponse Leases()
    {
        var capacity = Enum.GetValues<VehicleType>()
            .Select(t => (Type: t, Spots: lot.SpotsOf(t).Count()))
            .Where(x => x.Spots > 0)
            .Select(x => new CapacityView(LotFileLoader.VehicleTypeName(x.Type), x.Spots, x.Spots - lot.WalkInShare(x.Type), lot.WalkInShare(x.Type)))
            .ToList();
        return new LeasesResponse([], capacity, "lot file capacity split; no cloud leases have been received by this agent");
    }

    public async Task<(TicketView? Ticket, ControlRefusal? Refused)> FindTicketAsync(string? query, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(query))
        {
            return (null, new ControlRefusal(400, "give a ticket id (T…) or the code printed on the ticket"));
        }

        var ticketId = query.Trim();
        if (ticketId.StartsWith(TicketCodePrefix, StringComparison.Ordinal))
        {
            ticketId = await TicketIdOfCodeAsync(ticketId, cancellationToken) ?? string.Empty;
            if (ticketId.Length == 0)
            {
                return (null, new ControlRefusal(404, "no ticket with that code in this lot's ledger (try the ticket id printed above the code)"));
            }
        }

        var session = await ledger.GetSessionAsync(ticketId, cancellationToken);
        if (session is null)
        {
            return (null, new ControlRefusal(404, $"no ticket '{ticketId}' in this lot's ledger"));
        }

        var now = time.GetUtcNow();
        var start = session.EnteredAt ?? session.IssuedAt;
        var feeSoFar = session.Status != SessionStatus.Closed && start is { } s
            ? TariffEngine.Quote(lot.Tariff, session.VehicleType, s, now).Total
            : (ParkingLot.Shared.Money?)null;
        var payments = (await ledger.GetPaymentsAsync(cancellationToken))
            .Where(p => p.TicketId == session.TicketId)
            .Select(p => new PaymentView(p.PaymentId, p.Amount, WireNames.Of(p.Method), p.RecordedAt, p.Seq))
            .ToList();
        return (new TicketView(
            session.TicketId,
            LotFileLoader.VehicleTypeName(session.VehicleType),
            Name(session.Status),
            session.EntryGate,
            session.IssuedAt,
            session.EnteredAt,
            session.ExitedAt,
            feeSoFar,
            session.TariffVersion ?? lot.Tariff.Version,
            session.Fee,
            payments), null);
    }

    public async Task<(SelfTestResponse? Done, ControlRefusal? Refused)> SelfTestAsync(SelfTestRequest request, CancellationToken cancellationToken)
    {
        var selected = _gates.Where(g => request.Gate is null || string.Equals(g.GateId, request.Gate, StringComparison.Ordinal)).ToList();
        if (request.Gate is not null && selected.Count == 0)
        {
            return (null, new ControlRefusal(404, $"no gate '{request.Gate}' in lot {lot.LotId} (gates: {string.Join(", ", _gates.Select(g => g.GateId))})"));
        }

        var results = new List<SelfTestResult>();
        foreach (var gate in selected)
        {
            await gate.Commands.WaitAsync(cancellationToken);
            try
            {
                results.AddRange(await TestGateAsync(gate, cancellationToken));
            }
            finally
            {
                gate.Commands.Release();
            }
        }

        if (request.Gate is null)
        {
            results.AddRange(await TestSpaceSensorsAsync(cancellationToken));
        }

        var failed = results.Where(r => !r.Passed).Select(r => r.DeviceId).ToList();
        var outcome = failed.Count == 0 ? $"{results.Count} check(s) passed" : $"{failed.Count} of {results.Count} check(s) failed: {string.Join(", ", failed)}";
        var technician = Technician(request.Technician);
        var reason = string.IsNullOrWhiteSpace(request.Reason) ? "self-test" : request.Reason.Trim();
        var audit = await ledger.AppendAsync(EventTypes.ControlSelfTest, new ControlCommand("selftest", request.Gate, technician, reason, outcome), cancellationToken);
        Log.SelfTestRan(logger, request.Gate ?? "all gates", technician, outcome);
        return (new SelfTestResponse(failed.Count == 0, results, audit.Seq), null);
    }

    public DiagResponse Diag()
    {
        var lotFile = Path.GetFullPath(edgeOptions.Value.LotFile);
        string? redacted;
        try
        {
            redacted = Redact(File.ReadAllText(lotFile));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException)
        {
            redacted = null;
        }

        string[] sections = ["Edge", "Sync", "Traffic", "Control", "Simulation", "Lanes", "Time", "Logging"];
        var settings = configuration.AsEnumerable()
            .Where(kv => kv.Value is not null && sections.Any(s => kv.Key.StartsWith(s + ":", StringComparison.OrdinalIgnoreCase)))
            .OrderBy(kv => kv.Key, StringComparer.OrdinalIgnoreCase)
            .ToDictionary(kv => kv.Key, kv => IsSecret(kv.Key) ? "***" : kv.Value, StringComparer.OrdinalIgnoreCase);
        return new DiagResponse(agent.Version, RuntimeInformation.FrameworkDescription, RuntimeInformation.OSDescription, lotFile, redacted, settings, logs.Snapshot());
    }

    /// <summary>Replaces the value of every member whose name suggests a secret (password, secret, token, key) with ***.</summary>
    internal static string Redact(string json)
    {
        var root = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        RedactNode(root);
        return root?.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) ?? "null";
    }

    private static void RedactNode(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (name, value) in obj.ToList())
                {
                    if (IsSecret(name) && value is JsonValue)
                    {
                        obj[name] = "***";
                    }
                    else
                    {
                        RedactNode(value);
                    }
                }

                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    RedactNode(item);
                }

                break;
            default:
                break;
        }
    }

    private static bool IsSecret(string name)
    {
        var last = name[(name.LastIndexOf(':') + 1)..];
        return last.Contains("password", StringComparison.OrdinalIgnoreCase)
            || last.Contains("secret", StringComparison.OrdinalIgnoreCase)
            || last.Contains("token", StringComparison.OrdinalIgnoreCase)
            || last.EndsWith("key", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// The session table keeps each ticket's code; the store has no lookup by code, so one read-only
    /// query of our own (WAL lets it run beside the agent's connections).
    /// </summary>
    private async Task<string?> TicketIdOfCodeAsync(string code, CancellationToken cancellationToken)
    {
        await using var connection = new SqliteConnection(LedgerStore.ConnectionString(ledger.Path, SqliteOpenMode.ReadOnly));
        await connection.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT ticket_id FROM sessions WHERE code = $code LIMIT 1";
        command.Parameters.AddWithValue("$code", code);
        return await command.ExecuteScalarAsync(cancellationToken) as string;
    }

    private async Task<List<SelfTestResult>> TestGateAsync(ControlledGate gate, CancellationToken cancellationToken)
    {
        var results = new List<SelfTestResult>();
        if (gate.Lane?.Snapshot is { OutOfService: false, State: not LaneState.Idle } busy)
        {
            results.Add(new SelfTestResult($"{gate.GateId}.barrier", "barrier", gate.GateId, "cycle open and closed", false,
                $"not cycled: the lane is busy ({Name(busy.State)}), a vehicle may be under the arm", "run the self-test again when no vehicle is at the gate", 0));
        }
        else if (gate.Barrier is { } barrier)
        {
            var started = time.GetTimestamp();
            var opened = await barrier.OpenAsync(cancellationToken);

            // Always command closed afterwards, also after a failed open: the safe state of a lane.
            var closed = await barrier.CloseAsync(cancellationToken);
            gate.HeldOpen = false;
            var passed = opened.Reached && closed.Reached;
            var detail = passed
                ? $"opened in {opened.Elapsed.TotalSeconds:0.0} s, closed in {closed.Elapsed.TotalSeconds:0.0} s"
                : $"open: {(opened.Reached ? "ok" : opened.Fault)}; close: {(closed.Reached ? "ok" : closed.Fault)}; arm {Name(barrier.Position)}";
            results.Add(new SelfTestResult(barrier.Id, "barrier", gate.GateId, "cycle open and closed", passed, detail,
                passed ? null : SafeHealth(barrier).LikelyFix ?? "check the arm is free to move and the barrier controller has power", Ms(started)));
        }
        else
        {
            results.Add(new SelfTestResult($"{gate.GateId}.barrier", "barrier", gate.GateId, "cycle open and closed", false, "no barrier driver is running for this gate", "check the lot file's devices.barrier", 0));
        }

        if (gate.Printer is { } printer)
        {
            var started = time.GetTimestamp();
            var now = time.GetUtcNow();
            var job = new TicketPrintJob(
                lot.Name,
                ["SELF-TEST - NOT A TICKET", $"Gate {gate.GateId}", now.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture)],
                $"SELFTEST {lot.LotId} {gate.GateId} {now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)}",
                ["Not valid for parking"]);
            var printed = await printer.PrintAsync(job, cancellationToken);
            var health = SafeHealth(printer);
            results.Add(new SelfTestResult(health.DeviceId, "ticketPrinter", gate.GateId, "print a test ticket", printed.Printed,
                printed.Printed ? "test ticket printed" : $"not printed: printer {Name(printed.Status)} ({health.Detail})",
                printed.Printed ? null : health.LikelyFix, Ms(started)));
        }

        foreach (var input in new[] { gate.Loop, gate.Passage }.OfType<IDigitalInput>())
        {
            var started = time.GetTimestamp();
            var health = SafeHealth(input);
            var (_, perHour, count) = activity.Of(input.Id);
            var flapping = perHour > InputFlappingPerHour && count >= FlappingMinChanges;
            var passed = health.State == DeviceState.Ok && !flapping;
            var detail = $"reads {(input.IsActive ? "active" : "clear")}; {health.Detail}" + (flapping ? $"; flapping at {perHour:0} changes/h" : string.Empty);
            results.Add(new SelfTestResult(input.Id, Name(health.Kind), gate.GateId, "read the input", passed, detail,
                passed ? null : flapping ? FlappingFix(health.Kind) : health.LikelyFix, Ms(started)));
        }

        foreach (var device in gate.Devices.Where(d => d != gate.Barrier && d != gate.Printer && d != gate.Loop && d != gate.Passage))
        {
            var health = SafeHealth(device);
            results.Add(new SelfTestResult(health.DeviceId, Name(health.Kind), gate.GateId, "health", health.State == DeviceState.Ok, health.Detail, health.LikelyFix, 0));
        }

        return results;
    }

    private async Task<List<SelfTestResult>> TestSpaceSensorsAsync(CancellationToken cancellationToken)
    {
        var results = new List<SelfTestResult>();
        foreach (var sensor in _spaceSensors)
        {
            var started = time.GetTimestamp();
            var read = sensor.TryReadOccupied(out var occupied);
            var health = SafeHealth(sensor);
            results.Add(new SelfTestResult(sensor.SensorId, Name(health.Kind), null, "read the sensor", read,
                read ? $"reads {(occupied ? "occupied" : "free")}" : $"no reading: {health.Detail}", read ? null : health.LikelyFix ?? "check the sensor's power and wiring", Ms(started)));
        }

        if (_spaceSensors.Count == 0)
        {
            // Simulated or third-party sensors push readings instead of being polled: check each spot
            // sensor has reported and is not flapping.
            var sensors = await GetSensorsAsync(cancellationToken);
            foreach (var s in sensors.Sensors.Where(s => s.SpotId is not null))
            {
                var passed = !s.Flapping;
                var detail = s.LastChange is { } at
                    ? $"pushes changes (not polled): {s.Value} since {at:u}, {s.ChangesPerHour:0} changes/h"
                    : "pushes changes (not polled): no change recorded yet";
                results.Add(new SelfTestResult(s.SensorId, s.Kind, null, "change rate", passed, detail, passed ? null : s.LikelyFix, 0));
            }
        }

        return results;
    }

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

    private CloudLink CloudLink()
    {
        var last = ledger.LastSeq;
        var acked = ledger.AckedSeq;
        if (Outbox is not { } outbox)
        {
            return new CloudLink(false, false, null, last, acked, last - acked, null, null, null);
        }

        var error = outbox.LastError;
        return new CloudLink(true, outbox.IsConnected, outbox.Broker, last, acked, last - acked, outbox.LastAckAt, error?.Message, error?.At);
    }

    private TimeStatus TimeNow()
    {
        var quality = ledger.TimeQuality;
        return new TimeStatus(time.GetUtcNow(), WireNames.Of(quality), quality is TimeQuality.Synced or TimeQuality.Anchored);
    }

    private string Technician(string? requested)
    {
        var name = string.IsNullOrWhiteSpace(requested) ? "unknown" : requested.Trim();
        return name.Length > 64 ? name[..64] : name;
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

    private static EventView View(LedgerEvent e) =>
        new(e.Seq, e.Id, e.Type, e.OccurredAt, WireNames.Of(e.TimeQuality), e.Payload, e.PrevHash, e.Hash);

    private static string FlappingFix(DeviceKind kind) => kind switch
    {
        DeviceKind.InductionLoop => "loop flapping: check the loop detector's sensitivity and the loop feeder cable for a loose joint or cracked saw cut (technician.md, loop flapping)",
        DeviceKind.IrBeam => "beam flapping: clean and re-align the IR beam's sender and reflector",
        _ => "sensor flapping: check it is aimed at the spot and not at passing traffic, and its mounting",
    };

    private static string Name<T>(T value)
        where T : struct, Enum => WireNames.Of(value);
}
