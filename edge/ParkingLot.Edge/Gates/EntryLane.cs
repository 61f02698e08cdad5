using ParkingLot.Edge.Hardware.Display;
using ParkingLot.Edge.Hardware.Nfc;
using ParkingLot.Edge.Hardware.Printing;
using ParkingLot.Edge.Ledger;
using ParkingLot.Edge.Lots;
using ParkingLot.Shared.Contracts;
using ParkingLot.Shared.Credentials;

namespace ParkingLot.Edge.Gates;

/// <summary>
/// The entry lane: vehicle at the loop → credential (a reservation pass code, a permit card or code,
/// or a press of the ticket button) → admit or refuse with the reason on the display → ticket (walk-ins)
/// → barrier → vehicle passed → close.
/// <list type="bullet">
/// <item>Walk-ins are admitted while walk-in occupancy (walk-ins and tailgaters inside by gate count,
/// plus walk-ins admitted at a lane and not through yet) is below the walk-in share of their type
/// (I2); the check and the admission hold the lot's admission lock, so two lanes cannot both take
/// the last space. Pass and permit holders are admitted whatever the walk-in count: the cloud sells
/// only inside its reservable share.</item>
/// <item>Passes are verified offline (I3), leniently on time (a window that may intersect the trusted
/// interval, DESIGN §5). Passes and permits inside cannot enter again until they exit (anti-passback).</item>
/// <item><b>Paper out</b> (or any printer fault): a <c>gate.fault</c> is recorded once, and walk-ins are
/// refused ("press Help or book in the app"); pass and permit holders still enter. Entry does not
/// go on ticketless: a driver with no ticket and no plate on record has nothing to show at the exit
/// but the lost-ticket flow, which would charge an honest driver the lost-ticket fee; an attendant
/// (Help) or a pass booked in the app admits them with a record instead.</item>
/// </list>
/// </summary>
internal sealed class EntryLane(
    GateDefinition gate,
    LaneDevices devices,
    LaneContext context,
    LedgerStore ledger,
    TimeProvider time,
    ILogger<EntryLane> logger) : Lane(gate, devices, context, ledger, time, logger)
{
    private const string NoTicketsText = "No tickets: press Help or book in the app";

    protected override bool IsEntry => true;

    protected override Task OnCredentialAsync(LaneInput credential, CancellationToken cancellationToken) => credential switch
    {
        TicketRequested request => WalkInAsync(request.VehicleType, cancellationToken),
        CodeScanned scanned => CodeAsync(scanned.Code, cancellationToken),
        PermitPresented presented => PermitCardAsync(presented.Card, cancellationToken),
        _ => Task.CompletedTask,
    };

    protected override Task RecordPassageAsync(CancellationToken cancellationToken) =>
        AppendAsync(
            EventTypes.VehicleEntered,
            new VehicleEntered(Gate.Id, TicketId!, VehicleType ?? ParkingLot.Shared.Contracts.VehicleType.Car, Kind, Kind == CredentialKind.Pass ? CredentialId : null),
            cancellationToken);

    private async Task WalkInAsync(VehicleType vehicleType, CancellationToken cancellationToken)
    {
        await CheckedAsync(CredentialKind.None, null, "request", true, "Ticket requested.", cancellationToken);
        var typeName = LotFileLoader.VehicleTypeName(vehicleType);
        var share = Lot.WalkInShare(vehicleType);
        if (share == 0)
        {
            await RefuseAsync(LaneDecisions.ReservedOnly, $"No walk-in spaces for {typeName}: passes only.", new GateMessage.ReservedOnly(), cancellationToken);
            return;
        }

        if (Devices.Printer is not { } printer)
        {
            await RefuseAsync(LaneDecisions.NoTickets, NoTicketsText, new GateMessage.Error(NoTicketsText), cancellationToken);
            return;
        }

        await Context.AdmissionLock.WaitAsync(cancellationToken);
        try
        {
            var inside = await Ledger.GetWalkInOccupancyAsync(vehicleType, cancellationToken);
            if (inside >= share)
            {
                await RefuseAsync(LaneDecisions.LotFull, $"Full for walk-in {typeName} ({inside}/{share}).", new GateMessage.LotFull(), cancellationToken);
                return;
            }

            var ticketId = NewId("T");
            var issuedAt = Now();
            var code = Context.Signer.Sign(ticketId, vehicleType, issuedAt);
            var printed = await printer.PrintAsync(TicketJob(ticketId, vehicleType, issuedAt, code), cancellationToken);
            if (!printed.Printed)
            {
                var health = printer.GetHealth();
                await PrinterFaultAsync(health.DeviceId, $"{printed.Status}: {health.Detail}", cancellationToken);
                await RefuseAsync(LaneDecisions.NoTickets, NoTicketsText, new GateMessage.Error(NoTicketsText), cancellationToken);
                return;
            }

            PrinterWorks();
            await AppendAsync(EventTypes.TicketIssued, new TicketIssued(ticketId, Gate.Id, vehicleType, issuedAt, code), cancellationToken);
            await AdmitHoldingLockAsync(
                new LaneAdmitted(Gate.Id, CycleId!, ticketId, vehicleType, CredentialKind.Ticket, ticketId, LaneDecisions.WalkIn),
                new GateMessage.TakeTicket(),
                $"ticket {ticketId} issued",
                cancellationToken);
            Log.TicketIssued(Logger, ticketId, Gate.Id, vehicleType);
        }
        finally
        {
            Context.AdmissionLock.Release();
        }
    }

    private async Task CodeAsync(string code, CancellationToken cancellationToken)
    {
        var check = Context.Keys.Verify(code, Lot.LotId, Interval());
        var credential = check.Credential;
        var kind = credential?.Kind ?? CredentialKind.None;
        if (!check.IsValid || credential is null)
        {
            await CheckedAsync(kind, credential?.Id, LedgerText.Name(check.Status), false, check.Reason, cancellationToken);
            await RefuseAsync(LaneDecisions.InvalidCredential, check.Reason, new GateMessage.PassRefused(check.Reason), cancellationToken);
            return;
        }

        switch (kind)
        {
            case CredentialKind.Pass:
                await CheckedAsync(kind, credential.Id, LedgerText.Name(check.Status), true, check.Reason, cancellationToken);
                if (await Ledger.GetInsideTicketAsync(CredentialKind.Pass, credential.Id, cancellationToken) is not null)
                {
                    await RefuseAsync(LaneDecisions.AntiPassback, "Pass already used to enter: exit first.", new GateMessage.PassRefused("Already inside"), cancellationToken);
                    return;
                }

                await AdmitAsync(
                    new LaneAdmitted(Gate.Id, CycleId!, NewId("V"), credential.VehicleType, CredentialKind.Pass, credential.Id, LaneDecisions.Pass),
                    new GateMessage.Welcome(Lot.Name),
                    $"pass {credential.Id}",
                    cancellationToken);
                break;
            case CredentialKind.Permit:
                await PermitAsync(credential.Id, credential.VehicleType, credential.ValidFrom, credential.ValidTo, cancellationToken);
                break;
            default:
                const string ticketHere = "Paper tickets are for the exit.";
                await CheckedAsync(kind, credential.Id, LedgerText.Name(check.Status), false, ticketHere, cancellationToken);
                await RefuseAsync(LaneDecisions.InvalidCredential, ticketHere, new GateMessage.PassRefused(ticketHere), cancellationToken);
                break;
        }
    }

    private async Task PermitCardAsync(PermitCard card, CancellationToken cancellationToken)
    {
        if (card.PermitId is not { } permitId || Context.Permits.Find(permitId) is not { } permit)
        {
            const string unknown = "Card is not a permit of this lot.";
            await CheckedAsync(CredentialKind.Permit, card.PermitId, "unknownPermit", false, unknown, cancellationToken);
            await RefuseAsync(LaneDecisions.InvalidCredential, unknown, new GateMessage.PassRefused(unknown), cancellationToken);
            return;
        }

        await PermitAsync(permit.PermitId, permit.VehicleType, permit.ValidFrom, permit.ValidUntil, cancellationToken);
    }

    private async Task PermitAsync(string permitId, VehicleType vehicleType, DateTimeOffset? validFrom, DateTimeOffset? validUntil, CancellationToken cancellationToken)
    {
        var interval = Interval();
        if (!interval.MayIntersect(validFrom ?? DateTimeOffset.MinValue, validUntil))
        {
            var expired = validUntil is { } until && until <= interval.Lo;
            var reason = expired
                ? $"Permit expired at {validUntil!.Value.ToUniversalTime():yyyy-MM-dd HH:mm} UTC."
                : $"Permit is valid from {validFrom?.ToUniversalTime():yyyy-MM-dd HH:mm} UTC.";
            await CheckedAsync(CredentialKind.Permit, permitId, expired ? "expired" : "notYetValid", false, reason, cancellationToken);
            await RefuseAsync(LaneDecisions.InvalidCredential, reason, new GateMessage.PassRefused(reason), cancellationToken);
            return;
        }

        await CheckedAsync(CredentialKind.Permit, permitId, "valid", true, "Permit is valid.", cancellationToken);
        if (await Ledger.GetInsideTicketAsync(CredentialKind.Permit, permitId, cancellationToken) is not null)
        {
            await RefuseAsync(LaneDecisions.AntiPassback, "Permit already inside: exit first.", new GateMessage.PassRefused("Permit already inside"), cancellationToken);
            return;
        }

        await AdmitAsync(
            new LaneAdmitted(Gate.Id, CycleId!, NewId("V"), vehicleType, CredentialKind.Permit, permitId, LaneDecisions.Permit),
            new GateMessage.Welcome(Lot.Name),
            $"permit {permitId}",
            cancellationToken);
    }

    private TicketPrintJob TicketJob(string ticketId, VehicleType vehicleType, DateTimeOffset issuedAt, string code)
    {
        var local = TimeZoneInfo.ConvertTime(issuedAt, TimeZoneInfo.FindSystemTimeZoneById(Lot.TimeZone));
        return new TicketPrintJob(
            Lot.Name,
            [$"Entry {Gate.Name}", $"{local:yyyy-MM-dd HH:mm}", $"Ticket {ticketId}", $"Vehicle: {LotFileLoader.VehicleTypeName(vehicleType)}"],
            code,
            ["Pay at the kiosk or in the app", "before returning to your vehicle"]);
    }
}
