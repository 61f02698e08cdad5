using System.CommandLine;
using System.Formats.Tar;
using System.Globalization;
using System.IO.Compression;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using ParkingLot.Edge.Control;
using ParkingLot.Edge.Lots;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace ParkingLot.Edge.Cli;

/// <summary>The verbs' work: call the agent, then print a table (or the JSON with --json) and pick the exit code.</summary>
internal sealed class Context(Parkctl.Globals globals, TextWriter stdout, TextWriter stderr)
{
    private static readonly JsonSerializerOptions Compact = new(ControlJsonContext.Default.Options) { WriteIndented = false };

    private static ControlJsonContext Api => ControlJsonContext.Default;

    public async Task<int> StatusAsync(ParseResult p, CancellationToken ct)
    {
        using var agent = Client(p);
        var status = await agent.GetAsync("v1/status", Api.StatusResponse, ct);
        if (Json(p, status, Api.StatusResponse))
        {
            return status.Degraded ? ExitCodes.Failed : ExitCodes.Ok;
        }

        var console = Console();
        console.MarkupLine($"[bold]{E(status.Lot.Name)}[/] ({E(status.Lot.LotId)}) · agent {E(ShortVersion(status.AgentVersion))} · up {Duration(status.UptimeSeconds)} · clock {E(status.Time.Quality)}");
        if (status.Degraded)
        {
            console.MarkupLine($"[red bold]DEGRADED[/]: {status.Problems.Count} problem(s)");
            foreach (var problem in status.Problems)
            {
                console.MarkupLine($" [red]✗[/] {E(problem)}");
            }
        }
        else
        {
            console.MarkupLine("[green bold]OK[/]: every device, the cloud link and the clock are fine");
        }

        var cloud = status.Cloud;
        console.MarkupLine("Cloud: " + E(CloudLine(cloud)));
        if (status.Faults.Count > 0)
        {
            var faults = Table("Device", "State", "Detail", "Likely fix");
            foreach (var f in status.Faults)
            {
                faults.AddRow(E(f.DeviceId), StateMarkup(f.State), E(f.Detail), E(f.LikelyFix ?? "-"));
            }

            console.Write(faults);
        }

        console.Write(GatesTable(status.Gates));
        var occupancy = Table("Vehicle type", "Occupied", "Spots", "Walk-in share", "Reservable");
        foreach (var o in status.Occupancy)
        {
            occupancy.AddRow(E(o.VehicleType), N(o.Occupied), N(o.Spots), N(o.WalkInShare), N(o.Reservable));
        }

        console.Write(occupancy);
        return status.Degraded ? ExitCodes.Failed : ExitCodes.Ok;
    }

