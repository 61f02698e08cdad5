using System.Device.Gpio;
using ParkingLot.Edge.Hardware.Gpio;

namespace ParkingLot.Edge.Hardware.Payment;

/// <summary>
/// The acceptor's output line on a <see cref="SimulatedGpioDriver"/>: plays a pulse train, optionally
/// with contact bounce on every edge, on the injected clock. Each edge is scheduled by one timer,
/// so with FakeTimeProvider a single Advance plays the whole train in order.
/// </summary>
internal sealed class SimulatedPulseSource(SimulatedGpioDriver driver, int pin, TimeProvider time, bool activeLow = true)
{
    /// <summary>Pulse width. Default 50 ms, a typical "medium" acceptor setting.</summary>
    public TimeSpan PulseWidth { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Gap between pulses. Default 50 ms.</summary>
    public TimeSpan Gap { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>When set, each edge chatters (on-off-on) for this long before settling.</summary>
    public TimeSpan? Bounce { get; set; }

    /// <summary>Plays <paramref name="pulses"/> pulses; completes after the last edge.</summary>
    public Task EmitAsync(int pulses)
    {
        var active = activeLow ? PinValue.Low : PinValue.High;
        var idle = activeLow ? PinValue.High : PinValue.Low;
        var edges = new List<(TimeSpan At, PinValue Level)>();
        var at = TimeSpan.Zero;
        for (var i = 0; i < pulses; i++)
        {
            AddEdge(edges, at, active, idle);
            at += PulseWidth;
            AddEdge(edges, at, idle, active);
            at += Gap;
        }

        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var start = time.GetTimestamp();
        var next = 0;
        ITimer? timer = null;
        void Fire()
        {
            while (next < edges.Count && time.GetElapsedTime(start) >= edges[next].At)
            {
                driver.SetInput(pin, edges[next].Level);
                next++;
            }

            if (next == edges.Count)
            {
                timer?.Dispose();
                done.TrySetResult();
                return;
            }

            timer?.Change(edges[next].At - time.GetElapsedTime(start), Timeout.InfiniteTimeSpan);
        }

        timer = time.CreateTimer(_ => Fire(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        Fire();
        return done.Task;
    }

    private void AddEdge(List<(TimeSpan, PinValue)> edges, TimeSpan at, PinValue to, PinValue from)
    {
        if (Bounce is { } bounce)
        {
            var third = bounce / 3;
            edges.Add((at, to));
            edges.Add((at + third, from));
            edges.Add((at + (2 * third), to));
            return;
        }

        edges.Add((at, to));
    }
}
