using ParkingLot.Edge.Hardware.Display;
using ParkingLot.Edge.Hardware.Nfc;
using ParkingLot.Edge.Ledger;
using ParkingLot.Edge.Lots;
using ParkingLot.Edge.Payments;
using ParkingLot.Shared;
using ParkingLot.Shared.Contracts;
using ParkingLot.Shared.Credentials;
using ParkingLot.Shared.Tariffs;

namespace ParkingLot.Edge.Gates;

/// <summary>
/// The exit lane: vehicle at the loop → ticket, pass or permit (scanned code or card), or a lost-ticket
/// declaration → fee by the shared tariff engine (entry time from the ledger session, demand band from
/// the sensors' occupancy; I6) → open when the stay is free, paid and within the exit grace
/// (<see cref="ExitPricing"/>), prepaid by a pass, or a permit's; otherwise refuse with the fee on the
/// display → barrier → vehicle passed → close.
/// <para>
/// A refused vehicle waits on the loop: when a payment for its ticket is recorded in the ledger
/// (kiosk, app, the exit's card terminal) the lane prices again and opens. A lost ticket is priced by
/// <see cref="TariffEngine.LostTicket"/> under a replacement ticket id that the payment is recorded
/// against; the stay it belonged to stays open in the sessions table (it cannot be told which), but
/// the gate count goes down, so walk-in occupancy stays right.
/// </para>
/// </summary>
internal sealed class ExitLane(
    GateDefinition gate,
    LaneDevices devices,
    LaneContext context,
    LedgerStore ledger,
    TimeProvider time,
    ILogger<ExitLane> logger) : Lane(gate, devices, context, ledger, time, logger)
{
    protected override bool IsEntry => false;

    protected override Task OnCredentialAsync(LaneInput credential, CancellationToken cancellationToken) => credential switch
    {
        CodeScanned scanned => CodeAsync(scanned.Code, cancellationToken),
        PermitPresented presented => PermitAsync(presented.Card.PermitId, cancellationToken),
        LostTicketDeclared lost => LostTicketAsync(lost.VehicleType, NewId("L"), cancellationToken),
        _ => Task.CompletedTask,
    };

    protected override Task RecordPassageAsync(CancellationToken cancellationToken) =>
        AppendAsync(
            EventTypes.VehicleExited,
            new VehicleExited(Gate.Id, TicketId!, VehicleType ?? ParkingLot.Shared.Contracts.VehicleType.Car, Fee, TariffVersion),
            cancellationToken);

    private async Task CodeAsync(string code, CancellationToken cancellationToken)
    {
        var check = Context.Keys.Verify(code, Lot.LotId, Interval());
        var credential = check.Credential;
        var overstayedPass = check.Status == CredentialStatus.Expired && credential?.Kind == CredentialKind.Pass;
        if ((!check.IsValid && !overstayedPass) || credential is null)
        {
            await CheckedAsync(credential?.Kind ?? CredentialKind.None, credential?.Id, LedgerText.Name(check.Status), false, check.Reason, cancellationToken);
            await RefuseAsync(LaneDecisions.InvalidCredential, check.Reason, new GateMessage.PassRefused(check.Reason), cancellationToken);
            return;
        }

        switch (credential.Kind)
        {
            case CredentialKind.Ticket:
                await TicketAsync(credential.Id, cancellationToken);
                break;
            case CredentialKind.Pass:
                await PassAsync(credential, check, cancellationToken);
                break;
            default:
                await PermitAsync(credential.Id, cancellationToken);
                break;
        }
    }

    private async Task TicketAsync(string ticketId, CancellationToken cancellationToken)
    {
        var session = await Ledger.GetSessionAsync(ticketId, cancellationToken);
        var problem = session?.Status switch
        {
            null => "Unknown ticket: press Help.",
            SessionStatus.Closed => "Ticket already used to exit.",
            SessionStatus.Open => null,
            _ => "Ticket was not used to enter: press Help.",
        };
        await CheckedAsync(CredentialKind.Ticket, ticketId, "valid", problem is null, problem ?? "Ticket is valid.", cancellationToken);
        if (problem is not null)
        {
            await RefuseAsync(LaneDecisions.NotInside, problem, new GateMessage.PassRefused(problem), cancellationToken);
            return;
        }

        await PriceTicketAsync(session!, cancellationToken);
    }

    private async Task PriceTicketAsync(SessionState session, CancellationToken cancellationToken)
    {
        var entry = session.EnteredAt ?? session.IssuedAt ?? Now();
        var price = await TicketPricing.PriceAsync(Ledger, Lot, session.TicketId, session.VehicleType, entry, Now(), cancellationToken);
        await SettleAsync(session.TicketId, session.VehicleType, CredentialKind.Ticket, session.TicketId, price, null, ct => PriceTicketAsync(session, ct), cancellationToken);
    }

    private async Task PassAsync(Credential pass, CredentialCheck check, CancellationToken cancellationToken)
    {
        var ticketId = await Ledger.GetInsideTicketAsync(CredentialKind.Pass, pass.Id, cancellationToken);
        var problem = ticketId is null ? "Pass has no entry: press Help." : null;
        await CheckedAsync(CredentialKind.Pass, pass.Id, LedgerText.Name(check.Status), problem is null, problem ?? check.Reason, cancellationToken);
        if (problem is not null)
        {
            await RefuseAsync(LaneDecisions.NotInside, problem, new GateMessage.PassRefused(problem), cancellationToken);
            return;
        }

        await PricePassAsync(pass, ticketId!, check.IsValid ? null : check.Reason, cancellationToken);
    }

    /// <summary>Inside its window a pass is prepaid; after it, the overstay from the window's end is priced like a ticket.</summary>
    private async Task PricePassAsync(Credential pass, string ticketId, string? expired, CancellationToken cancellationToken)
    {
        if (expired is null || pass.ValidTo is not { } end)
        {
            await AdmitAsync(
                new LaneAdmitted(Gate.Id, CycleId!, ticketId, pass.VehicleType, CredentialKind.Pass, pass.Id, LaneDecisions.Prepaid, Money.Zero(Lot.Currency), Lot.Tariff.Version),
                new GateMessage.Paid(),
                $"pass {pass.Id} prepaid",
                cancellationToken);
            return;
        }

        var price = await TicketPricing.PriceAsync(Ledger, Lot, ticketId, pass.VehicleType, end, Now(), cancellationToken);
        await SettleAsync(ticketId, pass.VehicleType, CredentialKind.Pass, pass.Id, price, expired, ct => PricePassAsync(pass, ticketId, expired, ct), cancellationToken);
    }

    private async Task PermitAsync(string? permitId, CancellationToken cancellationToken)
    {
        var permit = permitId is null ? null : Context.Permits.Find(permitId);
        var ticketId = permit is null ? null : await Ledger.GetInsideTicketAsync(CredentialKind.Permit, permit.PermitId, cancellationToken);
        var problem = permit is null ? "Card is not a permit of this lot." : ticketId is null ? "Permit has no entry: press Help." : null;
        await CheckedAsync(CredentialKind.Permit, permitId, permit is null ? "unknownPermit" : "valid", problem is null, problem ?? "Permit is valid.", cancellationToken);
        if (problem is not null)
        {
            await RefuseAsync(permit is null ? LaneDecisions.InvalidCredential : LaneDecisions.NotInside, problem, new GateMessage.PassRefused(problem), cancellationToken);
            return;
        }

        await AdmitAsync(
            new LaneAdmitted(Gate.Id, CycleId!, ticketId!, permit!.VehicleType, CredentialKind.Permit, permit.PermitId, LaneDecisions.Permit, Money.Zero(Lot.Currency), Lot.Tariff.Version),
            new GateMessage.Paid(),
            $"permit {permit.PermitId}",
            cancellationToken);
    }

    private async Task LostTicketAsync(VehicleType vehicleType, string replacementId, CancellationToken cancellationToken)
    {
        if (!Lot.Tariff.VehicleTypes.ContainsKey(vehicleType))
        {
            var unpriced = $"No tariff for {LotFileLoader.VehicleTypeName(vehicleType)}: press Help.";
            await CheckedAsync(CredentialKind.Ticket, replacementId, "request", false, unpriced, cancellationToken);
            await RefuseAsync(LaneDecisions.InvalidCredential, unpriced, new GateMessage.PassRefused(unpriced), cancellationToken);
            return;
        }

        if (AwaitingPayment?.TicketId != replacementId)
        {
            await CheckedAsync(CredentialKind.Ticket, replacementId, "request", true, "Lost ticket declared.", cancellationToken);
        }

        var quote = TariffEngine.LostTicket(Lot.Tariff, vehicleType, null, Now(), await TicketPricing.OccupancyAsync(Ledger, Lot, cancellationToken));
        var paid = (await Ledger.GetTicketPaymentsAsync(replacementId, cancellationToken)).Aggregate(Money.Zero(Lot.Tariff.Currency), (sum, p) => sum + p.Amount);
        var outstanding = Math.Max(0, quote.Total.Minor - paid.Minor);
        var price = new TicketPrice(outstanding == 0 ? LaneDecisions.LostTicketPaid : LaneDecisions.FeeDue, quote, paid, new Money(outstanding, Lot.Tariff.Currency));
        await SettleAsync(replacementId, vehicleType, CredentialKind.Ticket, replacementId, price, "Lost ticket.", ct => LostTicketAsync(vehicleType, replacementId, ct), cancellationToken);
    }

    /// <summary>Opens when nothing is outstanding; otherwise refuses with the fee and waits for a payment against <paramref name="ticketId"/>.</summary>
    private async Task SettleAsync(
        string ticketId,
        VehicleType vehicleType,
        CredentialKind kind,
        string credentialId,
        TicketPrice price,
        string? why,
        Func<CancellationToken, Task> retry,
        CancellationToken cancellationToken)
    {
        if (price.MayLeave)
        {
            var basis = price.Basis == LaneDecisions.FeeDue ? LaneDecisions.Paid : price.Basis;
            await AdmitAsync(
                new LaneAdmitted(Gate.Id, CycleId!, ticketId, vehicleType, kind, credentialId, basis, price.Paid, price.Quote.TariffVersion),
                new GateMessage.Paid(),
                $"{basis}: {price.Paid}",
                cancellationToken);
            Log.VehicleLeft(Logger, ticketId, Gate.Id, price.Paid.ToString());
            return;
        }

        var detail = (why is null ? "" : why + " ") + $"Fee to pay: {price.Outstanding}. Pay at the kiosk or in the app.";
        await RefuseAsync(LaneDecisions.FeeDue, detail, new GateMessage.Fee(price.Outstanding), cancellationToken, price.Outstanding, ticketId);
        AwaitingPayment = (ticketId, retry);
    }
}
