using ParkingLot.Edge.Ledger;
using ParkingLot.Edge.Tests.Builders;
using ParkingLot.Edge.Tests.Cli;
using ParkingLot.Tests.Common;
using Xunit.Abstractions;

namespace ParkingLot.Edge.Tests.PowerCut;

/// <summary>
/// Durability across a power loss (invariant I4): the real agent runs its ledger on powercutfs, which
/// keeps every write that was not followed by fsync/fdatasync in memory only, and the power is cut
/// mid-traffic (agent killed, unsynced data discarded). What is left on the "disk" must hold every
/// event a reader saw committed, with the same hash, and verify. This is the test that fails when the
/// ledger's <c>synchronous</c> is OFF or NORMAL: a committed WAL frame that was never synced is lost.
/// </summary>
[Collection(ParkctlProcessCollection.Name)]
public sealed class PowerLossTests(ITestOutputHelper output)
{
    private const int Cuts = 3;

    [Fact]
    public async Task Agent_PowerCutMidTraffic_KeepsEveryCommittedEventAndTheChain()
    {
        var random = new Random(TestSeed.Next(output));
        using var directory = new TempDirectory();
        var disk = Path.Combine(directory.Path, "disk");
        var seen = new Dictionary<long, string>();

        for (var cut = 1; cut <= Cuts; cut++)
        {
            // Power on: the disk as the last cut left it.
            await using var fs = await PowerCutFileSystem.MountAsync(disk, Path.Combine(directory.Path, $"mnt{cut}"));
            var ledgerPath = Path.Combine(fs.MountPoint, "data", "ledger.db");
            var before = seen.Count == 0 ? 0 : seen.Keys.Max();
            await CrashableAgent.LiveAndKillAsync(Path.Combine(fs.MountPoint, "data"), directory.Path, output, async agent =>
            {
                await CrashableAgent.WaitForSeqAsync(agent, ledgerPath, seen, before + 40, $"life {cut} of the agent to commit 40 events on powercutfs");
                var target = seen.Keys.Max() + random.Next(1, 60);
                await CrashableAgent.WaitForSeqAsync(agent, ledgerPath, seen, target, $"life {cut} of the agent to reach seq {target}");
            });
            await fs.CutAsync();
        }

        await using var ledger = await LedgerStore.OpenAsync(Path.Combine(disk, "data", "ledger.db"), "demo-lot", TimeProvider.System, TestContext.Token);
        var verification = await ledger.VerifyAsync(TestContext.Token);
        var stored = (await ledger.ReadAfterAsync(0, int.MaxValue, TestContext.Token)).ToDictionary(e => e.Seq, e => e.Hash);
        var lost = seen.Keys.Where(seq => stored.GetValueOrDefault(seq) != seen[seq]).Order().ToList();
        output.WriteLine($"{seen.Count} events seen committed over {Cuts} power cuts; {stored.Count} on the disk after them; lost: {(lost.Count == 0 ? "none" : $"{lost.Count} ({lost[0]}..{lost[^1]})")}");

        Assert.Empty(lost);
        Assert.True(verification.IsValid, verification.Reason);
    }
}
