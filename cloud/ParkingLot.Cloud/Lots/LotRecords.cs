using System.Globalization;
using ParkingLot.Shared.Contracts;
using ParkingLot.Shared.Tariffs;

namespace ParkingLot.Cloud.Lots;

/// <summary>One entry of <c>GET /api/v1/lots</c>.</summary>
internal sealed record LotSummary(string Id, string Name, GeoPoint? Location);

/// <summary><c>GET /api/v1/lots/{lotId}</c>.</summary>
internal sealed record LotDetails(
    string Id,
    string Name,
    string TimeZone,
    GeoPoint? Location,
    int SpotCount,
    IReadOnlyList<string> Zones,
    IReadOnlyList<VehicleType> VehicleTypes,
    IReadOnlyList<OpeningHours> OpeningHours,
    string? TariffVersion);

/// <summary>
/// Opening hours of a lot on the given days, in the lot's time zone: <c>[Open, Close)</c>, wrapping
/// midnight when Open &gt; Close (the part after midnight belongs to the day it started), all day when
/// Open = Close. A lot with no entries is always open. Quotes and bookings need the lot open when the
/// window starts and when it ends (at Close exactly counts as open: the driver leaves as the gates
/// close); a stay may span the hours it is closed. Search leaves out lots closed at either end.
/// </summary>
public sealed record OpeningHours(IReadOnlyList<DayOfWeek> Days, TimeOnly Open, TimeOnly Close)
{
    /// <summary>Whether a lot with these hours is open at <paramref name="at"/>; <paramref name="closing"/> counts the closing minute as open.</summary>
    public static bool IsOpenAt(IReadOnlyList<OpeningHours> hours, TimeZoneInfo zone, DateTimeOffset at, bool closing = false)
    {
        if (hours.Count == 0)
        {
            return true;
        }

        var local = TimeZoneInfo.ConvertTime(at, zone);
        var time = TimeOnly.FromDateTime(local.DateTime);
        var day = local.DayOfWeek;
        var yesterday = (DayOfWeek)(((int)day + 6) % 7);
        foreach (var entry in hours)
        {
            var ends = closing ? time <= entry.Close : time < entry.Close;
            var open = entry.Open == entry.Close
                ? entry.Days.Contains(day)
                : entry.Open < entry.Close
                    ? entry.Days.Contains(day) && time >= entry.Open && ends
                    : (entry.Days.Contains(day) && time >= entry.Open) || (entry.Days.Contains(yesterday) && ends);
            if (open)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>"monday, friday 07:00–22:00; saturday 09:00–13:00", for problem details.</summary>
    public static string Describe(IReadOnlyList<OpeningHours> hours) =>
        hours.Count == 0
            ? "always open"
            : string.Join("; ", hours.Select(h => string.Create(
                CultureInfo.InvariantCulture, $"{string.Join(", ", h.Days.Select(d => d.ToString().ToLowerInvariant()))} {h.Open:HH:mm}–{h.Close:HH:mm}")));
}

/// <summary>What an operator sets on a lot (spots, tariff and capacity have their own endpoints).</summary>
internal sealed record LotDefinition(
    string Id,
    string Name,
    string TimeZone,
    GeoPoint Location,
    IReadOnlyList<OpeningHours> OpeningHours,
    IReadOnlyList<VehicleType> VehicleTypes);

/// <summary>One spot as listed by <c>GET /api/v1/lots/{lotId}/spots</c>; lower <see cref="Rank"/> is nearer the entrance.</summary>
internal sealed record SpotInfo(string Id, VehicleType VehicleType, string Zone, string? SensorId, int Rank, bool Occupied);

/// <summary>The reservable share of one vehicle type next to the number of spots of that type.</summary>
internal sealed record CapacityShare(VehicleType VehicleType, int Reservable, int Spots);

/// <summary>
/// The cloud's side of the capacity partition (I2) of one lot. <see cref="Version"/> grows with every
/// change; the edge acknowledgement that a growing share needs arrives with the capacity-grant sync
/// (a later change): until then a share takes effect in the cloud when it is set.
/// </summary>
internal sealed record CapacitySplit(string LotId, int Version, IReadOnlyList<CapacityShare> Shares)
{
    public int ReservableOf(VehicleType type) => Shares.FirstOrDefault(s => s.VehicleType == type)?.Reservable ?? 0;
}

/// <summary>
/// Everything search, quotes and bookings need to know about a lot without asking the store:
/// kept in memory by <see cref="LotCatalog"/>.
/// </summary>
internal sealed record CatalogLot(
    string Id,
    string Name,
    string TimeZone,
    GeoPoint? Location,
    IReadOnlyList<VehicleType> VehicleTypes,
    TariffDefinition? Tariff,
    IReadOnlyList<OpeningHours> OpeningHours)
{
    /// <summary>
    /// Null when the lot is open at both ends of the window, else a sentence saying which end falls
    /// in closed hours, in the lot's local time.
    /// </summary>
    public string? ClosedProblem(DateTimeOffset start, DateTimeOffset end)
    {
        if (OpeningHours.Count == 0)
        {
            return null;
        }

        var zone = TimeZoneInfo.TryFindSystemTimeZoneById(TimeZone, out var found) ? found : TimeZoneInfo.Utc;
        (DateTimeOffset At, string What)? closed = !Lots.OpeningHours.IsOpenAt(OpeningHours, zone, start) ? (start, "starts")
            : !Lots.OpeningHours.IsOpenAt(OpeningHours, zone, end, closing: true) ? (end, "ends") : null;
        return closed is var (closedAt, what)
            ? string.Create(
                CultureInfo.InvariantCulture,
                $"Lot '{Id}' is closed when the window {what} ({TimeZoneInfo.ConvertTime(closedAt, zone):ddd yyyy-MM-dd HH:mm} {TimeZone}); opening hours: {Lots.OpeningHours.Describe(OpeningHours)}.")
            : null;
    }
}

/// <summary>Outcome of a store write that can meet an unknown lot or a conflict; <see cref="Detail"/> explains a refusal.</summary>
internal enum LotWriteStatus
{
    Done,
    UnknownLot,
    Conflict,
    Invalid,
}

internal sealed record LotWriteResult(LotWriteStatus Status, string? Detail = null)
{
    public static readonly LotWriteResult Done = new(LotWriteStatus.Done);
    public static readonly LotWriteResult UnknownLot = new(LotWriteStatus.UnknownLot);
}