    public async Task<int> SensorsAsync(ParseResult p, bool watch, double intervalSeconds, CancellationToken ct)
    {
        using var agent = Client(p);
        var interval = TimeSpan.FromSeconds(Math.Clamp(intervalSeconds, 0.2, 3600));
        var sensors = await agent.GetAsync("v1/sensors", Api.SensorsResponse, ct);
        if (p.GetValue(globals.Json))
        {
            if (!watch)
            {
                Write(sensors, Api.SensorsResponse);
                return Exit(sensors);
            }

            // JSON lines, one snapshot per refresh, for scripts that follow a loop.
            while (true)
            {
                await stdout.WriteLineAsync(JsonSerializer.Serialize(sensors, Compact.GetTypeInfo(typeof(SensorsResponse))));
                await stdout.FlushAsync(ct);
                await Task.Delay(interval, TimeProvider.System, ct);
                sensors = await agent.GetAsync("v1/sensors", Api.SensorsResponse, ct);
            }
        }

        var console = Console();
        if (!watch)
        {
            console.Write(SensorsTable(sensors));
            return Exit(sensors);
        }

        await console.Live(SensorsTable(sensors)).StartAsync(async live =>
        {
            while (!ct.IsCancellationRequested)
            {
                try
                {
                    await Task.Delay(interval, TimeProvider.System, ct);
                    sensors = await agent.GetAsync("v1/sensors", Api.SensorsResponse, ct);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                live.UpdateTarget(SensorsTable(sensors));
            }
        });
        return Exit(sensors);

        static int Exit(SensorsResponse s) => s.Sensors.Any(x => x.State != "ok") ? ExitCodes.Failed : ExitCodes.Ok;
    }

    public async Task<int> GatesAsync(ParseResult p, CancellationToken ct)
    {
        using var agent = Client(p);
        var gates = await agent.GetAsync("v1/gates", Api.GatesResponse, ct);
        if (!Json(p, gates, Api.GatesResponse))
        {
            Console().Write(GatesTable(gates.Gates));
        }

        return gates.Gates.Any(g => g.State != "ok") ? ExitCodes.Failed : ExitCodes.Ok;
    }

    public async Task<int> GateCommandAsync(ParseResult p, string gateId, string verb, string? reason, string? technician, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(reason))
        {
            throw new UsageException($"gate {verb} needs --reason \"…\" (it is recorded in the ledger with your name)");
        }

        using var agent = Client(p);
        var request = new GateCommandRequest(reason, technician ?? Technician());
        var done = await agent.PostAsync($"v1/gates/{Uri.EscapeDataString(gateId)}/{verb}", request, Api.GateCommandRequest, Api.GateCommandResponse, ct, TimeSpan.FromSeconds(60));
        if (!Json(p, done, Api.GateCommandResponse))
        {
            Console().MarkupLine(done.Done
                ? $"[green]Gate {E(done.GateId)} {E(done.Command)}[/]: barrier {E(done.Barrier)} (ledger seq {N(done.AuditSeq)})"
                : $"[red]Gate {E(done.GateId)} did not {E(done.Command)}[/]: {E(done.Fault ?? "unknown fault")}, barrier {E(done.Barrier)} (ledger seq {N(done.AuditSeq)})");
        }

        return done.Done ? ExitCodes.Ok : ExitCodes.Failed;
    }

    public async Task<int> TailAsync(ParseResult p, int count, bool follow, CancellationToken ct)
    {
        using var agent = Client(p);
        var json = p.GetValue(globals.Json);
        var tail = await agent.GetAsync($"v1/ledger/tail?n={count.ToString(CultureInfo.InvariantCulture)}", Api.EventsResponse, ct);
        if (json && !follow)
        {
            Write(tail, Api.EventsResponse);
            return ExitCodes.Ok;
        }

        var width = Width();
        foreach (var e in tail.Events)
        {
            await stdout.WriteLineAsync(json ? JsonSerializer.Serialize(e, Compact.GetTypeInfo(typeof(EventView))) : EventLine(e, width));
        }

        var after = tail.NextAfter;
        while (follow)
        {
            await stdout.FlushAsync(ct);
            await Task.Delay(TimeSpan.FromSeconds(1), TimeProvider.System, ct);
            var page = await agent.GetAsync($"v1/ledger/events?after={after.ToString(CultureInfo.InvariantCulture)}&limit=500", Api.EventsResponse, ct);
            foreach (var e in page.Events)
            {
                await stdout.WriteLineAsync(json ? JsonSerializer.Serialize(e, Compact.GetTypeInfo(typeof(EventView))) : EventLine(e, width));
            }

            after = page.NextAfter;
        }

        return ExitCodes.Ok;
    }

