using System.Security.Cryptography;
using System.Threading.Channels;
using ParkingLot.Edge.Hardware.Barriers;
using ParkingLot.Edge.Hardware.Display;
using ParkingLot.Edge.Hardware.Inputs;
using ParkingLot.Edge.Hardware.Nfc;
using ParkingLot.Edge.Ledger;
using ParkingLot.Edge.Lots;
using ParkingLot.Edge.Time;
using ParkingLot.Shared;
using ParkingLot.Shared.Contracts;

namespace ParkingLot.Edge.Gates;

/// <summary>Where a lane's cycle stands in memory (the ledger's <c>lanes</c> row says the same after every step).</summary>
internal enum LaneState
{
    /// <summary>Barrier closed, no vehicle on the loop.</summary>
    Idle,

    /// <summary>A vehicle is on the loop; waiting for a code, a card or a ticket request.</summary>
    AwaitingCredential,

    /// <summary>Refused, with the reason on the display; a new credential or a payment may still admit the vehicle.</summary>
    Refused,

    /// <summary>Barrier commanded open for the admitted vehicle, which has not reached the passage yet.</summary>
    Open,

    /// <summary>The admitted vehicle is in the passage.</summary>
    Passing,

    /// <summary>The vehicle passed; the barrier stays up while something is still in the passage.</summary>
    Passed,

    /// <summary>Barrier commanded closed after the cycle.</summary>
    Closing,
}

/// <summary>What a lane shows to the outside (parkctl, the simulator, tests).</summary>
internal sealed record LaneSnapshot(
    string GateId,
    LaneState State,
    string? CycleId,
    string? TicketId,
    string? Fault,
    string? LastDecision,
    string? LastDetail,
    Money? FeeDue,
    string? AwaitingPaymentFor,
    int Tailgates,
    long Cycles)
{
    public bool OutOfService => Fault is not null;
}

/// <summary>
/// A gate lane as an explicit state machine (DESIGN §4 "Gate flows"). Everything that happens at the
/// lane (loop and passage sensor edges, codes, cards, ticket and lost-ticket requests, payments seen
/// in the ledger, barrier moves finishing, a technician's reset) becomes an input on one channel, and
/// one loop handles the inputs in order, so the state needs no locks. Each step is one durable ledger
/// event (one transaction), appended before the step acts on the world: the barrier is commanded open
/// only after <c>barrier.moved</c> is committed, so after a power cut the ledger never understates
/// what the lane may have done.
/// <para>
/// Power-on recovery (<see cref="StartAsync"/>, before any input) reads the lane's last committed step
/// and the sensors as they are now, and resolves a half-finished cycle with a <c>lane.recovered</c>
/// event and the ordinary events that finish it, never by replaying the cycle (rules on
/// <see cref="RecoverAsync"/>).
/// </para>
/// </summary>
internal abstract class Lane : IAsyncDisposable
{
    private readonly Channel<LaneInput> _inputs = Channel.CreateUnbounded<LaneInput>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _pumps = [];
    private readonly Lock _snapshotLock = new();
    private readonly List<(Func<LaneSnapshot, bool> Condition, TaskCompletionSource<LaneSnapshot> Done)> _waiters = [];
    private ITimer? _withdrawTimer;
    private Task? _loop;
    private int _barrierCommand;
    private int _safeStateCommand;
    private (LaneInput Input, long At)? _pending;
    private LaneSnapshot _snapshot;
    private long _cycles;
    private bool _printerFaulted;

    protected Lane(GateDefinition gate, LaneDevices devices, LaneContext context, LedgerStore ledger, TimeProvider time, ILogger logger)
    {
        Gate = gate;
        Devices = devices;
        Context = context;
        Ledger = ledger;
        Time = time;
        Logger = logger;
        _snapshot = new LaneSnapshot(gate.Id, LaneState.Idle, null, null, null, null, null, null, null, 0, 0);
    }

