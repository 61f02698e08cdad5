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
/// payment cancelled (or abandoned: no coin for <see cref="AbandonAfter"/>) after coins went in records
/// those coins as a part payment: the ledger holds what is in the cash box. The acceptor's inhibit line
/// is driven whenever no payment is under way; coins that still arrive then (already in the chute at
/// the cancel), and coins of a payment the ledger refused, are recorded as stray coins
/// (<see cref="StrayCoinKeeper"/>). A failed credit never ends the coin loop.
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
    private readonly StrayCoinKeeper _strays;
    private readonly ITimer _abandon;
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
        _strays = new StrayCoinKeeper(payments, time, logger);
        _abandon = time.CreateTimer(_ => _ = AbandonAsync(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        if (acceptor is not null)
        {
            acceptor.PulseCounted += OnPulse;
            acceptor.SetInhibited(true);
        }
    }

    public bool Available => _acceptor is not null;

    /// <summary>A payment under way with no coin for this long is cancelled (the driver walked away). Default 3 minutes.</summary>
    public TimeSpan AbandonAfter { get; init; } = TimeSpan.FromMinutes(3);

    /// <summary>Stray coins waiting for the ledger to take them.</summary>
    public int PendingStrayCoins => _strays.Pending;

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
                SetActive(session);
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
                SetActive(null);
            }
        }

        if (session.Inserted.Minor > 0)
        {
            await RecordOrKeepAsync(session, partPayment: true);
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

        _abandon.Dispose();
        _strays.Dispose();
        _stopping.Dispose();
    }

    private async Task CollectAsync(PulseAcceptor acceptor, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var credit in acceptor.PaymentsAsync(cancellationToken))
            {
                try
                {
                    await CreditAsync(acceptor, credit);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    Log.KioskCreditFailed(_logger, credit.ToString(), ex);
                }
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

    private async Task CreditAsync(PulseAcceptor acceptor, Money credit)
    {
        CashSession? covered = null;
        bool stray;
        lock (_gate)
        {
            _counting = null;
            stray = _active is null;
            if (_active is { } session)
            {
                session.Inserted += credit;
                _abandon.Change(AbandonAfter, Timeout.InfiniteTimeSpan);
                if (session.Inserted.Minor >= session.Due.Minor)
                {
                    session.State = CashState.Recording;
                    SetActive(null);
                    covered = session;
                }
            }
        }

        if (stray)
        {
            await _strays.KeepAsync(new StrayCoins(acceptor.Id, credit, "no cash payment under way", null));
        }
        else if (covered is not null)
        {
            await RecordOrKeepAsync(covered, partPayment: false);
        }
    }

    /// <summary>Records the session's coins as its payment; when the ledger refuses, the session fails and its coins are kept as stray coins.</summary>
    private async Task RecordOrKeepAsync(CashSession session, bool partPayment)
    {
        try
        {
            await RecordAsync(session, partPayment, CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.KioskCashPaymentFailed(_logger, session.Id, session.TicketId, session.Inserted.ToString(), ex.Message);
            lock (_gate)
            {
                session.State = CashState.Failed;
            }

            await _strays.KeepAsync(new StrayCoins(_acceptor?.Id ?? "kiosk.coins", session.Inserted, "the payment could not be recorded: " + ex.Message, session.TicketId));
        }
    }

    /// <summary>The payment under way saw no coin for <see cref="AbandonAfter"/>: cancelled, as the driver's cancel would.</summary>
    private async Task AbandonAsync()
    {
        CashSession? session;
        lock (_gate)
        {
            session = _active;
        }

        if (session is not null)
        {
            Log.KioskCashAbandoned(_logger, session.Id, session.TicketId, AbandonAfter);
            await CancelAsync(session.Id, CancellationToken.None);
        }
    }

    /// <summary>Makes <paramref name="session"/> the payment under way (null: none): coins are let in only while one is.</summary>
    private void SetActive(CashSession? session)
    {
        _active = session;
        _acceptor?.SetInhibited(session is null);
        _abandon.Change(session is null ? Timeout.InfiniteTimeSpan : AbandonAfter, Timeout.InfiniteTimeSpan);
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
            CashState.Failed => $"Your payment of {s.Inserted} could not be recorded. The coins are kept on record for staff: please ask at the office.",
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
        Failed,
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
