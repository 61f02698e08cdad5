using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using ParkingLot.Edge.Tests.Builders;
using ParkingLot.Tests.Common;

namespace ParkingLot.Edge.Tests.Cli;

/// <summary>
/// One running agent for the class: a simulated lot whose entry printer is out of paper, whose exit
/// loop flaps and whose exit barrier is stuck (Simulation:Faults), with a secret in its settings.
/// </summary>
public sealed class ParkctlAgentFixture : IAsyncLifetime
{
    private readonly TempDirectory _directory = new();

    internal AgentProcess Agent { get; private set; } = null!;

    internal string Data => Agent.DataDirectory;

    internal TempDirectory Directory => _directory;

    public async Task InitializeAsync()
    {
        // A quiet day: the lanes stay idle unless a fault or a technician moves them.
        var scenario = _directory.File("quiet-day.json");
        var text = await File.ReadAllTextAsync(RepositoryPaths.DemoScenario);
        await File.WriteAllTextAsync(scenario, System.Text.RegularExpressions.Regex.Replace(text, "\"arrivalsPerHour\": [0-9.]+", "\"arrivalsPerHour\": 0.0001"));
        Agent = await AgentProcess.StartAsync(
            _directory.File("data"),
            simulate: true,
            "--traffic", scenario,
            "--Simulation:Faults:entry-1.printer=paperOut",
            "--Simulation:Faults:exit-1.loop=flapping",
            "--Simulation:Faults:exit-1.barrier=stuck",
            "--Sync:Password=hunter2-secret",
            $"--Control:TcpPort={TcpPort}");
    }

    /// <summary>The optional loopback port of the control API (a port free a moment ago).</summary>
    internal int TcpPort { get; } = FreePort();

