using System.Globalization;
using System.Text.Json;
using ParkingLot.Shared.Contracts;

namespace ParkingLot.Shared.Tariffs;

/// <summary>
/// The one fee calculator used by edge and cloud (invariant I6). Pure and deterministic: the same
/// tariff and inputs give the same <see cref="FeeQuote"/> on any machine; no clock is read.
/// </summary>
/// <remarks>
/// <para>Rules, in order of application:</para>
/// <list type="number">
/// <item><b>Free period.</b> A stay of at most <see cref="VehicleTariff.FreeMinutes"/> (boundary included) costs 0.
/// A longer stay is charged from entry, the free minutes included.</item>
/// <item><b>Increments.</b> The stay is cut into increments of <see cref="VehicleTariff.IncrementMinutes"/>
/// starting at entry; every started increment is charged whole (one minute over buys a whole increment).</item>
/// <item><b>Rate.</b> Each increment costs the rate in force at its start: the first
/// <see cref="TimeBand"/> containing the local wall-clock time of that instant in
/// <see cref="TariffDefinition.TimeZone"/> (converted with <see cref="TimeZoneInfo"/>, so DST days
/// are handled: a stay is measured in elapsed time, and its increments are looked up at their real local
/// time), else <see cref="VehicleTariff.RatePerIncrement"/>.</item>
/// <item><b>Daily maximum.</b> The stay is split into 24-hour periods of elapsed time counted from
/// entry; an increment belongs to the period in which it starts. Each period's sum is capped at
/// <see cref="VehicleTariff.DailyMax"/>, the last partial period too. So the subtotal is at most
/// DailyMax × (24-hour periods started).</item>
/// <item><b>Demand.</b> The multiplier of the highest <see cref="DemandBand"/> whose
/// <see cref="DemandBand.OccupancyFrom"/> ≤ occupancy is applied once, to the capped subtotal:
/// total = round-half-up(subtotal × percent / 100) in integer arithmetic. The daily maximum therefore
/// caps the pre-demand charge, and a demand surcharge can take a day above DailyMax: the bound is
/// total ≤ round-half-up(DailyMax × days started × percent / 100). This keeps the published daily
/// maximum meaningful at normal demand and keeps the total non-decreasing in the stay length.</item>
/// </list>
/// <para>The occupancy is whichever the caller prices at (the cloud at booking, the edge at entry);
/// the quote records the multiplier it produced.</para>
/// </remarks>
public static class TariffEngine
{
    private const int MinutesPerDay = 24 * 60;

    // A surcharge above ×10 is far more likely a typo (1250 for 125) than a price.
    private const int MaxMultiplierPercent = 1000;

    /// <summary>
    /// The fee for a stay from <paramref name="entry"/> to <paramref name="exit"/> (rules in the type remarks).
    /// </summary>
    /// <param name="tariff">A tariff that passes <see cref="Validate"/>.</param>
    /// <param name="vehicleType">Must be priced by <paramref name="tariff"/>.</param>
    /// <param name="entry">Start of the stay.</param>
    /// <param name="exit">End of the stay; not before <paramref name="entry"/>.</param>
    /// <param name="occupancy">Lot occupancy 0..1 selecting the demand band (values above 1 count as full).</param>
    /// <exception cref="ArgumentException">
    /// exit before entry, a vehicle type the tariff does not price, an invalid tariff or a NaN occupancy:
    /// programming errors, because callers validate their input first.
    /// </exception>
    public static FeeQuote Quote(TariffDefinition tariff, VehicleType vehicleType, DateTimeOffset entry, DateTimeOffset exit, double occupancy = 0)
    {
        var (vehicle, zone) = Prepare(tariff, vehicleType, occupancy);
        if (exit < entry)
        {
            throw new ArgumentException($"Exit {exit:O} is before entry {entry:O}.", nameof(exit));
        }

        return QuoteCore(tariff, vehicleType, vehicle, zone, entry, exit, occupancy);
    }

