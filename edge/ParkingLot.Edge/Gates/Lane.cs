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
internal abstract partial class Lane : IAsyncDisposable
{
    private readonly Channel<LaneInput> _inputs = Channel.CreateUnbounded<LaneInput>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _pumps = [];
    private readonly Lock _snapshotLock = new();
    private readonly List<(Func<LaneSnapshot, bool> Condition, TaskCompletionSource<LaneSnapshot> Done)> _waiters = [];
    private ITimer? _withdrawTimer;
    private Task? _loop;
    private int _unhandled;
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

    /// <summary>True when every input posted so far has been handled (a test clock may then jump to its next timer).</summary>
    public bool IsQuiet => Volatile.Read(ref _unhandled) == 0;

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
        if (Devices.PassedLoop is { } passedLoop)
        {
            passedLoop.Changed += OnPassedLoopChanged;
        }

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
        if (Devices.PassedLoop is { } passedLoop)
        {
            passedLoop.Changed -= OnPassedLoopChanged;
        }

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
        _holdTimer?.Dispose();
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

    protected Task ShowAsync(GateMessage message, CancellationToken cancellationToken) =>
        Devices.Display.ShowAsync(message, cancellationToken);

    protected GateMessage IdleMessage() => Fault is null ? new GateMessage.Welcome(Lot.Name) : new GateMessage.Error("Lane closed");

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
                Interlocked.Decrement(ref _unhandled);
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
            case WithdrawTimerElapsed timer when timer.CycleId == CycleId && State == LaneState.Open && !Devices.Loop.IsActive && !PassageOccupied:
                await WithdrawAsync(closeBarrier: true, cancellationToken);
                break;
            case PassageChanged { Active: true } when State == LaneState.Open:
                await AppendAsync(EventTypes.LaneVehiclePassing, new LaneVehiclePassing(Gate.Id, CycleId!, TicketId!), cancellationToken);
                State = LaneState.Passing;
                break;
            case PassageChanged { Active: false } when State == LaneState.Passing:
                await RecordPassageAsync(cancellationToken);
                UnusedAdmission = null;
                _cycles++;
                CloseWhenClear();
                break;
            case PassageChanged passage:
                await PassageSensorChangedAsync(passage.Active, "beam", cancellationToken);
                break;
            case PassedLoopChanged passedLoop:
                await PassageSensorChangedAsync(passedLoop.Active, "loopB", cancellationToken);
                break;
            case ClearHoldElapsed elapsed:
                await ClearHoldElapsedAsync(elapsed, cancellationToken);
                break;
            case ManualGateRequested manual:
                await ManualGateAsync(manual, cancellationToken);
                break;
            case SelfTestRequested selfTest:
                await SelfTestCycleAsync(selfTest, cancellationToken);
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
            case BarrierDone done:
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

    private void Post(LaneInput input)
    {
        Interlocked.Increment(ref _unhandled);
        if (!_inputs.Writer.TryWrite(input))
        {
            Interlocked.Decrement(ref _unhandled);
        }
    }

    private void OnLoopChanged(object? sender, InputChangedEventArgs e) => Post(new LoopChanged(e.IsActive));

    private void OnPassageChanged(object? sender, InputChangedEventArgs e) => Post(new PassageChanged(e.IsActive));

    private void OnPassedLoopChanged(object? sender, InputChangedEventArgs e) => Post(new PassedLoopChanged(e.IsActive));

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
