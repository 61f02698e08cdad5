using System.Device.Gpio;
using Microsoft.Extensions.Time.Testing;
using ParkingLot.Edge.Hardware.Gpio;

namespace ParkingLot.Edge.Tests.Hardware;

/// <summary>A fake clock, a simulated GPIO driver and a real <see cref="GpioController"/> over it.</summary>
internal sealed class HardwareTestKit : IDisposable
{
    public HardwareTestKit()
    {
        Time = new FakeTimeProvider(new DateTimeOffset(2025, 3, 1, 8, 0, 0, TimeSpan.Zero));
        Driver = new SimulatedGpioDriver(Time);
        Controller = new GpioController(Driver);
    }

    public FakeTimeProvider Time { get; }

    public SimulatedGpioDriver Driver { get; }

    public GpioController Controller { get; }

    /// <summary>Moves the fake clock forward by <paramref name="milliseconds"/>.</summary>
    public void Advance(double milliseconds) => Time.Advance(TimeSpan.FromMilliseconds(milliseconds));

    /// <summary>
    /// Moves the fake clock forward 1 ms at a time. FakeTimeProvider runs every timer due within one
    /// Advance with the clock already at the end, so a chain of timers (a pulse train feeding a
    /// debouncer) only keeps its order when the steps are finer than its edges.
    /// </summary>
    public void Step(double milliseconds)
    {
        for (var t = 0; t < milliseconds; t++)
        {
            Time.Advance(TimeSpan.FromMilliseconds(1));
        }
    }

    /// <summary>
    /// Steps the fake clock until <paramref name="task"/> completes, yielding between steps so
    /// continuations that hop to the thread pool get to register their next timer. Fails instead of
    /// hanging when the task does not complete within <paramref name="maxFakeTime"/> of fake time.
    /// </summary>
    public async Task<T> RunAsync<T>(Task<T> task, TimeSpan step, TimeSpan maxFakeTime)
    {
        var until = Time.GetUtcNow() + maxFakeTime;
        while (!task.IsCompleted)
        {
            if (Time.GetUtcNow() >= until)
            {
                throw new TimeoutException($"Still running after {maxFakeTime} of fake time.");
            }

            Time.Advance(step);
            await Task.Delay(1, CancellationToken.None);
        }

        return await task;
    }

    public async Task RunAsync(Task task, TimeSpan step, TimeSpan maxFakeTime) =>
        await RunAsync(task.ContinueWith(t => { t.GetAwaiter().GetResult(); return true; }, TaskScheduler.Default), step, maxFakeTime);

    public void Dispose() => Controller.Dispose();
}