    /// <summary>Raised on the lane's loop after every input that changed the snapshot.</summary>
    public event Action<LaneSnapshot>? Changed;

    public string GateId => Gate.Id;

    public LaneDevices Devices { get; }

    public LaneSnapshot Snapshot
    {
        get
        {
            lock (_snapshotLock)
            {
                return _snapshot;
            }
        }
    }

    protected GateDefinition Gate { get; }

    protected LaneContext Context { get; }

    protected LotFile Lot => Context.Lot;

    protected LedgerStore Ledger { get; }

    protected TimeProvider Time { get; }

    protected ILogger Logger { get; }

    protected LaneState State { get; private set; }

    protected string? Fault { get; private set; }

    // The current cycle, as the lanes row holds it.
    protected string? CycleId { get; private set; }

    protected string? TicketId { get; private set; }

    protected VehicleType? VehicleType { get; private set; }

    protected CredentialKind Kind { get; private set; }

    protected string? CredentialId { get; private set; }

    protected string? Basis { get; private set; }

    protected Money? Fee { get; private set; }

    protected string? TariffVersion { get; private set; }

    /// <summary>The ticket of an admission not used yet (void when the vehicle withdraws).</summary>
    protected string? UnusedAdmission { get; private set; }

    /// <summary>A refused exit waiting for this ticket's payment, and what to do when it is seen.</summary>
    protected (string TicketId, Func<CancellationToken, Task> Retry)? AwaitingPayment { get; set; }

    private string? LastDecision { get; set; }

    private string? LastDetail { get; set; }

    private Money? FeeDue { get; set; }

    private int Tailgates { get; set; }

    /// <summary>
    /// Recovers the lane from the ledger and the sensors, then starts taking inputs. Device events are
    /// subscribed first so nothing that happens during recovery is lost (it is handled after it).
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        Devices.Loop.Changed += OnLoopChanged;
        Devices.Passage.Changed += OnPassageChanged;
        Ledger.Appended += OnAppended;
        await RecoverAsync(cancellationToken);
        Publish();
        _loop = Task.Run(() => RunAsync(_stopping.Token), CancellationToken.None);
        if (Devices.Scanner is { } scanner)
        {
            _pumps.Add(Task.Run(() => PumpCodesAsync(scanner, _stopping.Token), CancellationToken.None));
        }

