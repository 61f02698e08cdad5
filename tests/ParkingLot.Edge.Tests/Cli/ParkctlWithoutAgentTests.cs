using System.Text.Json;
using ParkingLot.Edge.Tests.Builders;
using ParkingLot.Tests.Common;

namespace ParkingLot.Edge.Tests.Cli;

/// <summary>parkctl with no agent running, on a lot file alone, and on a ledger edited by hand.</summary>
[Collection(ParkctlProcessCollection.Name)]
public sealed class ParkctlWithoutAgentTests
{
    public static TheoryData<string> VerbsNeedingTheAgent =>
    [
        "status", "sensors", "gates", "gate open entry-1 --reason test", "gate close entry-1 --reason test",
        "ledger tail", "ledger verify", "ledger export out.jsonl", "sync status", "sync now", "leases",
        "tickets show T1", "selftest", "diag bundle diag.tar.gz", "status --json",
    ];

    [Theory]
    [MemberData(nameof(VerbsNeedingTheAgent))]
    public async Task Verb_AgentStopped_ExitsThreeWithOneLineAndNoStackTrace(string verb)
    {
        using var directory = new TempDirectory();
        var args = verb.Split(' ').Select(a => a.EndsWith(".jsonl", StringComparison.Ordinal) || a.EndsWith(".tar.gz", StringComparison.Ordinal) ? directory.File(a) : a);

        var result = await ParkctlProcess.RunAsync(["--data", directory.Path, .. args]);

        Assert.Equal(3, result.ExitCode);
        var lines = result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var line = Assert.Single(lines);
        Assert.StartsWith("parkctl: ", line, StringComparison.Ordinal);
        Assert.Contains("not running", line, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", result.Error + result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Error + result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_SocketFromEnvironmentMissing_ExitsThreeNamingTheSocket()
    {
        using var directory = new TempDirectory();
        var socket = directory.File("control.sock");

        var result = await ParkctlProcess.RunAsync(["--socket", socket, "status"]);

        Assert.Equal(3, result.ExitCode);
        Assert.Contains(socket, result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConfigValidate_DemoLot_ExitsZeroWithoutAgent()
    {
        var result = await ParkctlProcess.RunAsync(["config", "validate", RepositoryPaths.DemoLot, "--json"]);

        Assert.Equal(0, result.ExitCode);
        using var json = JsonDocument.Parse(result.Output);
        Assert.True(json.RootElement.GetProperty("valid").GetBoolean());
    }

    [Fact]
    public async Task ConfigValidate_BrokenLotFile_ExitsOneNamingLineAndPath()
    {
        using var directory = new TempDirectory();
        var text = await File.ReadAllTextAsync(RepositoryPaths.DemoLot, TestContext.Token);
        var broken = directory.File("lot.json");
        await File.WriteAllTextAsync(broken, text.Replace("\"currency\": \"EUR\"", "\"currency\": \"EURO\"", StringComparison.Ordinal), TestContext.Token);

        var human = await ParkctlProcess.RunAsync(["config", "validate", broken]);
        var json = await ParkctlProcess.RunAsync(["config", "validate", broken, "--json"]);

        Assert.Equal(1, human.ExitCode);
        Assert.Contains("is invalid", human.Output, StringComparison.Ordinal);
        Assert.Contains("$.currency", human.Output, StringComparison.Ordinal);
        Assert.Equal(1, json.ExitCode);
        using var doc = JsonDocument.Parse(json.Output);
        var problem = doc.RootElement.GetProperty("problems")[0];
        Assert.True(problem.GetProperty("line").GetInt32() > 0);
    }

    [Fact]
    public async Task UnknownVerb_ExitsTwo()
    {
        var result = await ParkctlProcess.RunAsync(["open-all-gates"]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--help", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CompletionBash_PrintsScriptUsingSuggestDirective()
    {
        var script = await ParkctlProcess.RunAsync(["completion", "bash"]);
        var suggestions = await ParkctlProcess.RunAsync(["[suggest:5]", "gate "]);

        Assert.Equal(0, script.ExitCode);
        Assert.Contains("complete -o default -F _parkctl_complete parkctl", script.Output, StringComparison.Ordinal);
        Assert.Contains("[suggest:", script.Output, StringComparison.Ordinal);
        var offered = suggestions.Output.Split('\n', StringSplitOptions.TrimEntries);
        Assert.Contains("open", offered);
        Assert.Contains("close", offered);
    }
}