    /// <summary>
    /// The fee for a vehicle whose ticket is lost: the larger of <see cref="VehicleTariff.LostTicketFee"/>
    /// and the fee for the known stay (when the entry is known from the ledger, e.g. by plate or ticket
    /// id). The flat fee is not multiplied by demand; when it applies the quote reports multiplier 100.
    /// With an unknown entry the quote's <see cref="FeeQuote.From"/> is <paramref name="exit"/>.
    /// </summary>
    /// <exception cref="ArgumentException">As for <see cref="Quote"/>.</exception>
    public static FeeQuote LostTicket(TariffDefinition tariff, VehicleType vehicleType, DateTimeOffset? entry, DateTimeOffset exit, double occupancy = 0)
    {
        var (vehicle, zone) = Prepare(tariff, vehicleType, occupancy);
        var lostFee = new Money(vehicle.LostTicketFee, tariff.Currency);
        if (entry is not { } known)
        {
            return new FeeQuote(lostFee, tariff.Version, vehicleType, exit, exit, 100, [new FeeLine("Lost ticket fee (entry unknown)", lostFee)]);
        }

        if (exit < known)
        {
            throw new ArgumentException($"Exit {exit:O} is before entry {known:O}.", nameof(exit));
        }

        var stay = QuoteCore(tariff, vehicleType, vehicle, zone, known, exit, occupancy);
        if (lostFee.Minor >= stay.Total.Minor)
        {
            return new FeeQuote(lostFee, tariff.Version, vehicleType, known, exit, 100, [new FeeLine($"Lost ticket fee (known stay: {stay.Total})", lostFee)]);
        }

        return stay with
        {
            Lines = [.. stay.Lines, new FeeLine($"Lost ticket: known stay costs more than the lost ticket fee {lostFee}", Money.Zero(tariff.Currency))],
        };
    }

    /// <summary>
    /// True while a driver who paid at <paramref name="paidAt"/> may still leave without paying again:
    /// up to and including <see cref="VehicleTariff.ExitGraceMinutes"/> after payment. A
    /// <paramref name="now"/> before <paramref name="paidAt"/> (kiosk and gate clocks disagreeing) counts as within grace.
    /// </summary>
    /// <exception cref="ArgumentException">A vehicle type the tariff does not price.</exception>
    public static bool IsWithinExitGrace(TariffDefinition tariff, VehicleType vehicleType, DateTimeOffset paidAt, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(tariff);
        var vehicle = GetVehicleTariff(tariff, vehicleType);
        return now - paidAt <= TimeSpan.FromMinutes(vehicle.ExitGraceMinutes);
    }

    /// <summary>
    /// Problems that make <paramref name="tariff"/> unusable, each a sentence naming the JSON field at
    /// fault (e.g. "vehicleTypes.car.incrementMinutes must be greater than 0 (is 0)."); empty when valid.
    /// </summary>
    public static IReadOnlyList<string> Validate(TariffDefinition tariff)
    {
        ArgumentNullException.ThrowIfNull(tariff);
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(tariff.Version))
        {
            problems.Add("version must not be empty.");
        }

        if (!Money.IsValidCurrency(tariff.Currency))
        {
            problems.Add($"currency '{tariff.Currency}' is not a three-letter upper-case ISO 4217 code.");
        }

        if (!TryFindZone(tariff.TimeZone, out _))
        {
            problems.Add($"timeZone '{tariff.TimeZone}' is not a known time zone (use an IANA id such as \"Europe/Berlin\").");
        }

        if (tariff.VehicleTypes is null || tariff.VehicleTypes.Count == 0)
        {
            problems.Add("vehicleTypes must price at least one vehicle type.");
        }
        else
        {
            foreach (var (vehicleType, vehicle) in tariff.VehicleTypes.OrderBy(p => p.Key))
            {
                ValidateVehicle(vehicleType, vehicle, problems);
            }
        }

