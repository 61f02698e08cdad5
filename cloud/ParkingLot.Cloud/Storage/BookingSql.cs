using ParkingLot.Cloud.Bookings;

namespace ParkingLot.Cloud.Storage;

/// <summary>
/// The "active booking" rule of <see cref="BookingLifecycle.IsActive"/> (held and not stale, or
/// confirmed) as SQL, written once for the stores' C# code. The migrations cannot use a C# constant: the
/// partial indexes, the exclusion constraint (I1) and <c>hold_booking</c> spell <see cref="ActiveStatuses"/>
/// out, and <c>BookingSqlTests</c> holds this class to the C# rule.
/// </summary>
internal static class BookingSql
{
    /// <summary>The statuses of a booking that may hold its spot (a stale hold is still stored as held).</summary>
    public const string ActiveStatuses = "('held', 'confirmed')";

    /// <summary>
    /// Active at the instant <paramref name="now"/> (a parameter or expression): confirmed, or held with
    /// its expiry after now. <paramref name="alias"/> is the table alias with its dot, or empty.
    /// </summary>
    public static string ActiveAt(string alias, string expiresColumn, string now) =>
        $"({alias}status IN {ActiveStatuses} AND ({alias}status = 'confirmed' OR {alias}{expiresColumn} > {now}))";
}
