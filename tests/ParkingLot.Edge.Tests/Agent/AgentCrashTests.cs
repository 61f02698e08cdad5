using ParkingLot.Edge.Ledger;
using ParkingLot.Edge.Tests.Builders;
using ParkingLot.Shared.Contracts;
using ParkingLot.Tests.Common;
using Xunit.Abstractions;

namespace ParkingLot.Edge.Tests.Agent;

/// <summary>
/// Invariant I4/I7 against process crashes: the built agent runs simulated traffic and is killed with
/// SIGKILL while it writes, again and again (a process crash, not a power loss: the page cache
/// survives; PowerCut/PowerLossTests cuts the power). Every event a reader saw committed must survive with the
/// same hash, and the chain must stay whole and gap-free across the restarts.
/// </summary>
public sealed class AgentCrashTests(ITestOutputHelper output)
{
    private const int Runs = 6;
    private const int EventsPerRun = 40;

    [Fact]
    public async Task Agent_ProcessKilledWithSigkillWhileWriting_KeepsEveryCommittedEventAndTheChain()
    {
        var random = new Random(TestSeed.Next(output));
        using var directory = new TempDirectory();
        var dataDirectory = Path.Combine(directory.Path, "data");
        var ledgerPath = Path.Combine(dataDirectory, "ledger.db");
        var seen = new Dictionary<long, string>();

        for (var run = 1; run <= Runs; run++)
        {
            var before = seen.Count == 0 ? 0 : seen.Keys.Max();
            await CrashableAgent.LiveAndKillAsync(dataDirectory, directory.Path, output, async agent =>
            {
                await CrashableAgent.WaitForSeqAsync(agent, ledgerPath, seen, before + EventsPerRun, $"run {run} of the agent to commit {EventsPerRun} events");

                // Kill at a different point of the write stream each run, not right after a poll.
                var target = seen.Keys.Max() + random.Next(1, 60);
                await CrashableAgent.WaitForSeqAsync(agent, ledgerPath, seen, target, $"run {run} of the agent to reach seq {target}");
            });
        }

        await using var ledger = await LedgerStore.OpenAsync(ledgerPath, "demo-lot", TimeProvider.System, TestContext.Token);
        var verification = await ledger.VerifyAsync(TestContext.Token);
        var events = await ledger.ReadAfterAsync(0, int.MaxValue, TestContext.Token);
        output.WriteLine($"{events.Count} events after {Runs} SIGKILLs; {seen.Count} were observed while the agent ran.");

        Assert.True(verification.IsValid, verification.Reason);
        Assert.Equal(Enumerable.Range(1, events.Count).Select(i => (long)i), events.Select(e => e.Seq));
        var stored = events.ToDictionary(e => e.Seq, e => e.Hash);
        Assert.All(seen, pair => Assert.Equal(pair.Value, stored.GetValueOrDefault(pair.Key)));
        Assert.Equal(Runs, events.Count(e => e.Type == EventTypes.AgentStarted));

        // The state tables were committed with their events, so replaying the log changes nothing.
        var sessions = await ledger.GetOpenSessionsAsync(TestContext.Token);
        var spots = await ledger.GetSpotsAsync(TestContext.Token);
        await ledger.RebuildStateAsync(TestContext.Token);
        Assert.Equal(sessions, await ledger.GetOpenSessionsAsync(TestContext.Token));
        Assert.Equal(spots, await ledger.GetSpotsAsync(TestContext.Token));
    }

}