        ValidateDemandBands(tariff.DemandBands, problems);
        return problems;
    }

    private static void ValidateVehicle(VehicleType vehicleType, VehicleTariff? vehicle, List<string> problems)
    {
        var path = "vehicleTypes." + Key(vehicleType);
        if (!Enum.IsDefined(vehicleType))
        {
            problems.Add($"{path} is not a vehicle type.");
        }

        if (vehicle is null)
        {
            problems.Add($"{path} must not be null.");
            return;
        }

        if (vehicle.IncrementMinutes is <= 0 or > MinutesPerDay)
        {
            problems.Add($"{path}.incrementMinutes must be between 1 and {MinutesPerDay} (is {vehicle.IncrementMinutes}).");
        }

        NotNegative(vehicle.RatePerIncrement, $"{path}.ratePerIncrement", problems);
        NotNegative(vehicle.FreeMinutes, $"{path}.freeMinutes", problems);
        NotNegative(vehicle.ExitGraceMinutes, $"{path}.exitGraceMinutes", problems);
        NotNegative(vehicle.DailyMax, $"{path}.dailyMax", problems);
        NotNegative(vehicle.LostTicketFee, $"{path}.lostTicketFee", problems);
        if (vehicle.DailyMax < vehicle.RatePerIncrement)
        {
            problems.Add($"{path}.dailyMax ({vehicle.DailyMax}) must be at least one increment's rate ({vehicle.RatePerIncrement}).");
        }

        if (vehicle.TimeBands is null)
        {
            problems.Add($"{path}.timeBands must be a list (empty for none).");
            return;
        }

        for (var i = 0; i < vehicle.TimeBands.Count; i++)
        {
            var band = vehicle.TimeBands[i];
            var bandPath = $"{path}.timeBands[{i}]";
            if (band is null)
            {
                problems.Add($"{bandPath} must not be null.");
                continue;
            }

            NotNegative(band.RatePerIncrement, $"{bandPath}.ratePerIncrement", problems);
            if (band.From == band.To)
            {
                problems.Add($"{bandPath} is empty: from and to are both {band.From:HH\\:mm}.");
            }

            if (vehicle.DailyMax < band.RatePerIncrement)
            {
                problems.Add($"{path}.dailyMax ({vehicle.DailyMax}) must be at least one increment's rate in {bandPath} ({band.RatePerIncrement}).");
            }

            for (var j = 0; j < i; j++)
            {
                if (vehicle.TimeBands[j] is { } earlier && earlier.From != earlier.To && band.From != band.To && Overlap(earlier, band))
                {
                    problems.Add($"{bandPath} overlaps {path}.timeBands[{j}].");
                }
            }
        }
    }

    private static void ValidateDemandBands(IReadOnlyList<DemandBand>? bands, List<string> problems)
    {
        if (bands is null)
        {
            problems.Add("demandBands must be a list (empty for no demand pricing).");
            return;
        }

        for (var i = 0; i < bands.Count; i++)
        {
            var band = bands[i];
            if (band is null)
            {
                problems.Add($"demandBands[{i}] must not be null.");
                continue;
            }

            if (double.IsNaN(band.OccupancyFrom) || band.OccupancyFrom is < 0 or > 1)
            {
                problems.Add($"demandBands[{i}].occupancyFrom must be between 0 and 1 (is {band.OccupancyFrom.ToString(CultureInfo.InvariantCulture)}).");
            }

            if (band.MultiplierPercent is < 100 or > MaxMultiplierPercent)
            {
                problems.Add($"demandBands[{i}].multiplierPercent must be between 100 and {MaxMultiplierPercent} (is {band.MultiplierPercent}).");
            }

            if (i > 0 && bands[i - 1] is { } previous && !(band.OccupancyFrom > previous.OccupancyFrom))
            {
                problems.Add($"demandBands[{i}].occupancyFrom must be greater than demandBands[{i - 1}].occupancyFrom (bands sorted ascending, no repeats).");
            }
        }
    }

    private static void NotNegative(long value, string path, List<string> problems)
    {
        if (value < 0)
        {
            problems.Add($"{path} must not be negative (is {value}).");
        }
    }

    private static bool Overlap(TimeBand a, TimeBand b)
    {
        foreach (var (aFrom, aTo) in Intervals(a))
        {
            foreach (var (bFrom, bTo) in Intervals(b))
            {
                if (aFrom < bTo && bFrom < aTo)
                {
                    return true;
                }
            }
        }

        return false;
    }

    // A band as one or two [from, to) intervals in ticks since midnight (a wrapping band is split).
    private static IEnumerable<(long From, long To)> Intervals(TimeBand band)
    {
        if (band.From < band.To)
        {
            yield return (band.From.Ticks, band.To.Ticks);
        }
        else
        {
            yield return (band.From.Ticks, TimeSpan.TicksPerDay);
            yield return (0, band.To.Ticks);
        }
    }

    /// <summary>
    /// The validation of each definition instance, done at its first quote: a service quotes one
    /// published definition thousands of times. Definitions are immutable records, loaded once.
    /// </summary>
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<TariffDefinition, IReadOnlyList<string>> ValidatedOnce = [];

    private static (VehicleTariff Vehicle, TimeZoneInfo Zone) Prepare(TariffDefinition tariff, VehicleType vehicleType, double occupancy)
    {
        ArgumentNullException.ThrowIfNull(tariff);
        var problems = ValidatedOnce.GetValue(tariff, Validate);
        if (problems.Count > 0)
        {
            throw new ArgumentException($"Tariff '{tariff.Version}' is invalid: {string.Join(" ", problems)}", nameof(tariff));
        }

        if (double.IsNaN(occupancy))
        {
            throw new ArgumentOutOfRangeException(nameof(occupancy), "Occupancy must be a number between 0 and 1.");
        }

        TryFindZone(tariff.TimeZone, out var zone);
        return (GetVehicleTariff(tariff, vehicleType), zone!);
    }

    private static VehicleTariff GetVehicleTariff(TariffDefinition tariff, VehicleType vehicleType) =>
        tariff.VehicleTypes.TryGetValue(vehicleType, out var vehicle)
            ? vehicle
            : throw new ArgumentException(
                $"Tariff '{tariff.Version}' has no price for vehicle type '{Key(vehicleType)}' (it prices {string.Join(", ", tariff.VehicleTypes.Keys.Order().Select(Key))}).",
                nameof(vehicleType));

    private static FeeQuote QuoteCore(TariffDefinition tariff, VehicleType vehicleType, VehicleTariff vehicle, TimeZoneInfo zone, DateTimeOffset entry, DateTimeOffset exit, double occupancy)
    {
        var currency = tariff.Currency;
        var multiplier = DemandMultiplierPercent(tariff.DemandBands, occupancy);
        var stay = exit - entry;
        var lines = new List<FeeLine>();
        if (stay <= TimeSpan.FromMinutes(vehicle.FreeMinutes))
        {
            lines.Add(new FeeLine($"Free: stay of {FormatDuration(stay)} within {vehicle.FreeMinutes} free minutes", Money.Zero(currency)));
            return new FeeQuote(Money.Zero(currency), tariff.Version, vehicleType, entry, exit, multiplier, lines);
        }

        var incrementTicks = TimeSpan.FromMinutes(vehicle.IncrementMinutes).Ticks;
        var increments = (stay.Ticks + incrementTicks - 1) / incrementTicks;
        long subtotal = 0;
        var day = 0L;
        long daySum = 0;
        var segment = new Segment(-1, 0, 0);
        for (long i = 0; i < increments; i++)
        {
            var offset = i * incrementTicks;
            var incrementDay = offset / TimeSpan.TicksPerDay;
            if (incrementDay != day)
            {
                FlushSegment(ref segment, day, vehicle, currency, lines);
                subtotal = checked(subtotal + CloseDay(day, daySum, vehicle, currency, lines));
                day = incrementDay;
                daySum = 0;
            }

            var (band, rate) = RateAt(vehicle, zone, entry.AddTicks(offset));
            if (segment.Count > 0 && segment.Band != band)
            {
                FlushSegment(ref segment, day, vehicle, currency, lines);
            }

            segment = new Segment(band, rate, segment.Count + 1);
            daySum = checked(daySum + rate);
        }

        FlushSegment(ref segment, day, vehicle, currency, lines);
        subtotal = checked(subtotal + CloseDay(day, daySum, vehicle, currency, lines));

        var total = subtotal;
        if (multiplier != 100 && subtotal > 0)
        {
            total = checked((subtotal * multiplier) + 50) / 100;
            lines.Add(new FeeLine(
                string.Create(CultureInfo.InvariantCulture, $"Demand ×{multiplier / 100}.{multiplier % 100:00} (occupancy {Math.Floor(occupancy * 100)}%)"),
                new Money(total - subtotal, currency)));
        }

        return new FeeQuote(new Money(total, currency), tariff.Version, vehicleType, entry, exit, multiplier, lines);
    }

    // Consecutive increments of one day at one rate, reported as a single line.
    private readonly record struct Segment(int Band, long Rate, long Count);

    private static void FlushSegment(ref Segment segment, long day, VehicleTariff vehicle, string currency, List<FeeLine> lines)
    {
        if (segment.Count == 0)
        {
            return;
        }

        var rate = new Money(segment.Rate, currency);
        var where = segment.Band < 0
            ? string.Empty
            : $" ({vehicle.TimeBands[segment.Band].From:HH\\:mm}–{vehicle.TimeBands[segment.Band].To:HH\\:mm} band)";
        lines.Add(new FeeLine(
            string.Create(CultureInfo.InvariantCulture, $"Day {day + 1}: {segment.Count} × {vehicle.IncrementMinutes} min @ {rate}{where}"),
            new Money(checked(segment.Rate * segment.Count), currency)));
        segment = new Segment(-1, 0, 0);
    }

    // Returns the day's charge after the cap, adding the cap line when it bites.
    private static long CloseDay(long day, long daySum, VehicleTariff vehicle, string currency, List<FeeLine> lines)
    {
        if (daySum <= vehicle.DailyMax)
        {
            return daySum;
        }

        lines.Add(new FeeLine(
            string.Create(CultureInfo.InvariantCulture, $"Day {day + 1}: daily maximum {new Money(vehicle.DailyMax, currency)} applied"),
            new Money(vehicle.DailyMax - daySum, currency)));
        return vehicle.DailyMax;
    }

    private static (int Band, long Rate) RateAt(VehicleTariff vehicle, TimeZoneInfo zone, DateTimeOffset instant)
    {
        if (vehicle.TimeBands.Count == 0)
        {
            return (-1, vehicle.RatePerIncrement);
        }

        var local = TimeOnly.FromTimeSpan(TimeZoneInfo.ConvertTime(instant, zone).TimeOfDay);
        for (var b = 0; b < vehicle.TimeBands.Count; b++)
        {
            if (vehicle.TimeBands[b].Contains(local))
            {
                return (b, vehicle.TimeBands[b].RatePerIncrement);
            }
        }

        return (-1, vehicle.RatePerIncrement);
    }

    private static int DemandMultiplierPercent(IReadOnlyList<DemandBand> bands, double occupancy)
    {
        var percent = 100;
        foreach (var band in bands)
        {
            if (band.OccupancyFrom <= occupancy)
            {
                percent = band.MultiplierPercent;
            }
        }

        return percent;
    }

    private static bool TryFindZone(string? id, out TimeZoneInfo? zone)
    {
        zone = null;
        if (string.IsNullOrWhiteSpace(id))
        {
            return false;
        }

        try
        {
            // The runtime caches system zones, so repeated lookups per quote are cheap.
            zone = TimeZoneInfo.FindSystemTimeZoneById(id);
            return true;
        }
        catch (TimeZoneNotFoundException)
        {
            return false;
        }
        catch (InvalidTimeZoneException)
        {
            return false;
        }
    }

    private static string Key(VehicleType vehicleType) => WireNames.Of(vehicleType);

    private static string FormatDuration(TimeSpan duration) =>
        string.Create(CultureInfo.InvariantCulture, $"{(long)duration.TotalMinutes} min");
}