    public async Task DisposeAsync()
    {
        await Agent.DisposeAsync();
        _directory.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>The real parkctl against the real agent, one verb at a time, asserting on --json output and exit codes.</summary>
[Collection(ParkctlProcessCollection.Name)]
public sealed class ParkctlTests(ParkctlAgentFixture fixture) : IClassFixture<ParkctlAgentFixture>
{
    [Fact]
    public async Task Status_FaultedPrinter_ExitsOneWithFaultedDeviceFirstAndItsFix()
    {
        var result = await RunAsync("status", "--json");

        Assert.Equal(1, result.ExitCode);
        using var json = Parse(result);
        var root = json.RootElement;
        Assert.True(root.GetProperty("degraded").GetBoolean());
        Assert.Equal("demo-lot", root.GetProperty("lot").GetProperty("lotId").GetString());
        Assert.False(root.GetProperty("cloud").GetProperty("enabled").GetBoolean());
        Assert.Equal("synced", root.GetProperty("time").GetProperty("quality").GetString());
        var first = root.GetProperty("faults")[0];
        Assert.Equal("entry-1.printer", first.GetProperty("deviceId").GetString());
        Assert.Equal("faulted", first.GetProperty("state").GetString());
        Assert.Contains("paper", first.GetProperty("likelyFix").GetString(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(["entry-1", "exit-1"], root.GetProperty("gates").EnumerateArray().Select(g => g.GetProperty("gateId").GetString()));
        Assert.Contains(root.GetProperty("occupancy").EnumerateArray(), o => o.GetProperty("vehicleType").GetString() == "car" && o.GetProperty("spots").GetInt32() == 70);
    }

    [Fact]
    public async Task Status_HumanOutput_FitsHundredColumnsAndNamesFaultedDeviceFirst()
    {
        var result = await RunAsync("status");

        Assert.Equal(1, result.ExitCode);
        var lines = result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.All(lines, line => Assert.True(line.TrimEnd('\r').Length <= 100, $"{line.Length} columns: {line}"));
        var degraded = Array.FindIndex(lines, l => l.Contains("DEGRADED", StringComparison.Ordinal));
        Assert.InRange(degraded, 1, 2);
        var firstDevice = lines.First(l => l.Contains("entry-1", StringComparison.Ordinal) || l.Contains("exit-1", StringComparison.Ordinal));
        Assert.Contains("entry-1.printer faulted", firstDevice, StringComparison.Ordinal);
        Assert.Contains("paper", firstDevice, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Sensors_FlappingLoop_ShownAsFlappingWithFix()
    {
        JsonElement loop = default;
        await TestContext.WaitUntilAsync(
            async () =>
            {
                var result = await RunAsync("sensors", "--json");
                using var json = Parse(result);
                loop = json.RootElement.GetProperty("sensors").EnumerateArray().Single(s => s.GetProperty("sensorId").GetString() == "exit-1.loop").Clone();
                return result.ExitCode == 1 && loop.GetProperty("flapping").GetBoolean();
            },
            TimeSpan.FromSeconds(60),
            "exit-1.loop to show as flapping");

        Assert.Equal("flapping", loop.GetProperty("state").GetString());
        Assert.Contains("loop", loop.GetProperty("likelyFix").GetString(), StringComparison.Ordinal);
        Assert.True(loop.GetProperty("changesPerHour").GetDouble() > 1200);
    }

    [Fact]
    public async Task SensorsWatch_Json_PrintsOneSnapshotPerRefreshUntilCtrlC()
    {
        var snapshots = 0;

        var result = await ParkctlProcess.RunUntilAsync(
            ["--data", fixture.Data, "sensors", "--watch", "--json", "--interval", "0.2"],
            line =>
            {
                using var json = JsonDocument.Parse(line);
                Assert.True(json.RootElement.GetProperty("sensors").GetArrayLength() > 100);
                return Task.FromResult(++snapshots == 3);
            });

        Assert.Equal(3, snapshots);
        Assert.Equal(0, result.ExitCode);
        Assert.Empty(result.Error);
    }

    [Fact]
    public async Task LedgerTailFollow_GateCommandWhileFollowing_PrintsItsEventWithNameAndReason()
    {
        var commanded = false;

        var result = await ParkctlProcess.RunUntilAsync(
            ["--data", fixture.Data, "ledger", "tail", "-n", "1", "--follow"],
            async line =>
            {
                if (!commanded)
                {
                    commanded = true;
                    Assert.Equal(0, (await RunAsync("gate", "close", "entry-1", "--reason", "followed close", "-t", "jo")).ExitCode);
                }

                return line.Contains("close entry-1 by jo: \"followed close\"", StringComparison.Ordinal);
            });

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("control.gate-command", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_OverLoopbackTcpPort_AnswersLikeTheSocket()
    {
        var result = await ParkctlProcess.RunAsync(["--data", fixture.Data, "--port", fixture.TcpPort.ToString(System.Globalization.CultureInfo.InvariantCulture), "status", "--json"]);

        Assert.Equal(1, result.ExitCode);
        using var json = Parse(result);
        Assert.Equal("entry-1.printer", json.RootElement.GetProperty("faults")[0].GetProperty("deviceId").GetString());
    }

    [Fact]
    public async Task Gates_Json_ListsEachGateWithBarrierPosition()
    {
        var result = await RunAsync("gates", "--json");

        Assert.Equal(1, result.ExitCode);
        using var json = Parse(result);
        var gates = json.RootElement.GetProperty("gates").EnumerateArray().ToDictionary(g => g.GetProperty("gateId").GetString()!);
        Assert.Equal("entry", gates["entry-1"].GetProperty("direction").GetString());
        Assert.Equal("faulted", gates["entry-1"].GetProperty("state").GetString());
        Assert.Equal("exit", gates["exit-1"].GetProperty("direction").GetString());
    }

    [Theory]
    [InlineData("open")]
    [InlineData("close")]
    [InlineData("reset")]
    public async Task Gate_WithoutReason_RefusedWithExitTwo(string verb)
    {
        var missing = await RunAsync("gate", verb, "entry-1");
        var blank = await RunAsync("gate", verb, "entry-1", "--reason", "  ");

        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("--reason", missing.Error, StringComparison.Ordinal);
        Assert.Equal(2, blank.ExitCode);
        Assert.Single(blank.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        var audit = await GateCommandsAsync();
        Assert.DoesNotContain(audit, e => e.GetProperty("reason").GetString()!.Trim().Length == 0);
    }

    [Fact]
    public async Task GateOpenThenClose_WithReason_MovesBarrierAndBothAppearInLedgerTailWithNameAndReason()
    {
        var open = await RunAsync("gate", "open", "entry-1", "--reason", "ambulance on call", "--technician", "Alex Meyer", "--json");
        var held = await RunAsync("gates", "--json");
        var close = await RunAsync("gate", "close", "entry-1", "--reason", "ambulance gone", "--technician", "Alex Meyer", "--json");

        Assert.Equal(0, open.ExitCode);
        using (var json = Parse(open))
        {
            Assert.True(json.RootElement.GetProperty("done").GetBoolean());
            Assert.Equal("open", json.RootElement.GetProperty("barrier").GetString());
        }

        using (var json = Parse(held))
        {
            Assert.True(json.RootElement.GetProperty("gates")[0].GetProperty("heldOpen").GetBoolean());
        }

        Assert.Equal(0, close.ExitCode);
        var audit = await GateCommandsAsync();
        Assert.Contains(audit, e => e.GetProperty("command").GetString() == "open" && e.GetProperty("technician").GetString() == "Alex Meyer" && e.GetProperty("reason").GetString() == "ambulance on call");
        Assert.Contains(audit, e => e.GetProperty("command").GetString() == "close" && e.GetProperty("reason").GetString() == "ambulance gone");

        var human = await RunAsync("ledger", "tail", "-n", "2000");
        Assert.Equal(0, human.ExitCode);
        Assert.Contains("open entry-1 by Alex Meyer: \"ambulance on call\"", human.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GateOpen_StuckBarrier_ExitsOneAndIsAudited()
    {
        var result = await RunAsync("gate", "open", "exit-1", "--reason", "testing the arm", "--json");

        Assert.Equal(1, result.ExitCode);
        using var json = Parse(result);
        Assert.False(json.RootElement.GetProperty("done").GetBoolean());
        Assert.Contains("not reached", json.RootElement.GetProperty("fault").GetString(), StringComparison.Ordinal);
        Assert.Contains(await GateCommandsAsync(), e => e.GetProperty("gateId").GetString() == "exit-1" && e.GetProperty("outcome").GetString()!.Contains("failed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task GateReset_LaneInService_ExitsZeroAndIsAudited()
    {
        var result = await RunAsync("gate", "reset", "entry-1", "--reason", "checked after storm", "--technician", "kim", "--json");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains(await GateCommandsAsync(), e => e.GetProperty("command").GetString() == "reset" && e.GetProperty("technician").GetString() == "kim");
    }

    [Fact]
    public async Task Gate_UnknownGate_ExitsTwoNamingTheGates()
    {
        var result = await RunAsync("gate", "open", "north-9", "--reason", "x");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("entry-1, exit-1", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LedgerVerify_IntactLedger_ExitsZeroWithEveryEventChecked()
    {
        var result = await RunAsync("ledger", "verify", "--json");

        Assert.Equal(0, result.ExitCode);
        using var json = Parse(result);
        Assert.True(json.RootElement.GetProperty("valid").GetBoolean());
        Assert.True(json.RootElement.GetProperty("eventsChecked").GetInt64() > 0);
    }

    [Fact]
    public async Task LedgerExport_WholeLedger_WritesOneJsonEventPerLineInSeqOrder()
    {
        var file = fixture.Directory.File($"export-{Guid.NewGuid():N}.jsonl");

        var result = await RunAsync("ledger", "export", "--from", "2000-01-01", "--to", "2100-01-01", file, "--json");

        Assert.Equal(0, result.ExitCode);
        var seqs = (await File.ReadAllLinesAsync(file, TestContext.Token)).Select(l =>
        {
            using var e = JsonDocument.Parse(l);
            Assert.Equal(64, e.RootElement.GetProperty("hash").GetString()!.Length);
            return e.RootElement.GetProperty("seq").GetInt64();
        }).ToList();
        Assert.Equal(Enumerable.Range(1, seqs.Count).Select(i => (long)i), seqs);
        using var summary = Parse(result);
        Assert.Equal(seqs.Count, summary.RootElement.GetProperty("events").GetInt64());
    }

    [Fact]
    public async Task LedgerExport_WindowInThePast_WritesNoEvents()
    {
        var file = fixture.Directory.File($"export-{Guid.NewGuid():N}.jsonl");

        var result = await RunAsync("ledger", "export", "--from", "2001-01-01", "--to", "2001-01-02", file);

        Assert.Equal(0, result.ExitCode);
        Assert.Empty(await File.ReadAllLinesAsync(file, TestContext.Token));
    }

    [Fact]
    public async Task SyncStatusAndNow_OfflineAgent_ReportSyncOff()
    {
        var status = await RunAsync("sync", "status", "--json");
        var now = await RunAsync("sync", "now", "--json");

        Assert.Equal(0, status.ExitCode);
        using (var json = Parse(status))
        {
            Assert.False(json.RootElement.GetProperty("cloud").GetProperty("enabled").GetBoolean());
            Assert.True(json.RootElement.GetProperty("cloud").GetProperty("backlog").GetInt64() > 0);
        }

        Assert.Equal(1, now.ExitCode);
        using (var json = Parse(now))
        {
            Assert.False(json.RootElement.GetProperty("requested").GetBoolean());
        }
    }

    [Fact]
    public async Task Leases_NoCloud_EmptyListAndLotCapacitySplit()
    {
        var result = await RunAsync("leases", "--json");

        Assert.Equal(0, result.ExitCode);
        using var json = Parse(result);
        Assert.Empty(json.RootElement.GetProperty("leases").EnumerateArray());
        var car = json.RootElement.GetProperty("capacity").EnumerateArray().Single(c => c.GetProperty("vehicleType").GetString() == "car");
        Assert.Equal((70, 20, 50), (car.GetProperty("spots").GetInt32(), car.GetProperty("reservable").GetInt32(), car.GetProperty("walkIn").GetInt32()));
    }

    [Fact]
    public async Task TicketsShow_UnknownTicket_ExitsOne()
    {
        var result = await RunAsync("tickets", "show", "TNOSUCHTICKET");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("TNOSUCHTICKET", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SelfTest_FaultedDevices_FailEachWithItsFixAndHealthyBarrierPasses()
    {
        var result = await RunAsync("selftest", "--json", "--technician", "sam");

        Assert.Equal(1, result.ExitCode);
        using var json = Parse(result);
        var results = json.RootElement.GetProperty("results").EnumerateArray().ToDictionary(r => r.GetProperty("deviceId").GetString()!);
        Assert.True(results["entry-1.barrier"].GetProperty("passed").GetBoolean(), results["entry-1.barrier"].ToString());

        // Stuck, or not cycled because the flapping loop keeps the exit lane busy: a failure either way.
        Assert.False(results["exit-1.barrier"].GetProperty("passed").GetBoolean());
        Assert.False(string.IsNullOrEmpty(results["exit-1.barrier"].GetProperty("likelyFix").GetString()));
        Assert.False(results["exit-1.loop"].GetProperty("passed").GetBoolean());
        Assert.False(results["entry-1.printer"].GetProperty("passed").GetBoolean());
        Assert.Contains("paper", results["entry-1.printer"].GetProperty("likelyFix").GetString(), StringComparison.Ordinal);
        Assert.True(results["entry-1.loop"].GetProperty("passed").GetBoolean());
        Assert.Contains(results.Keys, k => k.StartsWith("sensor-", StringComparison.Ordinal));
        Assert.Contains(results.Keys, k => k == "entry-1.display");
        var seq = json.RootElement.GetProperty("auditSeq").GetInt64();

        var tail = await RunAsync("ledger", "tail", "-n", "5000", "--json");
        using var events = Parse(tail);
        var audit = events.RootElement.GetProperty("events").EnumerateArray().Single(e => e.GetProperty("seq").GetInt64() == seq);
        Assert.Equal("control.selftest", audit.GetProperty("type").GetString());
        Assert.Equal("sam", audit.GetProperty("payload").GetProperty("technician").GetString());
    }

    [Fact]
    public async Task SelfTest_OneHealthyGate_OnlyThatGateAndExitsZero()
    {
        var result = await RunAsync("selftest", "--gate", "entry-1", "--json");

        using var json = Parse(result);
        var results = json.RootElement.GetProperty("results").EnumerateArray().ToList();
        Assert.All(results, r => Assert.Equal("entry-1", r.GetProperty("gateId").GetString()));
        Assert.Contains(results, r => r.GetProperty("deviceId").GetString() == "entry-1.barrier" && r.GetProperty("passed").GetBoolean());

        // The paper-out printer still fails this gate.
        Assert.Equal(1, result.ExitCode);
    }

    [Fact]
    public async Task DiagBundle_RunningAgent_TarGzWithStatusVerifyLogsAndSecretsRedacted()
    {
        var file = fixture.Directory.File($"diag-{Guid.NewGuid():N}.tar.gz");

        var result = await RunAsync("diag", "bundle", file);

        Assert.Equal(0, result.ExitCode);
        var entries = new Dictionary<string, string>();
        await using (var gzip = new GZipStream(File.OpenRead(file), CompressionMode.Decompress))
        await using (var tar = new TarReader(gzip))
        {
            while (await tar.GetNextEntryAsync(cancellationToken: TestContext.Token) is { } entry)
            {
                using var reader = new StreamReader(entry.DataStream!, Encoding.UTF8);
                entries[entry.Name] = await reader.ReadToEndAsync(TestContext.Token);
            }
        }

        Assert.Superset(
            new HashSet<string> { "parkctl-diag/status.json", "parkctl-diag/devices.json", "parkctl-diag/ledger-verify.json", "parkctl-diag/versions.json", "parkctl-diag/lot.json", "parkctl-diag/settings.json", "parkctl-diag/logs/agent.log" },
            entries.Keys.ToHashSet());
        Assert.DoesNotContain(entries.Values, v => v.Contains("hunter2-secret", StringComparison.Ordinal));
        Assert.Contains("\"Sync:Password\": \"***\"", entries["parkctl-diag/settings.json"], StringComparison.Ordinal);
        Assert.Contains("\"valid\": true", entries["parkctl-diag/ledger-verify.json"], StringComparison.Ordinal);
        Assert.Contains("Control API listening", entries["parkctl-diag/logs/agent.log"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_EveryVerb_ShowsExamples()
    {
        foreach (var verb in new[] { "status", "sensors", "gates", "gate open", "gate reset", "ledger tail", "ledger verify", "ledger export", "sync status", "leases", "tickets show", "selftest", "config validate", "diag bundle" })
        {
            var result = await ParkctlProcess.RunAsync([.. verb.Split(' '), "--help"]);

            Assert.Equal(0, result.ExitCode);
            Assert.Contains("Example", result.Output, StringComparison.Ordinal);
        }
    }

    private Task<ParkctlResult> RunAsync(params string[] args) => ParkctlProcess.RunAsync(["--data", fixture.Data, .. args]);

    private async Task<List<JsonElement>> GateCommandsAsync()
    {
        var tail = await RunAsync("ledger", "tail", "-n", "10000", "--json");
        Assert.Equal(0, tail.ExitCode);
        using var json = Parse(tail);
        return [.. json.RootElement.GetProperty("events").EnumerateArray()
            .Where(e => e.GetProperty("type").GetString() == "control.gate-command")
            .Select(e => e.GetProperty("payload").Clone())];
    }

    private static JsonDocument Parse(ParkctlResult result)
    {
        try
        {
            return JsonDocument.Parse(result.Output);
        }
        catch (JsonException ex)
        {
            throw new InvalidOperationException($"parkctl did not print JSON: {result}", ex);
        }
    }
}