        if (Devices.PermitReader is { } reader)
        {
            _pumps.Add(Task.Run(() => PumpCardsAsync(reader, _stopping.Token), CancellationToken.None));
        }
    }

    /// <summary>Stops taking inputs; the ledger keeps every step already taken, and recovery finishes the rest on the next start.</summary>
    public async Task StopAsync()
    {
        Devices.Loop.Changed -= OnLoopChanged;
        Devices.Passage.Changed -= OnPassageChanged;
        Ledger.Appended -= OnAppended;
        _inputs.Writer.TryComplete();
        await _stopping.CancelAsync();
        foreach (var task in _pumps.Append(_loop ?? Task.CompletedTask))
        {
            await task.ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _withdrawTimer?.Dispose();
        _stopping.Dispose();
    }

    /// <summary>A code held to the lane's scanner (also how a simulated or test driver scans).</summary>
    public void PresentCode(string code) => Post(new CodeScanned(code));

    /// <summary>A permit card at the lane's NFC reader.</summary>
    public void PresentPermit(PermitCard card) => Post(new PermitPresented(card));

    /// <summary>The ticket button of an entry lane (the terminal's vehicle-type key, or the lane's type).</summary>
    public void RequestTicket(VehicleType vehicleType) => Post(new TicketRequested(vehicleType));

    /// <summary>The lost-ticket key of an exit lane (or the intercom operator), with the vehicle's type.</summary>
    public void DeclareLostTicket(VehicleType vehicleType) => Post(new LostTicketDeclared(vehicleType));

    /// <summary>A technician's reset after a fault (parkctl): the lane goes back into service.</summary>
    public void Reset(string reason) => Post(new ResetRequested(reason));

    /// <summary>Completes with the first snapshot that satisfies <paramref name="condition"/> (at once if the current one does).</summary>
    public Task<LaneSnapshot> WaitForAsync(Func<LaneSnapshot, bool> condition, CancellationToken cancellationToken)
    {
        var done = new TaskCompletionSource<LaneSnapshot>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_snapshotLock)
        {
            if (condition(_snapshot))
            {
                return Task.FromResult(_snapshot);
            }

            _waiters.Add((condition, done));
        }

        return done.Task.WaitAsync(cancellationToken);
    }

    /// <summary>A credential input (code, card, ticket or lost-ticket request) while a vehicle waits at the loop.</summary>
    protected abstract Task OnCredentialAsync(LaneInput credential, CancellationToken cancellationToken);

    /// <summary>Records the admitted vehicle's passage: <c>vehicle.entered</c> or <c>vehicle.exited</c>.</summary>
    protected abstract Task RecordPassageAsync(CancellationToken cancellationToken);

    /// <summary>True for an entry lane (tailgaters count in), false for an exit lane (they count out).</summary>
    protected abstract bool IsEntry { get; }

    protected static string NewId(string prefix) => prefix + Convert.ToHexString(RandomNumberGenerator.GetBytes(6));

    protected TrustedInterval Interval() => Context.Interval(Time.GetUtcNow());

    /// <summary>The clock for fees and ticket times: the system clock moved into the trusted interval.</summary>
    protected DateTimeOffset Now() => Interval().Clamp(Time.GetUtcNow());

    protected Task<LedgerEvent> AppendAsync<T>(string type, T payload, CancellationToken cancellationToken)
        where T : notnull => Ledger.AppendAsync(type, payload, cancellationToken);

    protected Task CheckedAsync(CredentialKind kind, string? credentialId, string status, bool accepted, string reason, CancellationToken cancellationToken) =>
        AppendAsync(EventTypes.LaneCredentialChecked, new LaneCredentialChecked(Gate.Id, CycleId!, kind, credentialId, status, accepted, reason), cancellationToken);

    /// <summary>Refuses the waiting vehicle: the refusal (reason code and display text) is recorded, then shown.</summary>
    protected async Task RefuseAsync(string reason, string detail, GateMessage message, CancellationToken cancellationToken, Money? fee = null, string? ticketId = null)
    {
        AwaitingPayment = null;
        await AppendAsync(EventTypes.LaneRefused, new LaneRefused(Gate.Id, CycleId!, reason, detail, fee, ticketId), cancellationToken);
        State = LaneState.Refused;
        LastDecision = reason;
        LastDetail = detail;
        FeeDue = fee;
        Log.LaneRefused(Logger, Gate.Id, reason, detail);
        await ShowAsync(message, cancellationToken);
    }

    /// <summary>
    /// Admits the waiting vehicle: <c>lane.admitted</c>, the display, <c>barrier.moved</c> (open), and
    /// only then the relay. The move's outcome comes back as an input.
    /// </summary>
    protected async Task AdmitAsync(LaneAdmitted admitted, GateMessage message, string barrierReason, CancellationToken cancellationToken)
    {
        await AppendAsync(EventTypes.LaneAdmitted, admitted, cancellationToken);
        TicketId = admitted.TicketId;
        VehicleType = admitted.VehicleType;
        Kind = admitted.Credential;
        CredentialId = admitted.CredentialId;
        Basis = admitted.Basis;
        Fee = admitted.Fee;
        TariffVersion = admitted.TariffVersion;
        UnusedAdmission = admitted.TicketId;
        AwaitingPayment = null;
        LastDecision = admitted.Basis;
        LastDetail = barrierReason;
        FeeDue = null;
        await AppendAsync(EventTypes.BarrierMoved, new BarrierMoved(Gate.Id, true, barrierReason), cancellationToken);
        State = LaneState.Open;
        CommandBarrier(open: true);
        await ShowAsync(message, cancellationToken);
    }

    /// <summary>Records a printer that stopped printing (once per fault, not per vehicle).</summary>
    protected async Task PrinterFaultAsync(string device, string fault, CancellationToken cancellationToken)
    {
        if (!_printerFaulted)
        {
            _printerFaulted = true;
            await AppendAsync(EventTypes.GateFault, new GateFault(Gate.Id, device, fault), cancellationToken);
            Log.PrinterFault(Logger, Gate.Id, fault);
        }
    }

    protected void PrinterWorks() => _printerFaulted = false;

    protected Task ShowAsync(GateMessage message, CancellationToken cancellationToken) =>
        Devices.Display.ShowAsync(message, cancellationToken);

    protected GateMessage IdleMessage() => Fault is null ? new GateMessage.Welcome(Lot.Name) : new GateMessage.Error("Lane closed");

    /// <summary>
    /// Power-on recovery. The lane row says which step was committed last; the sensors say where
    /// vehicles are now. The rules (each writes <c>lane.recovered</c> first, then ordinary events):
    /// <list type="bullet">
    /// <item><b>idle</b>: nothing, unless the arm is not down: then it is commanded closed (held
    /// open instead while something is in the passage).</item>
    /// <item><b>detected / checked / refused</b> (no admission): the cycle is abandoned
    /// (<c>lane.vehicle-withdrew</c>); a vehicle still on the loop starts a new cycle and is asked again.</item>
    /// <item><b>admitted</b> (barrier never commanded): the admission is voided (the printed ticket is
    /// void); a vehicle on the loop starts a new cycle.</item>
    /// <item><b>open</b> (barrier commanded, no passage seen): a vehicle on the loop or in the
    /// passage resumes the passage (barrier held open); otherwise the cycle is aborted (admission void) and the barrier closed.</item>
    /// <item><b>passing</b> (vehicle was in the passage): still in the passage → resumed; gone →
    /// completed (<c>vehicle.entered</c>/<c>exited</c> recorded), barrier closed.</item>
    /// <item><b>passed</b>: barrier closed once the passage is clear (held open while it is not).</item>
    /// </list>
    /// A fault recorded before the power cut keeps the lane out of service until a reset.
    /// </summary>
    protected async Task RecoverAsync(CancellationToken cancellationToken)
    {
        var row = await Ledger.GetLaneAsync(Gate.Id, cancellationToken);
        Fault = row?.Fault;
        Tailgates = row?.Tailgates ?? 0;
        var loop = Devices.Loop.IsActive;
        var passage = Devices.Passage.IsActive;
        var position = Devices.Barrier.Position;
        var previous = row?.State ?? "idle";
        if (row is not null && previous != "idle")
        {
            CycleId = row.CycleId;
            TicketId = row.TicketId;
            VehicleType = row.VehicleType;
            Kind = row.CredentialKind ?? CredentialKind.None;
            CredentialId = row.CredentialId;
            Basis = row.Basis;
            Fee = row.Fee;
            TariffVersion = row.TariffVersion;
        }

        var sensors = $"loop {(loop ? "occupied" : "clear")}, passage {(passage ? "occupied" : "clear")}, arm {position.ToString().ToLowerInvariant()}";
        switch (previous)
        {
            case "detected" or "checked" or "refused":
                await RecoveredAsync(previous, "cycleAbandoned", $"no admission was recorded; {sensors}", cancellationToken);
                await AppendAsync(EventTypes.LaneVehicleWithdrew, new LaneVehicleWithdrew(Gate.Id, CycleId!, null), cancellationToken);
                await CloseIfNotDownAsync(position, passage, cancellationToken);
                break;
            case "admitted":
                await RecoveredAsync(previous, "admissionVoided", $"the barrier was never commanded open; {sensors}", cancellationToken);
                await AppendAsync(EventTypes.LaneVehicleWithdrew, new LaneVehicleWithdrew(Gate.Id, CycleId!, TicketId), cancellationToken);
                await CloseIfNotDownAsync(position, passage, cancellationToken);
                break;
            case "open" when loop || passage:
                await RecoveredAsync(previous, "passageResumed", $"a vehicle is at the open barrier; {sensors}", cancellationToken);
                await HoldOpenAsync("power-on recovery: passage resumed", cancellationToken);
                State = LaneState.Open;
                UnusedAdmission = TicketId;
                if (passage)
                {
                    await AppendAsync(EventTypes.LaneVehiclePassing, new LaneVehiclePassing(Gate.Id, CycleId!, TicketId!), cancellationToken);
                    State = LaneState.Passing;
                }

                break;
            case "open":
                await RecoveredAsync(previous, "aborted", $"no vehicle at the barrier, and none was seen in the passage; {sensors}", cancellationToken);
                await AppendAsync(EventTypes.LaneVehicleWithdrew, new LaneVehicleWithdrew(Gate.Id, CycleId!, TicketId), cancellationToken);
                await CloseAsync("power-on recovery: cycle aborted", cancellationToken);
                break;
            case "passing" when passage:
                await RecoveredAsync(previous, "passageResumed", $"the vehicle is still in the passage; {sensors}", cancellationToken);
                await HoldOpenAsync("power-on recovery: passage resumed", cancellationToken);
                State = LaneState.Passing;
                break;
            case "passing":
                await RecoveredAsync(previous, "completed", $"the vehicle was in the passage and has gone; {sensors}", cancellationToken);
                await RecordPassageAsync(cancellationToken);
                await CloseAsync("power-on recovery: passage completed", cancellationToken);
                break;
            case "passed" when passage:
                await RecoveredAsync(previous, "heldOpen", $"something is in the passage; {sensors}", cancellationToken);
                await HoldOpenAsync("power-on recovery: passage occupied", cancellationToken);
                State = LaneState.Passed;
                break;
            case "passed":
                await RecoveredAsync(previous, "closed", $"the vehicle had passed; {sensors}", cancellationToken);
                await CloseAsync("power-on recovery: vehicle had passed", cancellationToken);
                break;
            default:
                if (position != BarrierPosition.Closed)
                {
                    await RecoveredAsync(previous, passage ? "heldOpen" : "closed", $"the arm was not down at power-on; {sensors}", cancellationToken);
                    await CloseIfNotDownAsync(position, passage, cancellationToken);
                }

                break;
        }

        if (State == LaneState.Idle)
        {
            await ShowAsync(IdleMessage(), cancellationToken);
            if (Devices.Loop.IsActive)
            {
                Post(new LoopChanged(true));
            }
        }
    }

    private async Task RecoveredAsync(string previous, string resolution, string detail, CancellationToken cancellationToken)
    {
        await AppendAsync(EventTypes.LaneRecovered, new LaneRecovered(Gate.Id, CycleId, previous, resolution, detail), cancellationToken);
        Log.LaneRecovered(Logger, Gate.Id, previous, resolution, detail);
    }

    private async Task CloseIfNotDownAsync(BarrierPosition position, bool passage, CancellationToken cancellationToken)
    {
        if (position == BarrierPosition.Closed)
        {
            State = LaneState.Idle;
        }
        else if (passage)
        {
            await HoldOpenAsync("power-on recovery: passage occupied", cancellationToken);
            State = LaneState.Passed;
        }
        else
        {
            await CloseAsync("power-on recovery: arm not down", cancellationToken);
        }
    }

    private async Task HoldOpenAsync(string reason, CancellationToken cancellationToken)
    {
        await AppendAsync(EventTypes.BarrierMoved, new BarrierMoved(Gate.Id, true, reason), cancellationToken);
        CommandBarrier(open: true);
    }

    private async Task CloseAsync(string reason, CancellationToken cancellationToken)
    {
        await AppendAsync(EventTypes.BarrierMoved, new BarrierMoved(Gate.Id, false, reason), cancellationToken);
        State = LaneState.Closing;
        UnusedAdmission = null;
        CommandBarrier(open: false);
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var input in _inputs.Reader.ReadAllAsync(cancellationToken))
            {
                try
                {
                    await HandleAsync(input, cancellationToken);
                }
                catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    // A failed step (ledger I/O, a driver throwing) must not kill the lane: the ledger
                    // holds what was committed, and the next input starts from there.
                    Log.LaneStepFailed(Logger, Gate.Id, input.GetType().Name, e);
                }

                Publish();
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    private async Task HandleAsync(LaneInput input, CancellationToken cancellationToken)
    {
        switch (input)
        {
            case LoopChanged { Active: true } when State == LaneState.Idle:
                await StartCycleAsync(cancellationToken);
                break;
            case LoopChanged { Active: false } when State is LaneState.AwaitingCredential or LaneState.Refused:
                await WithdrawAsync(closeBarrier: false, cancellationToken);
                break;
            case LoopChanged { Active: false } when State == LaneState.Open:
                // The rear of an entering vehicle leaves the loop after its front broke the beam; a
                // vehicle that reverses away never reaches the beam. Give it the grace to get there.
                var cycle = CycleId;
                _withdrawTimer?.Dispose();
                _withdrawTimer = Time.CreateTimer(_ => Post(new WithdrawTimerElapsed(cycle)), null, Context.Options.WithdrawGrace, Timeout.InfiniteTimeSpan);
                break;
            case WithdrawTimerElapsed timer when timer.CycleId == CycleId && State == LaneState.Open && !Devices.Loop.IsActive && !Devices.Passage.IsActive:
                await WithdrawAsync(closeBarrier: true, cancellationToken);
                break;
            case PassageChanged { Active: true } when State == LaneState.Open:
                await AppendAsync(EventTypes.LaneVehiclePassing, new LaneVehiclePassing(Gate.Id, CycleId!, TicketId!), cancellationToken);
                State = LaneState.Passing;
                break;
            case PassageChanged { Active: true } when State is LaneState.Passed or LaneState.Closing && CycleId is not null:
                // A second vehicle in the passage on the same opening: a tailgater.
                await AppendAsync(EventTypes.LaneTailgate, new LaneTailgate(Gate.Id, CycleId!, VehicleType ?? ParkingLot.Shared.Contracts.VehicleType.Car, IsEntry), cancellationToken);
                Tailgates++;
                Log.Tailgate(Logger, Gate.Id, CycleId!);
                break;
            case PassageChanged { Active: false } when State == LaneState.Passing:
                await RecordPassageAsync(cancellationToken);
                UnusedAdmission = null;
                _cycles++;
                await CloseAsync("vehicle passed", cancellationToken);
                break;
            case PassageChanged { Active: false } when State == LaneState.Passed:
                await CloseAsync("passage clear", cancellationToken);
                break;
            case CodeScanned or PermitPresented or TicketRequested or LostTicketDeclared when State is LaneState.AwaitingCredential or LaneState.Refused:
                if (Fault is not null)
                {
                    await RefuseOutOfServiceAsync(cancellationToken);
                }
                else
                {
                    await OnCredentialAsync(input, cancellationToken);
                }

                break;
            case CodeScanned or PermitPresented or TicketRequested or LostTicketDeclared when State == LaneState.Idle:
                // Presented as the vehicle rolls up: kept for the vehicle that reaches the loop next.
                _pending = (input, Time.GetTimestamp());
                break;
            case PaymentSeen payment when State == LaneState.Refused && AwaitingPayment is { } awaiting && awaiting.TicketId == payment.TicketId:
                await awaiting.Retry(cancellationToken);
                break;
            case BarrierDone done when done.Command == _barrierCommand:
                await BarrierDoneAsync(done, cancellationToken);
                break;
            case ResetRequested reset when Fault is not null:
                await AppendAsync(EventTypes.LaneReset, new LaneReset(Gate.Id, reset.Reason), cancellationToken);
                Fault = null;
                Log.LaneReset(Logger, Gate.Id, reset.Reason);
                if (State == LaneState.Refused && LastDecision == LaneDecisions.OutOfService)
                {
                    // The vehicle that was turned away may now be served: ask again.
                    await ShowAsync(new GateMessage.Welcome(Lot.Name), cancellationToken);
                    State = LaneState.AwaitingCredential;
                }
                else if (State == LaneState.Idle)
                {
                    await ShowAsync(IdleMessage(), cancellationToken);
                    if (Devices.Loop.IsActive)
                    {
                        await StartCycleAsync(cancellationToken);
                    }
                }

                break;
            default:
                break;
        }
    }

    private async Task StartCycleAsync(CancellationToken cancellationToken)
    {
        CycleId = NewId("C");
        TicketId = null;
        VehicleType = null;
        Kind = CredentialKind.None;
        CredentialId = null;
        Basis = null;
        Fee = null;
        TariffVersion = null;
        UnusedAdmission = null;
        AwaitingPayment = null;
        LastDecision = null;
        LastDetail = null;
        FeeDue = null;
        await AppendAsync(EventTypes.LaneVehicleDetected, new LaneVehicleDetected(Gate.Id, CycleId), cancellationToken);
        State = LaneState.AwaitingCredential;
        if (Fault is not null)
        {
            await RefuseOutOfServiceAsync(cancellationToken);
            return;
        }

        if (_pending is { } pending)
        {
            _pending = null;
            if (Time.GetElapsedTime(pending.At) <= Context.Options.PresentedBefore)
            {
                await OnCredentialAsync(pending.Input, cancellationToken);
            }
        }
    }

    private Task RefuseOutOfServiceAsync(CancellationToken cancellationToken) =>
        RefuseAsync(LaneDecisions.OutOfService, $"Lane out of service: {Fault}. Please use another lane or press Help.", new GateMessage.Error("Lane closed - use another lane"), cancellationToken);

    private async Task WithdrawAsync(bool closeBarrier, CancellationToken cancellationToken)
    {
        await AppendAsync(EventTypes.LaneVehicleWithdrew, new LaneVehicleWithdrew(Gate.Id, CycleId!, IsEntry ? UnusedAdmission : null), cancellationToken);
        AwaitingPayment = null;
        FeeDue = null;
        if (closeBarrier)
        {
            await CloseAsync("vehicle withdrew", cancellationToken);
        }
        else
        {
            State = LaneState.Idle;
            UnusedAdmission = null;
            await ShowAsync(IdleMessage(), cancellationToken);
        }
    }

    private async Task BarrierDoneAsync(BarrierDone done, CancellationToken cancellationToken)
    {
        if (done.Outcome.Reached)
        {
            if (!done.Open && State == LaneState.Closing)
            {
                State = LaneState.Idle;
                await ShowAsync(IdleMessage(), cancellationToken);
                if (Devices.Loop.IsActive)
                {
                    await StartCycleAsync(cancellationToken);
                }
            }

            return;
        }

        if (done.Command == _safeStateCommand)
        {
            // The arm that just failed did not come down either: already recorded, already out of service.
            return;
        }

        // The safe state: the arm commanded down (the relay released; the barrier's own safety loop
        // keeps it off a vehicle), the lane out of service until a technician resets it.
        var position = done.Outcome.Position.ToString().ToLowerInvariant();
        Fault = done.Outcome.Fault ?? $"{(done.Open ? "open" : "closed")} position not reached";
        await AppendAsync(EventTypes.BarrierFault, new BarrierFault(Gate.Id, CycleId, done.Open, position, Fault), cancellationToken);
        Log.BarrierFaulted(Logger, Gate.Id, Fault);
        if (done.Open)
        {
            CommandBarrier(open: false);
            _safeStateCommand = _barrierCommand;
        }

        switch (State)
        {
            case LaneState.Open:
                // The admitted vehicle cannot pass: tell its driver; the admission is void once it withdraws.
                await RefuseOutOfServiceAsync(cancellationToken);
                break;
            case LaneState.Closing:
                State = LaneState.Idle;
                await ShowAsync(IdleMessage(), cancellationToken);
                break;
            default:
                await ShowAsync(IdleMessage(), cancellationToken);
                break;
        }
    }

    private void CommandBarrier(bool open)
    {
        var command = ++_barrierCommand;
        var barrier = Devices.Barrier;
        var token = _stopping.Token;
        _ = Task.Run(
            async () =>
            {
                try
                {
                    var outcome = open ? await barrier.OpenAsync(token) : await barrier.CloseAsync(token);
                    Post(new BarrierDone(open, outcome, command));
                }
                catch (OperationCanceledException) when (token.IsCancellationRequested)
                {
                    // Stopping mid-move: recovery on the next start deals with the arm.
                }
                catch (Exception e)
                {
                    Post(new BarrierDone(open, new BarrierOutcome(BarrierResult.BarrierFault, BarrierPosition.Unknown, TimeSpan.Zero, e.Message), command));
                }
            },
            CancellationToken.None);
    }

    private void Post(LaneInput input) => _inputs.Writer.TryWrite(input);

    private void OnLoopChanged(object? sender, InputChangedEventArgs e) => Post(new LoopChanged(e.IsActive));

    private void OnPassageChanged(object? sender, InputChangedEventArgs e) => Post(new PassageChanged(e.IsActive));

    private void OnAppended(LedgerEvent e)
    {
        if (e.Type == EventTypes.PaymentRecorded && e.Payload.TryGetProperty("ticketId", out var ticket) && ticket.GetString() is { } ticketId)
        {
            Post(new PaymentSeen(ticketId));
        }
    }

    private async Task PumpCodesAsync(ICodeScanner scanner, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var code in scanner.ReadCodesAsync(cancellationToken))
            {
                PresentCode(code);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    private async Task PumpCardsAsync(IPermitReader reader, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var card in reader.ReadCardsAsync(cancellationToken))
            {
                PresentPermit(card);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    private void Publish()
    {
        var snapshot = new LaneSnapshot(Gate.Id, State, CycleId, TicketId, Fault, LastDecision, LastDetail, FeeDue, AwaitingPayment?.TicketId, Tailgates, _cycles);
        List<TaskCompletionSource<LaneSnapshot>> release = [];
        lock (_snapshotLock)
        {
            if (snapshot == _snapshot)
            {
                return;
            }

            _snapshot = snapshot;
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Condition(snapshot))
                {
                    release.Add(_waiters[i].Done);
                    _waiters.RemoveAt(i);
                }
            }
        }

        foreach (var done in release)
        {
            done.TrySetResult(snapshot);
        }

        Changed?.Invoke(snapshot);
    }
}

/// <summary>Everything a lane reacts to.</summary>
internal abstract record LaneInput;

internal sealed record LoopChanged(bool Active) : LaneInput;

internal sealed record PassageChanged(bool Active) : LaneInput;

internal sealed record CodeScanned(string Code) : LaneInput
{
    // A code is a credential: keep it out of logs and exception messages.
    public override string ToString() => "CodeScanned { Code = *** }";
}

internal sealed record PermitPresented(PermitCard Card) : LaneInput;

internal sealed record TicketRequested(VehicleType VehicleType) : LaneInput;

internal sealed record LostTicketDeclared(VehicleType VehicleType) : LaneInput;

internal sealed record PaymentSeen(string TicketId) : LaneInput;

internal sealed record BarrierDone(bool Open, BarrierOutcome Outcome, int Command) : LaneInput;

internal sealed record WithdrawTimerElapsed(string? CycleId) : LaneInput;

internal sealed record ResetRequested(string Reason) : LaneInput;
