using System.Diagnostics;
using System.Text;
using ParkingLot.Edge.Tests.Builders;
using ParkingLot.Tests.Common;

namespace ParkingLot.Edge.Tests.Cli;

/// <summary>What one parkctl run printed and returned.</summary>
internal sealed record ParkctlResult(int ExitCode, string Output, string Error)
{
    public override string ToString() => $"exit {ExitCode}{Environment.NewLine}stdout:{Environment.NewLine}{Output}{Environment.NewLine}stderr:{Environment.NewLine}{Error}";
}

/// <summary>Runs the built parkctl (copied next to the tests) as a child process, as a technician would.</summary>
internal static class ParkctlProcess
{
    /// <summary>
    /// Starts parkctl for a verb that runs until Ctrl-C (--watch, --follow), calls
    /// <paramref name="whileRunning"/> with each output line until it returns true, then sends SIGINT
    /// and returns how parkctl ended.
    /// </summary>
    public static async Task<ParkctlResult> RunUntilAsync(IEnumerable<string> args, Func<string, Task<bool>> whileRunning)
    {
        using var process = Process.Start(Start(args, 100)) ?? throw new InvalidOperationException("dotnet did not start");
        var seen = new StringBuilder();
        var error = process.StandardError.ReadToEndAsync(TestContext.Token);
        while (await process.StandardOutput.ReadLineAsync(TestContext.Token) is { } line)
        {
            seen.AppendLine(line);
            if (await whileRunning(line))
            {
                break;
            }
        }

        using (var interrupt = Process.Start("kill", ["-INT", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await interrupt.WaitForExitAsync(TestContext.Token);
        }

        seen.Append(await process.StandardOutput.ReadToEndAsync(TestContext.Token));
        await process.WaitForExitAsync(TestContext.Token);
        return new ParkctlResult(process.ExitCode, seen.ToString(), await error);
    }

    public static async Task<ParkctlResult> RunAsync(IEnumerable<string> args, int columns = 100)
    {
        using var process = Process.Start(Start(args, columns)) ?? throw new InvalidOperationException("dotnet did not start");
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Token);
        var error = process.StandardError.ReadToEndAsync(TestContext.Token);
        await process.WaitForExitAsync(TestContext.Token);
        return new ParkctlResult(process.ExitCode, await output, await error);
    }

    private static ProcessStartInfo Start(IEnumerable<string> args, int columns)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "parkctl.dll");
        Assert.True(File.Exists(dll), $"parkctl is not built next to the tests: {dll}");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
        };
        start.ArgumentList.Add(dll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["COLUMNS"] = columns.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment.Remove("PARKCTL_SOCKET");
        return start;
    }
}

/// <summary>
/// The built agent as a child process on a simulated lot with its control socket in a fresh data
/// folder. Dispose stops it with SIGTERM (a clean stop) and waits.
/// </summary>
internal sealed class AgentProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private AgentProcess(Process process, string dataDirectory)
    {
        _process = process;
        DataDirectory = dataDirectory;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string DataDirectory { get; }

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

    /// <summary>Starts the agent and waits until its control socket and token exist.</summary>
    public static async Task<AgentProcess> StartAsync(string dataDirectory, bool simulate, params string[] extra)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "ParkingLot.Edge.dll");
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = RepositoryPaths.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        string[] args =
        [
            dll, "--offline", "--data", dataDirectory, "--lot", simulate ? RepositoryPaths.DemoLot : Lots.HardwareDemoLot.Write(Directory.CreateDirectory(dataDirectory).FullName), "--traffic", RepositoryPaths.DemoScenario,
            "--Edge:TimeQuality=synced", "--Logging:LogLevel:Default=Warning", "--Kiosk:Enabled=false", .. simulate ? ["--simulate", "--speed", "600"] : Array.Empty<string>(), .. extra,
        ];
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        var agent = new AgentProcess(Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start"), dataDirectory);
        try
        {
            await TestContext.WaitUntilAsync(
                () => agent._process.HasExited || (File.Exists(Path.Combine(dataDirectory, "control.sock")) && File.Exists(Path.Combine(dataDirectory, "control.token"))),
                TimeSpan.FromSeconds(60),
                "the agent's control socket");
            Assert.False(agent._process.HasExited, agent.Output);
        }
        catch
        {
            await agent.DisposeAsync();
            throw;
        }

        return agent;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            // SIGTERM: the host stops cleanly (socket and token removed).
            using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync(CancellationToken.None);
            }

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            try
            {
                await _process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill();
                await _process.WaitForExitAsync(CancellationToken.None);
            }
        }

        _process.Dispose();
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

/// <summary>
/// The classes that start agent and parkctl processes run alone, after the parallel tests: on a
/// 2-core machine a burst of child processes would starve the real-time hardware tests (HC-SR04 echo
/// timing) running beside them.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ParkctlProcessCollection
{
    public const string Name = "parkctl processes";
}