    public async Task<int> VerifyAsync(ParseResult p, CancellationToken ct)
    {
        using var agent = Client(p);
        var result = await agent.GetAsync("v1/ledger/verify", Api.VerifyResponse, TimeSpan.FromMinutes(5), ct);
        if (!Json(p, result, Api.VerifyResponse))
        {
            var console = Console();
            if (result.Valid)
            {
                console.MarkupLine($"[green]Ledger intact[/]: {N(result.EventsChecked)} events, hash chain and seq numbers continuous (last seq {N(result.LastSeq)}, acknowledged by the cloud up to {N(result.AckedSeq)})");
            }
            else
            {
                var named = result.FirstBadType is null ? string.Empty : $" ({result.FirstBadType}, id {result.FirstBadId:N})";
                console.MarkupLine($"[red bold]Ledger NOT intact[/]: first bad event is seq {N(result.FirstBadSeq ?? 0)}{E(named)}: {E(result.Reason ?? "unknown")}");
                console.MarkupLine($"{N(result.EventsChecked)} event(s) before it are intact. Keep a copy of ledger.db and do not delete it: see docs/technician.md.");
            }
        }

        return result.Valid ? ExitCodes.Ok : ExitCodes.Failed;
    }

    public async Task<int> ExportAsync(ParseResult p, DateTimeOffset? from, DateTimeOffset? to, string file, CancellationToken ct)
    {
        using var agent = Client(p);
        var query = new StringBuilder();
        if (from is { } f)
        {
            query.Append("&from=").Append(Uri.EscapeDataString(f.ToString("O", CultureInfo.InvariantCulture)));
        }

        if (to is { } t)
        {
            query.Append("&to=").Append(Uri.EscapeDataString(t.ToString("O", CultureInfo.InvariantCulture)));
        }

        var toStdout = file == "-";
        var path = toStdout ? null : Path.GetFullPath(file);
        var temp = path is null ? null : path + ".partial";
        long written = 0, first = 0, last = 0, after = 0;
        await using (var output = temp is null ? null : new StreamWriter(temp, append: false, new UTF8Encoding(false)))
        {
            var writer = output ?? stdout;
            while (true)
            {
                var page = await agent.GetAsync($"v1/ledger/events?after={after.ToString(CultureInfo.InvariantCulture)}&limit=1000{query}", Api.EventsResponse, TimeSpan.FromMinutes(2), ct);
                foreach (var e in page.Events)
                {
                    await writer.WriteLineAsync(JsonSerializer.Serialize(e, Compact.GetTypeInfo(typeof(EventView))));
                    first = first == 0 ? e.Seq : first;
                    last = e.Seq;
                    written++;
                }

                if (page.Done || page.NextAfter <= after)
                {
                    break;
                }

                after = page.NextAfter;
            }
        }

        if (path is not null)
        {
            File.Move(temp!, path, overwrite: true);
            if (p.GetValue(globals.Json))
            {
                await stdout.WriteLineAsync(JsonSerializer.Serialize(new ExportResult(path, written, first, last), CliJsonContext.Default.ExportResult));
            }
            else
            {
                Console().MarkupLine($"Exported {N(written)} event(s){(written > 0 ? $" (seq {N(first)}–{N(last)})" : string.Empty)} to {E(path)}");
            }
        }

        return ExitCodes.Ok;
    }

    public async Task<int> SyncStatusAsync(ParseResult p, CancellationToken ct)
    {
        using var agent = Client(p);
        var sync = await agent.GetAsync("v1/sync", Api.SyncStatusResponse, ct);
        if (!Json(p, sync, Api.SyncStatusResponse))
        {
            var c = sync.Cloud;
            var table = Table("Cloud link", string.Empty);
            table.AddRow("state", E(CloudLine(c)));
            table.AddRow("broker", E(c.Broker ?? "-"));
            table.AddRow("lot / epoch", E($"{sync.LotId} / {sync.Epoch}"));
            table.AddRow("last seq / acked", E($"{c.LastSeq} / {c.AckedSeq} (backlog {c.Backlog})"));
            table.AddRow("last ack", E(c.LastAckAt?.ToString("u", CultureInfo.InvariantCulture) ?? "none this run"));
            table.AddRow("last error", E(c.LastError is null ? "none" : $"{c.LastErrorAt:u}: {c.LastError}"));
            Console().Write(table);
        }

        return sync.Cloud.Enabled && !sync.Cloud.Connected ? ExitCodes.Failed : ExitCodes.Ok;
    }

