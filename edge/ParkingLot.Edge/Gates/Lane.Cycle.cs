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

// A vehicle's cycle: it starts on the loop, the lane decides (credential checked, refused or
// admitted: each recorded before it is shown or acted on), and it ends when the vehicle withdraws.
internal abstract partial class Lane
{
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
    /// only then the relay. The move's outcome comes back as an input. Under the lot's admission lock
    /// the ledger is asked once more whether this credential or stay is already inside, admitted at
    /// another lane, or gone (anti-passback, used ticket), so two lanes deciding on one pass or
    /// ticket at the same instant admit it once; the other is refused.
    /// </summary>
    protected async Task AdmitAsync(LaneAdmitted admitted, GateMessage message, string barrierReason, CancellationToken cancellationToken)
    {
        await Context.AdmissionLock.WaitAsync(cancellationToken);
        try
        {
            if (await Ledger.GetAdmissionConflictAsync(Gate.Id, IsEntry, admitted.Credential, admitted.CredentialId, admitted.TicketId, cancellationToken) is { } conflict)
            {
                var (reason, detail) = conflict switch
                {
                    "inside" or "entering" => (LaneDecisions.AntiPassback, "Already used to enter: exit first."),
                    _ => (LaneDecisions.NotInside, "Ticket already used to exit: press Help."),
                };
                await RefuseAsync(reason, detail, new GateMessage.PassRefused(IsEntry ? "Already inside" : "Already used"), cancellationToken);
                return;
            }

            await AdmitHoldingLockAsync(admitted, message, barrierReason, cancellationToken);
        }
        finally
        {
            Context.AdmissionLock.Release();
        }
    }

    /// <summary><see cref="AdmitAsync"/> for a caller that holds the admission lock already and has done its own check (a walk-in's new ticket).</summary>
    protected async Task AdmitHoldingLockAsync(LaneAdmitted admitted, GateMessage message, string barrierReason, CancellationToken cancellationToken)
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
}
