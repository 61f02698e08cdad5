using System.Text.Json;
using Microsoft.Data.Sqlite;
using ParkingLot.Edge.Ledger;
using ParkingLot.Edge.Tests.Builders;
using ParkingLot.Edge.Tests.Cli;
using ParkingLot.Shared.Contracts;
using ParkingLot.Tests.Common;
using Xunit.Abstractions;

namespace ParkingLot.Edge.Tests.PowerCut;

/// <summary>
/// Process crashes against the real agent: it runs simulated traffic through its lanes at high speed
/// and is killed with SIGKILL at a random point of the lane cycles, again and again. A SIGKILL loses
/// the process, not the page cache, so this proves crash consistency and lane recovery, not
/// durability across a power loss (that is <see cref="PowerLossTests"/>). After each restart:
/// every event seen committed is still there with the same hash, the chain verifies, and every lane
/// the cut left mid-cycle is resolved by power-on recovery (lane.recovered first) with its barrier
/// commanded closed before the lane takes another vehicle (the simulated world restarts with no
/// vehicle in any passage, so no passage is legitimately in progress).
/// </summary>
[Collection(ParkctlProcessCollection.Name)]
public sealed class ProcessCrashTests(ITestOutputHelper output)
{
    private const int Cuts = 20;

    [Fact]
    public async Task Agent_KilledAtRandomPointsOfLaneCycles_LosesNoCommittedEventAndRecoversEveryLane()
    {
        using var directory = new TempDirectory();
        var dataDirectory = Path.Combine(directory.Path, "data");
        var ledgerPath = Path.Combine(dataDirectory, "ledger.db");
        var seen = new Dictionary<long, string>();
        var seed = TestSeed.Next(output);
        var random = new Random(seed);
        var statesAtCut = new Dictionary<string, int>(StringComparer.Ordinal);
        IReadOnlyList<LaneAtCut> cut = [];

        // Cuts + 1 starts: the last start only has to show its recovery.
        for (var run = 1; run <= Cuts + 1; run++)
        {
            await CrashableAgent.LiveAndKillAsync(dataDirectory, directory.Path, output, async agent =>
            {
                var started = 0L;
                await TestContext.WaitUntilAsync(
                    () => !agent.Process.HasExited && (started = BootSeq(ledgerPath, seen, run)) > 0,
                    TimeSpan.FromSeconds(60),
                    $"start {run} of the agent");
                await TestContext.WaitUntilAsync(
                    () => !agent.Process.HasExited && Recovered(ledgerPath, started, cut),
                    TimeSpan.FromSeconds(60),
                    $"start {run} to recover the lanes the last cut left mid-cycle ({string.Join(", ", cut)})");

                if (run <= Cuts)
                {
                    // A random point of the lane cycles: some lane steps after the start.
                    var target = started + random.Next(4, 80);
                    await CrashableAgent.WaitForSeqAsync(agent, ledgerPath, seen, target, $"run {run} of the agent to reach seq {target}");
                }
            });
            CrashableAgent.ReadCommitted(ledgerPath, seen);
            cut = LanesAtCut(ledgerPath);
            foreach (var lane in cut)
            {
                statesAtCut[lane.State] = statesAtCut.GetValueOrDefault(lane.State) + 1;
            }
        }

        await using var ledger = await LedgerStore.OpenAsync(ledgerPath, "demo-lot", TimeProvider.System, TestContext.Token);
        var verification = await ledger.VerifyAsync(TestContext.Token);
        var events = await ledger.ReadAfterAsync(0, int.MaxValue, TestContext.Token);
        output.WriteLine($"{events.Count} events over {Cuts} SIGKILLs; lane states at the cuts: {string.Join(", ", statesAtCut.Select(s => $"{s.Key} {s.Value}"))}; " +
            $"{events.Count(e => e.Type == EventTypes.LaneRecovered)} lane recoveries ({string.Join(", ", events.Where(e => e.Type == EventTypes.LaneRecovered).GroupBy(e => e.Payload.GetProperty("resolution").GetString()).Select(g => $"{g.Key} {g.Count()}"))})");

        Assert.True(verification.IsValid, verification.Reason);
        Assert.Equal(Enumerable.Range(1, events.Count).Select(i => (long)i), events.Select(e => e.Seq));
        var stored = events.ToDictionary(e => e.Seq, e => e.Hash);
        Assert.All(seen, pair => Assert.Equal(pair.Value, stored.GetValueOrDefault(pair.Key)));
        Assert.Equal(Cuts + 1, events.Count(e => e.Type == EventTypes.AgentStarted));
        Assert.True(statesAtCut.Keys.Count(s => s != "idle") >= 2, $"the cuts should land in different lane steps: {string.Join(", ", statesAtCut)}");

        // The state tables were committed with their events, so replaying the log changes nothing.
        var lanes = await ledger.GetLanesAsync(TestContext.Token);
        var counts = await ledger.GetGateCountsAsync(TestContext.Token);
        await ledger.RebuildStateAsync(TestContext.Token);
        Assert.Equal(lanes, await ledger.GetLanesAsync(TestContext.Token));
        Assert.Equal(counts, await ledger.GetGateCountsAsync(TestContext.Token));
    }

