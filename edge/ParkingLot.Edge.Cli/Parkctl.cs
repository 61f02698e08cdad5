using System.CommandLine;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using ParkingLot.Edge.Control;
using ParkingLot.Edge.Lots;
using Spectre.Console;

namespace ParkingLot.Edge.Cli;

/// <summary>
/// parkctl: the field technician's command line over the agent's control API (DESIGN §4). Human
/// output by default, <c>--json</c> on every verb; exit codes in <see cref="ExitCodes"/>.
/// </summary>
internal static class Parkctl
{
    public static readonly string Version =
        typeof(Parkctl).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var globals = new Globals();
        var root = Build(globals, stdout, stderr);
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                await stderr.WriteLineAsync($"parkctl: {error.Message}");
            }

            await stderr.WriteLineAsync("Run 'parkctl --help' (or 'parkctl <verb> --help') for usage and examples.");
            return ExitCodes.Usage;
        }

        try
        {
            return await parse.InvokeAsync(new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false });
        }
        catch (AgentUnreachableException ex)
        {
            await stderr.WriteLineAsync($"parkctl: {ex.Message}");
            return ExitCodes.Unreachable;
        }
        catch (AgentRefusedException ex)
        {
            await stderr.WriteLineAsync($"parkctl: {ex.Message}");
            return ex.StatusCode is 400 or 404 ? ExitCodes.Usage : ExitCodes.Failed;
        }
        catch (UsageException ex)
        {
            await stderr.WriteLineAsync($"parkctl: {ex.Message}");
            return ExitCodes.Usage;
        }
        catch (OperationCanceledException)
        {
            // Ctrl-C in a watch or follow: a normal way to stop.
            return ExitCodes.Ok;
        }
        catch (IOException ex)
        {
            await stderr.WriteLineAsync($"parkctl: {ex.Message}");
            return ExitCodes.Failed;
        }
        catch (UnauthorizedAccessException ex)
        {
            await stderr.WriteLineAsync($"parkctl: {ex.Message}");
            return ExitCodes.Failed;
        }
    }

    private static RootCommand Build(Globals g, TextWriter stdout, TextWriter stderr)
    {
        var root = new RootCommand("""
            parkctl: check and operate a ParkingLot edge agent on this machine.

            Exit codes: 0 ok · 1 degraded or a check failed · 2 usage · 3 agent unreachable.
            The agent is found at --data <dir>/control.sock, --socket <path>, $PARKCTL_SOCKET, or
            /var/lib/parkinglot/control.sock; the token is read from control.token beside it.

            Examples:
              parkctl status
              parkctl gate open entry-1 --reason "ambulance"
              parkctl ledger tail -n 50 --follow
              parkctl --data ./.data/edge/demo-lot sensors --watch
            """);
        g.Json = new Option<bool>("--json") { Description = "Machine-readable JSON instead of tables", Recursive = true };
        g.Socket = new Option<string?>("--socket") { Description = "The agent's control socket (default $PARKCTL_SOCKET or /var/lib/parkinglot/control.sock)", Recursive = true };
        g.Data = new Option<string?>("--data") { Description = "The agent's data folder (control.sock and control.token inside)", Recursive = true };
        g.Port = new Option<int?>("--port") { Description = "Use the agent's loopback TCP port (Control:TcpPort) instead of the socket", Recursive = true };
        root.Add(g.Json);
        root.Add(g.Socket);
        root.Add(g.Data);
        root.Add(g.Port);
        var ctx = new Context(g, stdout, stderr);

        root.Add(Verb("status", """
            Agent version and uptime, lot, cloud link, clock, gates, occupancy and faults (faulted devices first).
            Exits 1 when anything is degraded.

            Examples:
              parkctl status
              parkctl status --json | jq .problems
            """, (p, ct) => ctx.StatusAsync(p, ct)));

        var watch = new Option<bool>("--watch", "-w") { Description = "Refresh in place every --interval until Ctrl-C" };
        var interval = new Option<double>("--interval") { Description = "Seconds between refreshes with --watch", DefaultValueFactory = _ => 1 };
        var sensors = Verb("sensors", """
            Every sensor (gate loops and beams, spot sensors): value, state, last change, changes per hour, flapping.

            Examples:
              parkctl sensors
              parkctl sensors --watch
            """, (p, ct) => ctx.SensorsAsync(p, p.GetValue(watch), p.GetValue(interval), ct));
        sensors.Add(watch);
        sensors.Add(interval);
        root.Add(sensors);

        root.Add(Verb("gates", "Each gate: direction, barrier position, state, held open, loop and beam.\n\nExample:\n  parkctl gates", (p, ct) => ctx.GatesAsync(p, ct)));

        var gate = new Command("gate", "Open, close or reset a gate by hand; the reason and your name go into the ledger.");
        foreach (var verb in new[] { "open", "close", "reset" })
        {
            var gateId = new Argument<string>("gate") { Description = "Gate id (see `parkctl gates`)" };
            var reason = new Option<string>("--reason", "-r") { Description = "Why (required; recorded in the ledger)", Required = true };
            var technician = new Option<string?>("--technician", "-t") { Description = "Your name for the ledger (default: $SUDO_USER or the login name)" };
            var what = verb switch
            {
                "open" => "Open the barrier and hold it up until `parkctl gate close` (the lane's next cycle also closes it).",
                "close" => "Close the barrier (also after a hand open).",
                _ => "Put a lane that went out of service (barrier fault) back into service, after fixing the cause.",
            };
            var command = Verb(verb, $"""
                {what}
                Refused without --reason (exit 2). Exits 1 when the gate does not do it.

                Example:
                  parkctl gate {verb} entry-1 --reason "{(verb == "open" ? "loop replaced, letting the queue out" : verb == "close" ? "queue cleared" : "arm freed, limit switch adjusted")}"
                """, (p, ct) => ctx.GateCommandAsync(p, p.GetRequiredValue(gateId), verb, p.GetValue(reason), p.GetValue(technician), ct));
            command.Add(gateId);
            command.Add(reason);
            command.Add(technician);
            gate.Add(command);
        }

        root.Add(gate);

        var ledger = new Command("ledger", "Read and check the lot's ledger.");
        var count = new Option<int>("-n", "--lines") { Description = "How many of the newest events", DefaultValueFactory = _ => 20 };
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep printing new events until Ctrl-C" };
        var tail = Verb("tail", """
            The newest events (manual gate commands show the technician and reason).

            Examples:
              parkctl ledger tail -n 50
              parkctl ledger tail --follow
            """, (p, ct) => ctx.TailAsync(p, p.GetValue(count), p.GetValue(follow), ct));
        tail.Add(count);
        tail.Add(follow);
        ledger.Add(tail);
        ledger.Add(Verb("verify", """
            Walk the hash chain and seq numbers; names the first bad event (edited, deleted, reordered, truncated).
            Exits 1 when the ledger is not intact.

            Example:
              parkctl ledger verify
            """, (p, ct) => ctx.VerifyAsync(p, ct)));
        var from = new Option<DateTimeOffset?>("--from") { Description = "First occurred-at time to include (ISO 8601, e.g. 2026-03-01 or 2026-03-01T06:00:00Z)" };
        var to = new Option<DateTimeOffset?>("--to") { Description = "Events from this time on are left out" };
        var file = new Argument<string>("file") { Description = "Output file (JSON lines); - for standard output" };
        var export = Verb("export", """
            Write events as JSON lines, one event per line, as stored (hashes can be re-checked).

            Example:
              parkctl ledger export --from 2026-03-01 --to 2026-03-02 march-1.jsonl
            """, (p, ct) => ctx.ExportAsync(p, p.GetValue(from), p.GetValue(to), p.GetRequiredValue(file), ct));
        export.Add(from);
        export.Add(to);
        export.Add(file);
        ledger.Add(export);
        root.Add(ledger);

        var sync = new Command("sync", "The outbox to the cloud.");
        sync.Add(Verb("status", "Connected?, broker, last seq, acknowledged seq, backlog, last ack and last error.\n\nExample:\n  parkctl sync status", (p, ct) => ctx.SyncStatusAsync(p, ct)));
        sync.Add(Verb("now", "Send the backlog now (when connected). Exits 1 when sync is off.\n\nExample:\n  parkctl sync now", (p, ct) => ctx.SyncNowAsync(p, ct)));
        root.Add(sync);

        root.Add(Verb("leases", "Active cloud leases and the lot's capacity split (reservable vs walk-in) per vehicle type.\n\nExample:\n  parkctl leases", (p, ct) => ctx.LeasesAsync(p, ct)));

        var tickets = new Command("tickets", "Look up tickets.");
        var ticket = new Argument<string>("ticket") { Description = "Ticket id (T…) or the code printed on the ticket (PL1.…)" };
        var show = Verb("show", """
            Entry, fee so far by the tariff, payments and exit of one ticket. Exits 1 when not found.

            Example:
              parkctl tickets show T3F9A2C01B7E
            """, (p, ct) => ctx.TicketAsync(p, p.GetRequiredValue(ticket), ct));
        show.Add(ticket);
        tickets.Add(show);
        root.Add(tickets);

        var testGate = new Option<string?>("--gate", "-g") { Description = "Only this gate (default: every gate and every spot sensor)" };
        var testReason = new Option<string?>("--reason", "-r") { Description = "Recorded in the ledger (default: self-test)" };
        var testTechnician = new Option<string?>("--technician", "-t") { Description = "Your name for the ledger" };
        var selftest = Verb("selftest", """
            Cycle each barrier open and closed, print a test ticket, read each sensor: pass/fail per
            device with the likely fix. Moves barriers: make sure no vehicle is under an arm.
            Exits 1 when a device fails.

            Examples:
              parkctl selftest
              parkctl selftest --gate exit-1
            """, (p, ct) => ctx.SelfTestAsync(p, p.GetValue(testGate), p.GetValue(testReason), p.GetValue(testTechnician), ct));
        selftest.Add(testGate);
        selftest.Add(testReason);
        selftest.Add(testTechnician);
        root.Add(selftest);

        var config = new Command("config", "Lot files.");
        var lotFile = new Argument<string>("file") { Description = "Lot file (JSON)" };
        var validate = Verb("validate", """
            Check a lot file as the agent does at start (schema, pins, tariff …); no agent needed.
            Exits 1 when the file is invalid.

            Example:
              parkctl config validate /etc/parkinglot/lot.json
            """, (p, _) => Task.FromResult(ctx.Validate(p, p.GetRequiredValue(lotFile))));
        validate.Add(lotFile);
        config.Add(validate);
        root.Add(config);

        var diag = new Command("diag", "Diagnostics for support.");
        var output = new Argument<string>("out") { Description = "The .tar.gz to write" };
        var bundle = Verb("bundle", """
            Write a .tar.gz with versions, status, device health, ledger verify result, sync state, the
            lot file and settings (passwords, secrets, tokens and keys redacted) and the agent's recent logs.

            Example:
              parkctl diag bundle /tmp/lot-diag.tar.gz
            """, (p, ct) => ctx.DiagBundleAsync(p, p.GetRequiredValue(output), ct));
        bundle.Add(output);
        diag.Add(bundle);
        root.Add(diag);

        var completion = new Command("completion", "Shell completion script.");
        completion.Add(Verb("bash", """
            Print a bash completion script (it asks parkctl's [suggest] directive).

            Example:
              parkctl completion bash | sudo tee /etc/bash_completion.d/parkctl
            """, (_, _) =>
        {
            stdout.Write(BashCompletion);
            return Task.FromResult(ExitCodes.Ok);
        }));
        root.Add(completion);
        return root;
    }

    private static Command Verb(string name, string description, Func<ParseResult, CancellationToken, Task<int>> action)
    {
        var command = new Command(name, description);
        command.SetAction(action);
        return command;
    }

    private const string BashCompletion = """
        # parkctl bash completion: asks parkctl itself through System.CommandLine's [suggest] directive.
        _parkctl_complete() {
          local line="${COMP_LINE#* }"
          local point=$((COMP_POINT - ${#COMP_LINE} + ${#line}))
          local IFS=$'\n'
          COMPREPLY=($(compgen -W "$("${COMP_WORDS[0]}" "[suggest:${point}]" "${line}" 2>/dev/null)" -- "${COMP_WORDS[COMP_CWORD]}"))
        }
        complete -o default -F _parkctl_complete parkctl

        """;

    /// <summary>The global options, shared by every verb (Recursive).</summary>
    internal sealed class Globals
    {
        public Option<bool> Json { get; set; } = null!;

        public Option<string?> Socket { get; set; } = null!;

        public Option<string?> Data { get; set; } = null!;

        public Option<int?> Port { get; set; } = null!;
    }
}

/// <summary>A usage error found after parsing (e.g. a blank --reason); exit 2.</summary>
internal sealed class UsageException(string message) : Exception(message);
