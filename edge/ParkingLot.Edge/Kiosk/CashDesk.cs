using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using System.Security.Cryptography;
using ParkingLot.Edge.Hardware.Payment;
using ParkingLot.Edge.Payments;
using ParkingLot.Shared;
using ParkingLot.Shared.Contracts;

namespace ParkingLot.Edge.Kiosk;

/// <summary>
/// Cash at the kiosk: one payment at a time on the one coin acceptor. The acceptor reports each burst
/// of pulses as a credit (<see cref="PulseAcceptor"/>); credits go to the payment under way, and when
/// they cover what is due the whole amount inserted is recorded as one cash payment. The kiosk has no
/// change dispenser, so an overpayment is kept and recorded as paid (the receipt says so), and a
/// payment cancelled after coins went in records those coins as a part payment: the ledger holds
/// what is in the cash box.
/// </summary>
internal sealed class CashDesk : IHostedService, IDisposable
{
    private readonly object _gate = new();
    private readonly PulseAcceptor? _acceptor;
    private readonly KioskService _kiosk;
    private readonly PaymentRecorder _payments;
    private readonly ReceiptPrinter _receipts;
    private readonly TimeProvider _time;
    private readonly ILogger<CashDesk> _logger;
    private readonly Dictionary<string, CashSession> _sessions = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private CashSession? _active;
    private Money? _counting;
    private Task? _loop;

    public CashDesk(PulseAcceptor? acceptor, KioskService kiosk, PaymentRecorder payments, ReceiptPrinter receipts, TimeProvider time, ILogger<CashDesk> logger)
    {
        _acceptor = acceptor;
        _kiosk = kiosk;
        _payments = payments;
        _receipts = receipts;
        _time = time;
        _logger = logger;
        if (acceptor is not null)
        {
            acceptor.PulseCounted += OnPulse;
        }
    }

