namespace ParkingLot.Cloud.Bookings;

/// <summary>
/// The one state machine of a booking. Every store write of a booking's status goes through
/// <see cref="CanMove"/>; a move not in <see cref="Moves"/> is refused.
/// <code>
///   held ──paid (webhook)──▶ confirmed ──cancel, refund &gt; 0──▶ refunded
///    │ │                         └──────cancel, no refund────▶ cancelled
///    │ └──cancel (nothing paid, nothing refunded)──────────▶ cancelled
///    └──hold expired unpaid──────────────────────────────────▶ expired
/// </code>
/// Checked-in and completed follow confirmed once the edge's entries and exits are turned into
/// <c>lease.state</c> (the sync issue); until then a confirmed booking stays confirmed.
/// </summary>
internal static class BookingLifecycle
{
    /// <summary>Every allowed move, as (from, to). Anything else is illegal.</summary>
    public static readonly IReadOnlySet<(BookingStatus From, BookingStatus To)> Moves = new HashSet<(BookingStatus, BookingStatus)>
    {
        (BookingStatus.Held, BookingStatus.Confirmed),
        (BookingStatus.Held, BookingStatus.Cancelled),
        (BookingStatus.Held, BookingStatus.Expired),
        (BookingStatus.Confirmed, BookingStatus.Cancelled),
        (BookingStatus.Confirmed, BookingStatus.Refunded),
    };

    public static bool CanMove(BookingStatus from, BookingStatus to) => Moves.Contains((from, to));

    /// <summary>Held (not stale) or confirmed: the booking takes its spot (I1) and a unit of the share (I2).</summary>
    public static bool IsActive(BookingStatus status) => status is BookingStatus.Held or BookingStatus.Confirmed;

    /// <summary>Only a paid booking has a pass: a hold could expire and its spot go to another driver.</summary>
    public static bool HasPass(BookingStatus status) => status == BookingStatus.Confirmed;

    /// <summary>The pass of a confirmed booking stops being valid when it leaves confirmed (cancelled or refunded).</summary>
    public static bool RevokesPass(BookingStatus from, BookingStatus to) => from == BookingStatus.Confirmed && to != BookingStatus.Confirmed;

    /// <summary>Where a cancellation leads: refunded when money goes back, else cancelled.</summary>
    public static BookingStatus Cancelled(long refundMinor) => refundMinor > 0 ? BookingStatus.Refunded : BookingStatus.Cancelled;
}
