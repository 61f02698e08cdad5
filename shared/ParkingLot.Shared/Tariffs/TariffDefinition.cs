using System.Text.Json.Serialization;
using ParkingLot.Shared.Contracts;

namespace ParkingLot.Shared.Tariffs;

/// <summary>
/// A published tariff of one lot (invariant I6: every fee carries <see cref="Version"/>). Amounts are
/// integer minor units of <see cref="Currency"/>; <see cref="TimeZone"/> is an IANA id (e.g.
/// "Europe/Berlin") in which <see cref="TimeBand"/> wall-clock times are read. Check a tariff with
/// <see cref="TariffEngine.Validate"/> before publishing or caching it.
/// </summary>
/// <param name="Version">Opaque version stamped on every quote, e.g. "demo-2026-11".</param>
/// <param name="Currency">ISO 4217 code (<see cref="Money.IsValidCurrency"/>).</param>
/// <param name="TimeZone">IANA time zone id of the lot.</param>
/// <param name="VehicleTypes">Prices per vehicle type; a type missing here cannot park at this lot.</param>
/// <param name="DemandBands">Occupancy-dependent multipliers, ascending by <see cref="DemandBand.OccupancyFrom"/>; may be empty (always ×1).</param>
public sealed record TariffDefinition(
    string Version,
    string Currency,
    string TimeZone,
    [property: JsonConverter(typeof(VehicleTariffMapConverter))] IReadOnlyDictionary<VehicleType, VehicleTariff> VehicleTypes,
    IReadOnlyList<DemandBand> DemandBands);

/// <summary>Prices of one vehicle type. Every amount is in minor units of the tariff currency.</summary>
/// <param name="IncrementMinutes">Length of a charging increment; every started increment is charged whole.</param>
/// <param name="RatePerIncrement">Price of an increment outside every <see cref="TimeBands"/> entry.</param>
/// <param name="FreeMinutes">A stay this long or shorter costs nothing; a longer one is charged from entry.</param>
/// <param name="ExitGraceMinutes">After paying, the driver has this long to leave without paying again.</param>
/// <param name="DailyMax">Cap on the (pre-demand) charge of each 24-hour period counted from entry.</param>
/// <param name="LostTicketFee">Flat fee for a lost ticket (the larger of it and the known stay's fee is charged).</param>
/// <param name="TimeBands">Wall-clock bands with their own rate; the first band containing an increment's start wins.</param>
public sealed record VehicleTariff(
    int IncrementMinutes,
    long RatePerIncrement,
    int FreeMinutes,
    int ExitGraceMinutes,
    long DailyMax,
    long LostTicketFee,
    IReadOnlyList<TimeBand> TimeBands);

/// <summary>
/// A wall-clock band in the tariff's time zone, <c>[From, To)</c>. When <see cref="From"/> is later
/// than <see cref="To"/> the band wraps midnight ("20:00" → "07:00" covers the night). JSON times are
/// "HH:mm" (or "HH:mm:ss").
/// </summary>
public sealed record TimeBand(
    [property: JsonConverter(typeof(HourMinuteTimeOnlyConverter))] TimeOnly From,
    [property: JsonConverter(typeof(HourMinuteTimeOnlyConverter))] TimeOnly To,
    long RatePerIncrement)
{
    /// <summary>True when the wall-clock time <paramref name="time"/> lies in <c>[From, To)</c>, wrapping midnight when From &gt; To.</summary>
    public bool Contains(TimeOnly time) =>
        From <= To ? time >= From && time < To : time >= From || time < To;
}

/// <summary>
/// Demand pricing step: when the lot's occupancy (0..1) is at least <see cref="OccupancyFrom"/>, the
/// total is multiplied by <see cref="MultiplierPercent"/>/100. The highest matching band applies; none → ×1.
/// </summary>
public sealed record DemandBand(double OccupancyFrom, int MultiplierPercent);

/// <summary>One line of a fee breakdown; the lines of a <see cref="FeeQuote"/> sum to its total.</summary>
public sealed record FeeLine(string Description, Money Amount);

/// <summary>
/// The fee for a stay as computed by <see cref="TariffEngine"/>, with the tariff version that produced
/// it (invariant I6) and a breakdown whose <see cref="Lines"/> sum exactly to <see cref="Total"/>.
/// </summary>
/// <param name="Total">Amount due.</param>
/// <param name="TariffVersion"><see cref="TariffDefinition.Version"/> of the tariff used.</param>
/// <param name="VehicleType">Vehicle type priced.</param>
/// <param name="From">Entry (for a lost ticket without a known entry: the exit time).</param>
/// <param name="To">Exit.</param>
/// <param name="DemandMultiplierPercent">Demand multiplier applied to the total (100 = none).</param>
/// <param name="Lines">Breakdown, in order, summing to <see cref="Total"/>.</param>
public sealed record FeeQuote(
    Money Total,
    string TariffVersion,
    VehicleType VehicleType,
    DateTimeOffset From,
    DateTimeOffset To,
    int DemandMultiplierPercent,
    IReadOnlyList<FeeLine> Lines);
