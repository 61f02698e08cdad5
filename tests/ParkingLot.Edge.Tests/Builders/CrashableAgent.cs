using System.Diagnostics;
using Microsoft.Data.Sqlite;
using ParkingLot.Edge.Ledger;
using ParkingLot.Tests.Common;
using Xunit.Abstractions;

namespace ParkingLot.Edge.Tests.Builders;

/// <summary>
/// The real agent (the ParkingLot.Edge.dll built next to the tests) as a child process on simulated
/// hardware, offline, with fast traffic: what the crash and power-cut tests SIGKILL and restart.
/// </summary>
internal static class CrashableAgent
{
    public static RunningAgent Start(string dataDirectory, string workingDirectory)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "ParkingLot.Edge.dll");
        Assert.True(File.Exists(dll), $"The agent is not built next to the tests: {dll}");
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
        {
            dll, "--simulate", "--offline", "--speed", "7200", "--data", dataDirectory,
            "--lot", RepositoryPaths.DemoLot, "--traffic", RepositoryPaths.DemoScenario,
            "--Logging:LogLevel:Default=Warning",
        })
        {
            start.ArgumentList.Add(arg);
        }

        return new RunningAgent(Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start"));
    }

    /// <summary>
    /// One life of the agent: starts it, runs <paramref name="untilCut"/> (the waits that choose the
    /// moment), then SIGKILLs it. A wait that times out prints the agent's output first; a life that
    /// logged an unhandled exception fails the test.
    /// </summary>
    public static async Task LiveAndKillAsync(
        string dataDirectory, string workingDirectory, ITestOutputHelper output, Func<RunningAgent, Task> untilCut)
    {
        using var agent = Start(dataDirectory, workingDirectory);
        try
        {
            await untilCut(agent);
        }
        catch (TimeoutException)
        {
            output.WriteLine(agent.Output);
            throw;
        }
        finally
        {
            await agent.KillAsync();
        }

        Assert.False(agent.Output.Contains("Unhandled exception", StringComparison.Ordinal), agent.Output);
    }

    /// <summary>Waits (up to a minute) until the running agent has committed up to <paramref name="seq"/>.</summary>
    public static Task WaitForSeqAsync(RunningAgent agent, string ledgerPath, Dictionary<long, string> seen, long seq, string what) =>
        TestContext.WaitUntilAsync(() => !agent.Process.HasExited && ReadCommitted(ledgerPath, seen) >= seq, TimeSpan.FromSeconds(60), what);

    /// <summary>
    /// Reads (read-only, beside the running agent) every event committed after those already in
    /// <paramref name="seen"/>, records its hash, and returns the highest seq seen so far.
    /// </summary>
    public static long ReadCommitted(string ledgerPath, Dictionary<long, string> seen)
    {
        if (!File.Exists(ledgerPath))
        {
            return 0;
        }

        try
        {
            using var connection = new SqliteConnection(LedgerStore.ConnectionString(ledgerPath, SqliteOpenMode.ReadOnly));
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT seq, hash FROM events WHERE seq > $after ORDER BY seq";
            command.Parameters.AddWithValue("$after", seen.Count == 0 ? 0 : seen.Keys.Max());
            using var rows = command.ExecuteReader();
            while (rows.Read())
            {
                seen[rows.GetInt64(0)] = rows.GetString(1);
            }
        }
        catch (SqliteException)
        {
            // The agent is creating the schema; try again on the next poll.
        }

        return seen.Count == 0 ? 0 : seen.Keys.Max();
    }

    /// <summary>The agent process with its output drained (a full pipe would stall it) and kept for diagnostics.</summary>
    internal sealed class RunningAgent : IDisposable
    {
        private readonly System.Text.StringBuilder _output = new();

        public RunningAgent(Process process)
        {
            Process = process;
            process.OutputDataReceived += (_, e) => Append(e.Data);
            process.ErrorDataReceived += (_, e) => Append(e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
        }

        public Process Process { get; }

        public string Output
        {
            get
            {
                lock (_output)
                {
                    return _output.ToString();
                }
            }
        }

        public void Dispose() => Process.Dispose();

        /// <summary>SIGKILL (what Process.Kill sends on Unix): no shutdown hooks, no flush, mid-transaction.</summary>
        public async Task KillAsync()
        {
            Process.Kill();
            await Process.WaitForExitAsync(TestContext.Token);
        }

        private void Append(string? line)
        {
            if (line is not null)
            {
                lock (_output)
                {
                    _output.AppendLine(line);
                }
            }
        }
    }
}