    public async Task<int> SyncNowAsync(ParseResult p, CancellationToken ct)
    {
        using var agent = Client(p);
        var now = await agent.PostAsync("v1/sync/now", new GateCommandRequest(null, null), Api.GateCommandRequest, Api.SyncNowResponse, ct);
        if (!Json(p, now, Api.SyncNowResponse))
        {
            Console().MarkupLine((now.Requested ? "[green]Sync requested[/]: " : "[yellow]Nothing to do[/]: ") + E(now.Detail));
        }

        return now.Requested ? ExitCodes.Ok : ExitCodes.Failed;
    }

    public async Task<int> LeasesAsync(ParseResult p, CancellationToken ct)
    {
        using var agent = Client(p);
        var leases = await agent.GetAsync("v1/leases", Api.LeasesResponse, ct);
        if (!Json(p, leases, Api.LeasesResponse))
        {
            var console = Console();
            if (leases.Leases.Count == 0)
            {
                console.MarkupLine("No active leases.");
            }
            else
            {
                var table = Table("Lease", "Vehicle type", "Spaces", "From", "To", "Version");
                foreach (var l in leases.Leases)
                {
                    table.AddRow(E(l.LeaseId), E(l.VehicleType), N(l.Spaces), E(l.ValidFrom.ToString("u", CultureInfo.InvariantCulture)), E(l.ValidTo.ToString("u", CultureInfo.InvariantCulture)), N(l.Version));
                }

                console.Write(table);
            }

            var capacity = Table("Vehicle type", "Spots", "Reservable (cloud)", "Walk-in (edge)");
            foreach (var c in leases.Capacity)
            {
                capacity.AddRow(E(c.VehicleType), N(c.Spots), N(c.Reservable), N(c.WalkIn));
            }

            console.Write(capacity);
            console.MarkupLine($"[grey]{E(leases.Source)}[/]");
        }

        return ExitCodes.Ok;
    }

    public async Task<int> TicketAsync(ParseResult p, string query, CancellationToken ct)
    {
        using var agent = Client(p);
        TicketView ticket;
        try
        {
            ticket = await agent.PostAsync("v1/tickets/find", new TicketQuery(query), Api.TicketQuery, Api.TicketView, ct);
        }
        catch (AgentRefusedException ex) when (ex.StatusCode == 404)
        {
            await stderr.WriteLineAsync($"parkctl: {ex.Message}");
            return ExitCodes.Failed;
        }

        if (!Json(p, ticket, Api.TicketView))
        {
            var table = Table("Ticket " + ticket.TicketId, string.Empty);
            table.AddRow("vehicle type", E(ticket.VehicleType));
            table.AddRow("status", E(ticket.Status));
            table.AddRow("entry", E($"{Time(ticket.EnteredAt ?? ticket.IssuedAt)} at {ticket.EntryGate ?? "-"}"));
            table.AddRow("fee so far", E(ticket.FeeSoFar is { } fee ? $"{fee} (tariff {ticket.TariffVersion})" : "-"));
            table.AddRow("exit", E(ticket.ExitedAt is { } exited ? $"{Time(exited)}, charged {ticket.FeeCharged?.ToString() ?? "nothing"}" : "still inside"));
            foreach (var pay in ticket.Payments)
            {
                table.AddRow("payment", E($"{pay.Amount} {pay.Method} at {Time(pay.RecordedAt)} (seq {pay.Seq})"));
            }

            Console().Write(table);
        }

        return ExitCodes.Ok;
    }