    /// <summary>The seq of this run's agent.started (the run-th one), or 0 before it is written.</summary>
    private static long BootSeq(string ledgerPath, Dictionary<long, string> seen, int run)
    {
        CrashableAgent.ReadCommitted(ledgerPath, seen);
        return Query(ledgerPath, "SELECT seq FROM events WHERE type = 'agent.started' ORDER BY seq LIMIT 1 OFFSET " + (run - 1), r => r.GetInt64(0)).FirstOrDefault();
    }

    /// <summary>
    /// True once every lane the cut left mid-cycle or with its barrier commanded open has been
    /// recovered after <paramref name="bootSeq"/>: its first event is lane.recovered, and its barrier
    /// is commanded closed (or, without a barrier command, the cycle withdrawn) before it detects
    /// another vehicle. Fails the test when a lane took a vehicle without that.
    /// </summary>
    private static bool Recovered(string ledgerPath, long bootSeq, IReadOnlyList<LaneAtCut> cut)
    {
        var after = Query(ledgerPath, $"SELECT type, payload FROM events WHERE seq > {bootSeq} ORDER BY seq", r => (Type: r.GetString(0), Payload: r.GetString(1)));
        foreach (var lane in cut.Where(l => l.State != "idle" || l.BarrierOpen))
        {
            var steps = after.Where(e => GateOf(e.Payload) == lane.GateId).ToList();
            if (steps.Count == 0)
            {
                return false;
            }

            Assert.True(steps[0].Type == EventTypes.LaneRecovered, $"{lane} did not start with lane.recovered but {steps[0].Type}");
            var nextVehicle = steps.FindIndex(e => e.Type == EventTypes.LaneVehicleDetected);
            var resolved = steps.FindIndex(e => lane.BarrierOpen
                ? e.Type == EventTypes.BarrierMoved && !JsonDocument.Parse(e.Payload).RootElement.GetProperty("open").GetBoolean()
                : e.Type is EventTypes.LaneVehicleWithdrew or EventTypes.BarrierMoved);
            if (resolved < 0)
            {
                Assert.True(nextVehicle < 0, $"{lane} took a vehicle before its barrier was closed: {string.Join(", ", steps.Select(s => s.Type))}");
                return false;
            }

            Assert.True(nextVehicle < 0 || nextVehicle > resolved, $"{lane} took a vehicle before recovery finished: {string.Join(", ", steps.Select(s => s.Type))}");
        }

        return true;
    }

    private static string? GateOf(string payload)
    {
        using var document = JsonDocument.Parse(payload);
        return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("gateId", out var gate) ? gate.GetString() : null;
    }

    private static IReadOnlyList<LaneAtCut> LanesAtCut(string ledgerPath) =>
        Query(ledgerPath, "SELECT gate_id, state, barrier_open FROM lanes ORDER BY gate_id", r => new LaneAtCut(r.GetString(0), r.GetString(1), r.GetInt64(2) != 0));

    /// <summary>Runs <paramref name="sql"/> on a read-only connection beside the running agent; empty while the schema is being created.</summary>
    private static List<T> Query<T>(string ledgerPath, string sql, Func<SqliteDataReader, T> read)
    {
        var rows = new List<T>();
        if (!File.Exists(ledgerPath))
        {
            return rows;
        }

        try
        {
            using var connection = new SqliteConnection(LedgerStore.ConnectionString(ledgerPath, SqliteOpenMode.ReadOnly));
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = sql;
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                rows.Add(read(reader));
            }
        }
        catch (SqliteException)
        {
            // The agent is creating the schema; try again on the next poll.
        }

        return rows;
    }

    private sealed record LaneAtCut(string GateId, string State, bool BarrierOpen);
}
