using ParkingLot.Edge.Simulation;

namespace ParkingLot.Edge.Control;

/// <summary>
/// Field faults on the simulated lot's real drivers, so a technician (or a test) sees what parkctl
/// shows for them: <c>Simulation:Faults:&lt;deviceId&gt;=&lt;fault&gt;</c> with barrier <c>stuck</c>;
/// printer <c>paperOut</c>, <c>paperNearEnd</c>, <c>coverOpen</c>, <c>jammed</c>, <c>offline</c>;
/// loop or beam <c>flapping</c> (the detector relay chatters every 300 ms, as with a broken loop
/// feeder; the lane sees every edge). Device ids are <c>&lt;gate&gt;.barrier</c>, <c>.printer</c>,
/// <c>.loop</c>, <c>.beam</c>.
/// </summary>
internal sealed class SimulatedFaults(SimulatedLot lot, IConfiguration configuration, TimeProvider time, SensorTimeScale? scale = null) : IHostedService, IDisposable
{
    private static readonly TimeSpan FlapPeriod = TimeSpan.FromMilliseconds(300);

    private readonly List<ITimer> _timers = [];

    public Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var fault in configuration.GetSection("Simulation:Faults").GetChildren())
        {
            var dot = fault.Key.LastIndexOf('.');
            var rig = dot > 0 ? lot.Rigs.FirstOrDefault(r => string.Equals(r.Gate.Id, fault.Key[..dot], StringComparison.OrdinalIgnoreCase)) : null;
            if (rig is null)
            {
                throw new InvalidOperationException($"Simulation:Faults:{fault.Key}: no such gate device (use <gate>.barrier, .printer, .loop or .beam).");
            }

            var device = fault.Key[(dot + 1)..].ToLowerInvariant();
            var kind = (fault.Value ?? string.Empty).Trim().ToLowerInvariant();
            switch (device, kind)
            {
                case ("barrier", "stuck"):
                    rig.Mechanics.Stuck = true;
                    break;
                case ("printer", _) when rig.Printer is { } paper:
                    paper.PaperOut = kind == "paperout";
                    paper.PaperNearEnd = kind == "papernearend";
                    paper.CoverOpen = kind == "coveropen";
                    paper.Jammed = kind == "jammed";
                    paper.Unresponsive = kind == "offline";
                    break;
                case ("loop" or "beam", "flapping"):
                    var on = false;
                    var loop = device == "loop";

                    // The chatter runs in real time, whatever the scenario speed: judge its rate so.
                    scale?.MarkRealTime($"{rig.Gate.Id}.{device}");
                    _timers.Add(time.CreateTimer(_ =>
                    {
                        on = !on;
                        if (loop)
                        {
                            rig.Loop(on);
                        }
                        else
                        {
                            rig.Passage(on);
                        }
                    }, null, FlapPeriod, FlapPeriod));
                    break;
                default:
                    throw new InvalidOperationException($"Simulation:Faults:{fault.Key}={fault.Value}: unknown fault for a {device}.");
            }
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        foreach (var timer in _timers)
        {
            timer.Dispose();
        }

        _timers.Clear();
    }
}