    public async Task<int> SelfTestAsync(ParseResult p, string? gate, string? reason, string? technician, CancellationToken ct)
    {
        using var agent = Client(p);
        var result = await agent.PostAsync("v1/selftest", new SelfTestRequest(gate, technician ?? Technician(), reason), Api.SelfTestRequest, Api.SelfTestResponse, ct, TimeSpan.FromMinutes(5));
        if (!Json(p, result, Api.SelfTestResponse))
        {
            // Gate devices and failures row by row; passing spot sensors (often hundreds) as one line.
            var table = Table("Device", "Check", "Result", "Detail", "Likely fix");
            foreach (var r in result.Results.Where(r => r.GateId is not null || !r.Passed).OrderBy(r => r.Passed))
            {
                table.AddRow(E(r.DeviceId), E(r.Check), r.Passed ? "[green]pass[/]" : "[red]FAIL[/]", E(r.Detail), E(r.LikelyFix ?? "-"));
            }

            var console = Console();
            console.Write(table);
            var quietSensors = result.Results.Count(r => r.GateId is null && r.Passed);
            if (quietSensors > 0)
            {
                console.MarkupLine($"{N(quietSensors)} spot sensor(s) passed (--json lists each).");
            }

            var failed = result.Results.Count(r => !r.Passed);
            console.MarkupLine(failed == 0
                ? $"[green]Self-test passed[/]: {result.Results.Count} check(s) (ledger seq {N(result.AuditSeq)})"
                : $"[red]Self-test failed[/]: {failed} of {result.Results.Count} check(s) (ledger seq {N(result.AuditSeq)})");
        }

        return result.Passed ? ExitCodes.Ok : ExitCodes.Failed;
    }

    public int Validate(ParseResult p, string file)
    {
        var validation = LotFileValidator.Validate(Path.GetFullPath(file));
        if (p.GetValue(globals.Json))
        {
            var result = new ConfigValidationResult(validation.Source, validation.IsValid, [.. validation.Problems.Select(x => new ConfigProblem(x.Line, x.Path, x.Message))]);
            stdout.WriteLine(JsonSerializer.Serialize(result, CliJsonContext.Default.ConfigValidationResult));
        }
        else
        {
            stdout.WriteLine(validation.ToString());
        }

        return validation.IsValid ? ExitCodes.Ok : ExitCodes.Failed;
    }

    public async Task<int> DiagBundleAsync(ParseResult p, string output, CancellationToken ct)
    {
        var path = Path.GetFullPath(output);
        var files = new List<(string Name, byte[] Content)>();
        string? agentVersion = null;
        string? agentError = null;
        using (var agent = Client(p))
        {
            try
            {
                var status = await agent.GetAsync("v1/status", Api.StatusResponse, ct);
                agentVersion = status.AgentVersion;
                files.Add(("status.json", Bytes(status, Api.StatusResponse)));
                files.Add(("devices.json", Bytes(await agent.GetAsync("v1/devices", Api.DevicesResponse, ct), Api.DevicesResponse)));
                files.Add(("sensors.json", Bytes(await agent.GetAsync("v1/sensors", Api.SensorsResponse, ct), Api.SensorsResponse)));
                files.Add(("ledger-verify.json", Bytes(await agent.GetAsync("v1/ledger/verify", Api.VerifyResponse, TimeSpan.FromMinutes(5), ct), Api.VerifyResponse)));
                files.Add(("sync.json", Bytes(await agent.GetAsync("v1/sync", Api.SyncStatusResponse, ct), Api.SyncStatusResponse)));
                var diag = await agent.GetAsync("v1/diag", Api.DiagResponse, ct);
                files.Add(("settings.json", Bytes(diag with { RecentLogs = [], LotFileRedacted = null }, Api.DiagResponse)));
                if (diag.LotFileRedacted is { } lot)
                {
                    files.Add(("lot.json", Encoding.UTF8.GetBytes(lot)));
                }

                files.Add(("logs/agent.log", Encoding.UTF8.GetBytes(string.Join('\n', diag.RecentLogs) + "\n")));
            }
            catch (AgentUnreachableException ex)
            {
                agentError = ex.Message;
            }
        }

        var manifest = new DiagManifest(Parkctl.Version, agentVersion, RuntimeInformation.FrameworkDescription, RuntimeInformation.OSDescription, TimeProvider.System.GetUtcNow(), [.. files.Select(f => f.Name), "versions.json"], agentError);
        files.Add(("versions.json", Encoding.UTF8.GetBytes(JsonSerializer.Serialize(manifest, CliJsonContext.Default.DiagManifest))));
        await WriteTarGzAsync(path, files, ct);
        if (agentError is not null)
        {
            throw new AgentUnreachableException($"{agentError}; wrote a partial bundle (versions only) to {path}");
        }

        if (p.GetValue(globals.Json))
        {
            await stdout.WriteLineAsync(JsonSerializer.Serialize(manifest, CliJsonContext.Default.DiagManifest));
        }
        else
        {
            Console().MarkupLine($"Wrote {E(path)}: {E(string.Join(", ", manifest.Files))}");
        }

        return ExitCodes.Ok;
    }

