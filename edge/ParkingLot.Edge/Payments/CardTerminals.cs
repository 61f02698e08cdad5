using System.Security.Cryptography;
using ParkingLot.Shared;

namespace ParkingLot.Edge.Payments;

/// <summary>
/// A card terminal at the kiosk. The terminal reads the card, talks to the acquirer and answers with
/// an authorisation reference or a decline: card numbers never reach the agent (invariant I8), so
/// there is nothing here that could carry one.
/// </summary>
internal interface ICardTerminal
{
    string Id { get; }

    /// <summary>Asks the driver to present a card for <paramref name="amount"/>; <paramref name="reference"/> is our order reference (the ticket id).</summary>
    Task<CardAuthorization> AuthorizeAsync(Money amount, string reference, CancellationToken cancellationToken);
}

/// <summary>Approved with the terminal's authorisation reference, or declined with the terminal's reason.</summary>
internal sealed record CardAuthorization(bool Approved, string? AuthorizationReference, string? DeclineReason)
{
    public static CardAuthorization Approve(string reference) => new(true, reference, null);

    public static CardAuthorization Decline(string reason) => new(false, null, reason);
}

/// <summary>
/// A terminal for demo lots and tests: approves every amount, unless told to decline the next one
/// (the kiosk page's simulation panel or a test does that).
/// </summary>
internal sealed class SimulatedCardTerminal(string id = "kiosk.card") : ICardTerminal
{
    private readonly object _gate = new();
    private readonly List<Money> _authorized = [];
    private string? _declineNext;

    public string Id { get; } = id;

    /// <summary>Amounts approved so far.</summary>
    public IReadOnlyList<Money> Authorized
    {
        get
        {
            lock (_gate)
            {
                return [.. _authorized];
            }
        }
    }

    /// <summary>The next authorisation is declined with <paramref name="reason"/>.</summary>
    public void DeclineNext(string reason)
    {
        lock (_gate)
        {
            _declineNext = reason;
        }
    }

    public Task<CardAuthorization> AuthorizeAsync(Money amount, string reference, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (_declineNext is { } reason)
            {
                _declineNext = null;
                return Task.FromResult(CardAuthorization.Decline(reason));
            }

            _authorized.Add(amount);
        }

        return Task.FromResult(CardAuthorization.Approve("SIM" + Convert.ToHexString(RandomNumberGenerator.GetBytes(4))));
    }
}
