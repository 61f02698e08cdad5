using System.Text.Json;
using ParkingLot.Edge.Ledger;
using ParkingLot.Edge.Lots;
using ParkingLot.Shared.Contracts;
using ParkingLot.Shared.Tariffs;

namespace ParkingLot.Edge.Control;

// The ledger and the cloud link as the technician reads them: events, verification, sync, tickets.
internal sealed partial class ControlService
{
    public async Task<EventsResponse> TailAsync(int count, CancellationToken cancellationToken)
    {
        count = Math.Clamp(count, 1, 10_000);
        var last = ledger.LastSeq;
        var events = await ledger.ReadAfterAsync(Math.Max(0, last - count), count, cancellationToken);
        return new EventsResponse([.. events.Select(View)], ledger.LastSeq, events.Count == 0 ? last : events[^1].Seq, true);
    }

    /// <summary>
    /// Events after <paramref name="after"/>, at most <paramref name="limit"/>, optionally only those that
    /// occurred in [<paramref name="from"/>, <paramref name="to"/>). Reads at most a few pages per call;
    /// <see cref="EventsResponse.NextAfter"/> and <see cref="EventsResponse.Done"/> page on.
    /// </summary>
    public async Task<EventsResponse> EventsAsync(long after, int limit, DateTimeOffset? from, DateTimeOffset? to, CancellationToken cancellationToken)
    {
        limit = Math.Clamp(limit, 1, 5_000);
        var matched = new List<EventView>();
        var cursor = Math.Max(0, after);
        for (var page = 0; page < 20 && matched.Count < limit; page++)
        {
            var events = await ledger.ReadAfterAsync(cursor, limit, cancellationToken);
            if (events.Count == 0)
            {
                return new EventsResponse(matched, ledger.LastSeq, cursor, true);
            }

            foreach (var e in events)
            {
                cursor = e.Seq;
                if (to is { } end && e.OccurredAt >= end)
                {
                    // occurred_at never runs backwards along seq within a run; a clock stepped back
                    // across a restart can still put an older time later, so this ends the export.
                    return new EventsResponse(matched, ledger.LastSeq, cursor, true);
                }

                if (from is null || e.OccurredAt >= from)
                {
                    matched.Add(View(e));
                    if (matched.Count == limit)
                    {
                        break;
                    }
                }
            }
        }

        return new EventsResponse(matched, ledger.LastSeq, cursor, cursor >= ledger.LastSeq);
    }

    public async Task<VerifyResponse> VerifyAsync(CancellationToken cancellationToken)
    {
        var result = await ledger.VerifyAsync(cancellationToken);
        string? badType = null;
        Guid? badId = null;
        if (result.FirstBadSeq is { } bad)
        {
            try
            {
                var rows = await ledger.ReadAfterAsync(bad - 1, 1, cancellationToken);
                if (rows.Count == 1 && rows[0].Seq == bad)
                {
                    badType = rows[0].Type;
                    badId = rows[0].Id;
                }
            }
            catch (Exception ex) when (ex is FormatException or JsonException or InvalidOperationException or ArgumentException)
            {
                // The row itself is unreadable (edited id or payload): the seq and the reason name it.
            }
        }

        return new VerifyResponse(result.IsValid, result.EventsChecked, ledger.LastSeq, ledger.AckedSeq, result.FirstBadSeq, badType, badId, result.Reason);
    }

    public SyncStatusResponse SyncStatus() => new(CloudLink(), ledger.Epoch, ledger.LotId);

    public SyncNowResponse SyncNow()
    {
        if (outbox is null)
        {
            return new SyncNowResponse(false, "sync is off (agent started with --offline or without a broker): nothing to send to", CloudLink());
        }

        outbox.RequestSend();
        var detail = outbox.IsConnected
            ? $"sending {ledger.LastSeq - ledger.AckedSeq} unacknowledged event(s) now"
            : "not connected: the outbox keeps reconnecting on its back-off and sends the backlog once connected";
        return new SyncNowResponse(true, detail, CloudLink());
    }

    public LeasesResponse Leases()
    {
        var capacity = Enum.GetValues<VehicleType>()
            .Select(t => (Type: t, Spots: lot.SpotsOf(t).Count()))
            .Where(x => x.Spots > 0)
            .Select(x => new CapacityView(LotFileLoader.VehicleTypeName(x.Type), x.Spots, x.Spots - lot.WalkInShare(x.Type), lot.WalkInShare(x.Type)))
            .ToList();
        return new LeasesResponse([], capacity, "lot file capacity split; no cloud leases have been received by this agent");
    }

    public async Task<(TicketView? Ticket, ControlRefusal? Refused)> FindTicketAsync(string? query, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(query))
        {
            return (null, new ControlRefusal(400, "give a ticket id (T…) or the code printed on the ticket"));
        }

        var ticketId = query.Trim();
        if (ticketId.StartsWith(TicketCodePrefix, StringComparison.Ordinal))
        {
            ticketId = await ledger.GetTicketIdByCodeAsync(ticketId, cancellationToken) ?? string.Empty;
            if (ticketId.Length == 0)
            {
                return (null, new ControlRefusal(404, "no ticket with that code in this lot's ledger (try the ticket id printed above the code)"));
            }
        }

        var session = await ledger.GetSessionAsync(ticketId, cancellationToken);
        if (session is null)
        {
            return (null, new ControlRefusal(404, $"no ticket '{ticketId}' in this lot's ledger"));
        }

        var now = time.GetUtcNow();
        var start = session.EnteredAt ?? session.IssuedAt;
        var feeSoFar = session.Status != SessionStatus.Closed && start is { } s
            ? TariffEngine.Quote(lot.Tariff, session.VehicleType, s, now).Total
            : (ParkingLot.Shared.Money?)null;
        var payments = (await ledger.GetPaymentsAsync(cancellationToken))
            .Where(p => p.TicketId == session.TicketId)
            .Select(p => new PaymentView(p.PaymentId, p.Amount, WireNames.Of(p.Method), p.RecordedAt, p.Seq))
            .ToList();
        return (new TicketView(
            session.TicketId,
            LotFileLoader.VehicleTypeName(session.VehicleType),
            Name(session.Status),
            session.EntryGate,
            session.IssuedAt,
            session.EnteredAt,
            session.ExitedAt,
            feeSoFar,
            session.TariffVersion ?? lot.Tariff.Version,
            session.Fee,
            payments), null);
    }

    private CloudLink CloudLink()
    {
        var last = ledger.LastSeq;
        var acked = ledger.AckedSeq;
        if (outbox is null)
        {
            return new CloudLink(false, false, null, last, acked, last - acked, null, null, null);
        }

        var error = outbox.LastError;
        return new CloudLink(true, outbox.IsConnected, outbox.Broker, last, acked, last - acked, outbox.LastAckAt, error?.Message, error?.At);
    }

    private static EventView View(LedgerEvent e) =>
        new(e.Seq, e.Id, e.Type, e.OccurredAt, WireNames.Of(e.TimeQuality), e.Payload, e.PrevHash, e.Hash);
}