    private static async Task WriteTarGzAsync(string path, List<(string Name, byte[] Content)> files, CancellationToken ct)
    {
        var directory = Path.GetDirectoryName(path);
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        await using var file = File.Create(path);
        await using var gzip = new GZipStream(file, CompressionLevel.Optimal);
        await using var tar = new TarWriter(gzip, TarEntryFormat.Pax, leaveOpen: false);
        var now = TimeProvider.System.GetUtcNow();
        foreach (var (name, content) in files)
        {
            var entry = new PaxTarEntry(TarEntryType.RegularFile, "parkctl-diag/" + name)
            {
                DataStream = new MemoryStream(content),
                ModificationTime = now,
                Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead,
            };
            await tar.WriteEntryAsync(entry, ct);
        }
    }

    private static byte[] Bytes<T>(T value, JsonTypeInfo<T> type) => JsonSerializer.SerializeToUtf8Bytes(value, type);

    private AgentClient Client(ParseResult p) =>
        new(AgentEndpoint.Resolve(p.GetValue(globals.Socket), p.GetValue(globals.Data), p.GetValue(globals.Port)));

    private bool Json<T>(ParseResult p, T value, JsonTypeInfo<T> type)
    {
        if (!p.GetValue(globals.Json))
        {
            return false;
        }

        Write(value, type);
        return true;
    }

    private void Write<T>(T value, JsonTypeInfo<T> type) => stdout.WriteLine(JsonSerializer.Serialize(value, type));

