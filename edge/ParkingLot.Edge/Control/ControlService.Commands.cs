using System.Globalization;
using ParkingLot.Edge.Gates;
using ParkingLot.Edge.Hardware;
using ParkingLot.Edge.Hardware.Inputs;
using ParkingLot.Edge.Hardware.Printing;
using ParkingLot.Shared.Contracts;

namespace ParkingLot.Edge.Control;

// Gate commands (open, close, reset) and the self-test: through each gate's lane and audited in the ledger.
internal sealed partial class ControlService
{
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

        if (gate.Barrier is not { } barrier || gate.Lane is not { } lane)
        {
            // Manual moves go through the lane's interlock; without a lane there is none to go through.
            return (null, new ControlRefusal(409, $"gate {gateId} has no lane running to command (manual moves go through the lane's interlock)"));
        }

        var technician = Technician(request.Technician);
        var reason = request.Reason.Trim();
        await gate.Commands.WaitAsync(cancellationToken);
        try
        {
            // The lane appends barrier.moved before it drives the relay, or refuses (a close with
            // something in the passage): the relay does not move and the refusal is recorded here.
            var moved = await lane.CommandGateAsync(open, $"{command} by {technician}: {reason}", cancellationToken);
            var outcome = moved.Outcome;
            var reached = outcome?.Reached == true;
            gate.HeldOpen = open ? reached : gate.HeldOpen && !reached;
            gate.LastCommand = $"{command} by {technician}: {reason}";
            var result = moved.Refusal
                ?? (reached
                    ? $"{command} reached in {outcome!.Elapsed.TotalSeconds:0.0} s"
                    : $"{command} failed: {outcome!.Fault} (arm {Name(outcome.Position)})");
            var audit = await ledger.AppendAsync(EventTypes.ControlGateCommand, new ControlCommand(command, gateId, technician, reason, result), cancellationToken);
            if (moved.Refusal is not null)
            {
                Log.ManualCommandRefused(logger, gateId, command, moved.Refusal);
            }

            Log.GateCommanded(logger, gateId, command, technician, reason, result);
            return (new GateCommandResponse(gateId, command, reached, Name(barrier.Position), moved.Refusal ?? outcome?.Fault, audit.Seq), null);
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

    private async Task<List<SelfTestResult>> TestGateAsync(ControlledGate gate, CancellationToken cancellationToken)
    {
        var results = new List<SelfTestResult>();
        if (gate.Barrier is { } barrier && gate.Lane is { } lane)
        {
            var started = time.GetTimestamp();
            var cycle = await lane.CycleArmAsync("self-test", cancellationToken);
            if (cycle.NotCycled is { } why)
            {
                results.Add(new SelfTestResult(barrier.Id, "barrier", gate.GateId, "cycle open and closed", false,
                    $"not cycled: {why}", "run the self-test again when no vehicle is at the gate", 0));
            }
            else
            {
                var (opened, closed) = (cycle.Opened!, cycle.Closed);
                gate.HeldOpen = false;
                var passed = opened.Reached && closed?.Reached == true;
                var detail = passed
                    ? $"opened in {opened.Elapsed.TotalSeconds:0.0} s, closed in {closed!.Elapsed.TotalSeconds:0.0} s"
                    : $"open: {(opened.Reached ? "ok" : opened.Fault)}; close: {(closed is null ? "not commanded" : closed.Reached ? "ok" : closed.Fault)}; arm {Name(barrier.Position)}";
                results.Add(new SelfTestResult(barrier.Id, "barrier", gate.GateId, "cycle open and closed", passed, detail,
                    passed ? null : SafeHealth(barrier).LikelyFix ?? "check the arm is free to move and the barrier controller has power", Ms(started)));
            }
        }
        else
        {
            results.Add(new SelfTestResult($"{gate.GateId}.barrier", "barrier", gate.GateId, "cycle open and closed", false, "no barrier driver and lane are running for this gate", "check the lot file's devices.barrier", 0));
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

    private string Technician(string? requested)
    {
        var name = string.IsNullOrWhiteSpace(requested) ? "unknown" : requested.Trim();
        return name.Length > 64 ? name[..64] : name;
    }
}