    public bool Available => _acceptor is not null;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (_acceptor is not null)
        {
            _loop = Task.Run(() => CollectAsync(_acceptor, _stopping.Token), CancellationToken.None);
        }

        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        if (_loop is not null)
        {
            await _loop.WaitAsync(cancellationToken);
        }
    }

    /// <summary>Starts taking cash for the ticket of <paramref name="code"/>; the same ticket's payment under way is returned as it is.</summary>
    public async Task<(CashSessionView? Session, KioskProblem? Problem)> StartAsync(string? code, CancellationToken cancellationToken)
    {
        if (_acceptor is null)
        {
            return (null, new KioskProblem(StatusCodes.Status503ServiceUnavailable, "No cash", "This kiosk takes no cash. Please pay by card."));
        }

        var (found, problem) = await _kiosk.LookupAsync(code, cancellationToken);
        if (found is null)
        {
            return (null, problem);
        }

        using (await _payments.LockAsync(cancellationToken))
        {
            lock (_gate)
            {
                if (_active is { } active)
                {
                    return string.Equals(active.TicketId, found.Session.TicketId, StringComparison.Ordinal)
                        ? (View(active), null)
                        : (null, new KioskProblem(StatusCodes.Status409Conflict, "Kiosk busy", "Another cash payment is under way at this kiosk. Finish or cancel it first."));
                }
            }

            var price = await _payments.PriceAsync(found.Session, cancellationToken);
            if (KioskService.NotPayable(found.Session, price) is { } refusal)
            {
                return (null, refusal);
            }

            var session = new CashSession(NewId(), found.Session.TicketId, price.Outstanding, price);
            lock (_gate)
            {
                _sessions[session.Id] = session;
                _active = session;
                _counting = null;
            }

            Log.KioskCashStarted(_logger, session.Id, session.TicketId, price.Outstanding.ToString());
            return (View(session), null);
        }
    }

    public CashSessionView? Get(string sessionId)
    {
        lock (_gate)
        {
            return _sessions.TryGetValue(sessionId, out var session) ? View(session) : null;
        }
    }

    /// <summary>Ends a payment under way; coins already inserted are recorded as a part payment (no refund hardware).</summary>
    public async Task<CashSessionView?> CancelAsync(string sessionId, CancellationToken cancellationToken)
    {
        CashSession? session;
        lock (_gate)
        {
            if (!_sessions.TryGetValue(sessionId, out session))
            {
                return null;
            }

            if (session.State != CashState.Waiting)
            {
                return View(session);
            }

            session.State = CashState.Cancelled;
            if (ReferenceEquals(_active, session))
            {
                _active = null;
            }
        }

        if (session.Inserted.Minor > 0)
        {
            await RecordAsync(session, partPayment: true, CancellationToken.None);
        }

        lock (_gate)
        {
            return View(session);
        }
    }

    public void Dispose()
    {
        if (_acceptor is not null)
        {
            _acceptor.PulseCounted -= OnPulse;
        }

        _stopping.Dispose();
    }

    private async Task CollectAsync(PulseAcceptor acceptor, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var credit in acceptor.PaymentsAsync(cancellationToken))
            {
                await CreditAsync(credit);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }
        catch (Exception ex)
        {
            Log.KioskCashLoopFailed(_logger, ex);
        }
    }

    private async Task CreditAsync(Money credit)
    {
        CashSession? covered = null;
        lock (_gate)
        {
            _counting = null;
            if (_active is not { } session)
            {
                Log.KioskUnassignedCash(_logger, credit.ToString());
                return;
            }

            session.Inserted += credit;
            if (session.Inserted.Minor >= session.Due.Minor)
            {
                session.State = CashState.Recording;
                _active = null;
                covered = session;
            }
        }

        if (covered is not null)
        {
            await RecordAsync(covered, partPayment: false, CancellationToken.None);
        }
    }

    private async Task RecordAsync(CashSession session, bool partPayment, CancellationToken cancellationToken)
    {
        var price = session.Price;
        var overpaid = new Money(Math.Max(0, session.Inserted.Minor - session.Due.Minor), session.Due.Currency);
        PaymentRecorded payment;
        using (await _payments.LockAsync(cancellationToken))
        {
            var detail = partPayment ? "part payment, cancelled" : overpaid.Minor > 0 ? $"overpaid {overpaid}, no change given" : "exact";
            payment = await _payments.RecordAsync(session.TicketId, session.Inserted, PaymentMethod.Cash, price.Quote.TariffVersion, detail, cancellationToken);
        }

        var printed = await _receipts.PrintAsync(
            new Receipt(payment, price.Quote, price.Paid, session.Due, _time.GetUtcNow(), Overpaid: overpaid, PartPayment: partPayment),
            cancellationToken);
        lock (_gate)
        {
            session.PaymentId = payment.PaymentId;
            session.ReceiptPrinted = printed;
            if (!partPayment)
            {
                session.State = CashState.Paid;
            }
        }
    }

    private void OnPulse(object? sender, Money running)
    {
        lock (_gate)
        {
            _counting = running;
        }
    }

    private CashSessionView View(CashSession s)
    {
        var zero = Money.Zero(s.Due.Currency);
        var counting = ReferenceEquals(_active, s) && _counting is { } c ? c : zero;
        var remaining = new Money(Math.Max(0, s.Due.Minor - s.Inserted.Minor), s.Due.Currency);
        var overpaid = new Money(Math.Max(0, s.Inserted.Minor - s.Due.Minor), s.Due.Currency);
        var message = s.State switch
        {
            CashState.Waiting => $"Insert coins: {remaining} to go.",
            CashState.Recording => "Recording your payment…",
            CashState.Paid => $"Paid {s.Inserted}.{(overpaid.Minor > 0 ? $" Overpaid {overpaid}: no change given." : string.Empty)} The exit opens for your ticket now.",
            _ => s.Inserted.Minor > 0 ? $"Cancelled. {s.Inserted} was kept as a part payment; {remaining} is still due." : "Cancelled. Nothing was paid.",
        };
        return new CashSessionView(
            s.Id,
            s.TicketId,
            s.State == CashState.Recording ? "waiting" : s.State.ToString().ToLowerInvariant(),
            MoneyView.Of(s.Due),
            MoneyView.Of(s.Inserted),
            MoneyView.Of(counting),
            MoneyView.Of(remaining),
            MoneyView.Of(overpaid),
            s.PaymentId,
            s.ReceiptPrinted,
            message);
    }

    private static string NewId() => "C" + Convert.ToHexString(RandomNumberGenerator.GetBytes(6));

    private enum CashState
    {
        Waiting,
        Recording,
        Paid,
        Cancelled,
    }

    private sealed class CashSession(string id, string ticketId, Money due, TicketPrice price)
    {
        public string Id { get; } = id;

        public string TicketId { get; } = ticketId;

        public Money Due { get; } = due;

        public TicketPrice Price { get; } = price;

        public Money Inserted { get; set; } = Money.Zero(due.Currency);

        public CashState State { get; set; } = CashState.Waiting;

        public string? PaymentId { get; set; }

        public bool ReceiptPrinted { get; set; }
    }
}