    private IAnsiConsole Console()
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(stdout),
            Ansi = AnsiSupport.Detect,
            ColorSystem = ColorSystemSupport.Detect,
            Interactive = InteractionSupport.Detect,
        });
        console.Profile.Width = Width();
        return console;
    }

    /// <summary>$COLUMNS when set, else the terminal's width, else 100 (piped output, a log).</summary>
    private static int Width()
    {
        if (int.TryParse(Environment.GetEnvironmentVariable("COLUMNS"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var columns) && columns > 0)
        {
            return Math.Clamp(columns, 40, 400);
        }

        try
        {
            return !System.Console.IsOutputRedirected && System.Console.WindowWidth > 0 ? System.Console.WindowWidth : 100;
        }
        catch (IOException)
        {
            return 100;
        }
    }

    private static Table Table(params string[] columns)
    {
        var table = new Table { Border = TableBorder.Rounded };
        foreach (var column in columns)
        {
            table.AddColumn(new TableColumn(E(column)));
        }

        return table;
    }

    private static Table GatesTable(IReadOnlyList<GateView> gates)
    {
        var table = Table("Gate", "Dir", "Barrier", "Lane", "State", "Held", "Loop", "Beam", "Last manual command");
        foreach (var g in gates)
        {
            var lane = g.LaneFault is null ? E(g.Lane ?? "-") : $"[red]{E(g.Lane ?? "outOfService")}[/]: {E(g.LaneFault)}";
            table.AddRow(E(g.GateId), E(g.Direction), E(g.Barrier), lane, StateMarkup(g.State), g.HeldOpen ? "[yellow]yes[/]" : "no",
                Presence(g.VehicleOnLoop, "vehicle"), Presence(g.PassageOccupied, "blocked"), E(g.LastCommand ?? "-"));
        }

        return table;

        static string Presence(bool? active, string word) => active is null ? "-" : active.Value ? word : "clear";
    }

    private static Table SensorsTable(SensorsResponse sensors)
    {
        var table = Table("Sensor", "Kind", "Where", "Value", "State", "Last change", "Changes/h", "Likely fix");
        foreach (var s in sensors.Sensors.OrderBy(s => s.State == "ok" ? 1 : 0).ThenBy(s => s.GateId is null ? 1 : 0).ThenBy(s => s.SensorId, StringComparer.Ordinal))
        {
            table.AddRow(E(s.SensorId), E(s.Kind), E(s.SpotId ?? s.GateId ?? "-"), E(s.Value), StateMarkup(s.State),
                E(s.LastChange is { } at ? at.ToString("HH:mm:ss", CultureInfo.InvariantCulture) : "-"), E(s.ChangesPerHour.ToString("0", CultureInfo.InvariantCulture)), E(s.LikelyFix ?? "-"));
        }

        table.Caption = new TableTitle(E($"change rate over the last {sensors.WindowMinutes} min; spot sensors flap above {sensors.FlappingAbovePerHour:0}/h"));
        return table;
    }

    private static string EventLine(EventView e, int width)
    {
        var summary = e.Type.StartsWith("control.", StringComparison.Ordinal)
            && e.Payload.ValueKind == JsonValueKind.Object
            && e.Payload.TryGetProperty("technician", out var who)
            ? $"{Text(e.Payload, "command")} {Text(e.Payload, "gateId") ?? "all gates"} by {who.GetString()}: \"{Text(e.Payload, "reason")}\" → {Text(e.Payload, "outcome")}"
            : e.Payload.GetRawText();
        var line = $"{e.Seq,7} {e.OccurredAt.ToUniversalTime():yyyy-MM-dd HH:mm:ss} {e.Type,-24} {summary}";

        // Payloads are cut to the terminal; a technician's command never is (name and reason matter).
        return line.Length > width && !e.Type.StartsWith("control.", StringComparison.Ordinal) ? line[..(width - 1)] + "…" : line;

        static string? Text(JsonElement payload, string name) => payload.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
    }

    private static string CloudLine(CloudLink c) => !c.Enabled
        ? $"sync off (--offline or no broker); {c.Backlog} event(s) wait in the outbox"
        : c.Connected
            ? $"connected to {c.Broker}, backlog {c.Backlog}, acked seq {c.AckedSeq}" + (c.LastAckAt is { } at ? $" at {at:HH:mm:ss}" : string.Empty)
            : $"DOWN ({c.Broker}), backlog {c.Backlog}" + (c.LastError is null ? string.Empty : $", last error: {c.LastError}");

    private static string StateMarkup(string state) => state switch
    {
        "ok" => "[green]ok[/]",
        "degraded" => $"[yellow]{E(state)}[/]",
        _ => $"[red]{E(state)}[/]",
    };

    /// <summary>0.1.0+ee10717c3a1a… → 0.1.0+ee10717 (the commit stays identifiable, the line stays short).</summary>
    private static string ShortVersion(string version) =>
        version.IndexOf('+', StringComparison.Ordinal) is var plus and > 0 && version.Length > plus + 8 ? version[..(plus + 8)] : version;

    private static string Technician() =>
        Environment.GetEnvironmentVariable("SUDO_USER") is { Length: > 0 } sudo ? sudo : Environment.UserName;

    private static string Duration(double seconds)
    {
        var t = TimeSpan.FromSeconds(seconds);
        return t.TotalDays >= 1 ? $"{(int)t.TotalDays}d {t.Hours}h" : t.TotalHours >= 1 ? $"{(int)t.TotalHours}h {t.Minutes:00}m" : $"{t.Minutes}m {t.Seconds:00}s";
    }

    private static string Time(DateTimeOffset? at) => at?.ToUniversalTime().ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture) ?? "-";

    private static string N(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string E(string text) => Markup.Escape(text);
}
