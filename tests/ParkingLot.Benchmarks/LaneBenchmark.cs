using System.Device.Gpio;
using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using ParkingLot.Edge.Gates;
using ParkingLot.Edge.Hardware.Barriers;
using ParkingLot.Edge.Ledger;
using ParkingLot.Edge.Lots;
using ParkingLot.Edge.Simulation;
using ParkingLot.Shared.Contracts;

namespace ParkingLot.Benchmarks;

/// <summary>
/// Loop-detect → barrier-open latency of the entry lane on simulated hardware (DESIGN §9): from the
/// simulated GPIO driver's input edge on the loop pin to the barrier relay output being energised,
/// through the real drivers (30 ms loop debounce included), the lane state machine and every durable
/// ledger commit on the way (vehicle detected, credential checked, ticket issued, admitted, barrier
/// moved). Alternating cycles: a reservation pass scanned as the car rolls up (ECDSA verify,
/// anti-passback read) and a walk-in pressing the ticket button (capacity check under the admission
/// lock, ECDSA sign, ESC/POS print with status queries). Wall clock, real timers, a durable ledger file.
/// </summary>
internal static class LaneBenchmark
{
    private const int Cycles = 500;

    public static async Task<IReadOnlyList<BenchmarkResult>> RunAsync(CancellationToken cancellationToken)
    {
        using var folder = new TempFolder();
        var demo = LotFileLoader.Load(TariffBenchmark.RepositoryFile("hardware/lots/demo-lot.json"));

        // Room for every walk-in of the run: 2,000 car spots, none reservable.
        var lot = demo with
        {
            Spots = [.. Enumerable.Range(1, 2000).Select(i => new SpotDescription($"B{i:0000}", VehicleType.Car, "B", $"sensor-B{i:0000}"))],
            Capacity = new Dictionary<string, CapacityShare>(),
        };
        var gate = lot.Gates.First(g => g.Direction == GateDirection.Entry);
        var time = TimeProvider.System;

        await using var ledger = await LedgerStore.OpenAsync(Path.Combine(folder.Path, "ledger.db"), lot.LotId, time, cancellationToken);
        using var signer = TicketSigner.LoadOrCreate(folder.Path, lot.LotId, out _);
        using var cloud = new SimulatedCloudIssuer(folder.Path, lot);
        using var keys = new CredentialKeyRing(signer, new Dictionary<string, string> { [cloud.KeyId] = cloud.PublicKey });
        var context = new LaneContext(lot, signer, keys, new PermitDirectory(), new LaneOptions());

        // Production debounce on the loop (30 ms, in the measured path); the arm, beam and limit
        // switches are quick so that 500 cycles take under a minute (they are not in the path).
        using var world = new SimulatedLot(lot, time, new SimulatedLaneTiming(
            TimeSpan.FromMilliseconds(5), null, null, TimeSpan.FromMilliseconds(5), TimeSpan.FromMilliseconds(5)));
        var rig = world.Rig(gate.Id);
        await using var lane = new EntryLane(gate, rig.Devices, context, ledger, time, NullLogger<EntryLane>.Instance);
        await lane.StartAsync(cancellationToken);

        TaskCompletionSource<long>? opened = null;
        world.Driver.OutputWritten += (pin, value) =>
        {
            if (pin == rig.BarrierOptions.RelayPin && value == PinValue.Low)
            {
                opened?.TrySetResult(Stopwatch.GetTimestamp());
            }
        };

        var pass = new List<double>();
        var walkIn = new List<double>();
        for (var cycle = 0; cycle < Cycles; cycle++)
        {
            var isPass = cycle % 2 == 0;
            var now = time.GetUtcNow();
            if (isPass)
            {
                lane.PresentCode(cloud.Pass($"BK{cycle}", VehicleType.Car, now.AddMinutes(-5), now.AddHours(2)));
            }
            else
            {
                lane.RequestTicket(VehicleType.Car);
            }

            // The code or button press is queued before the loop edge, as when the driver reaches the
            // reader while rolling onto the loop; the lane takes it when it detects the vehicle.
            opened = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
            var before = Stopwatch.GetTimestamp();
            rig.Loop(true);
            var at = await opened.Task.WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);
            (isPass ? pass : walkIn).Add(Stopwatch.GetElapsedTime(before, at).TotalMilliseconds);

            // Drive through: beam, off the loop (once its debounce saw it), out of the beam, arm down.
            await WaitAsync(() => rig.Barrier.Position == BarrierPosition.Open, cancellationToken);
            rig.Passage(true);
            await lane.WaitForAsync(s => s.State == LaneState.Passing, cancellationToken);
            rig.Loop(false);
            await WaitAsync(() => !rig.Devices.Loop.IsActive, cancellationToken);
            rig.Passage(false);
            await lane.WaitForAsync(s => s.State == LaneState.Idle, cancellationToken);
        }

        var all = pass.Concat(walkIn).ToList();
        return
        [
            new BenchmarkResult("lane loop→open p50", Measure.Percentile(all, 50), "ms", null, HigherIsBetter: false, $"{Cycles} cycles, 30 ms loop debounce + durable commits"),
            new BenchmarkResult("lane loop→open p99", Measure.Percentile(all, 99), "ms", 50, HigherIsBetter: false, "simulated GPIO edge → relay output"),
            new BenchmarkResult("lane loop→open p99, pass", Measure.Percentile(pass, 99), "ms", null, HigherIsBetter: false, "4 commits, ECDSA verify"),
            new BenchmarkResult("lane loop→open p99, walk-in", Measure.Percentile(walkIn, 99), "ms", null, HigherIsBetter: false, "5 commits, ECDSA sign, ESC/POS print"),
        ];
    }

    private static async Task WaitAsync(Func<bool> condition, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.GetTimestamp() + Stopwatch.Frequency * 5;
        while (!condition())
        {
            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new TimeoutException("The simulated lane did not get there in 5 s.");
            }

            await Task.Delay(1, cancellationToken);
        }
    }
}
