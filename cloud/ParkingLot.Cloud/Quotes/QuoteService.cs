using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using ParkingLot.Cloud.Availability;
using ParkingLot.Cloud.Bookings;
using ParkingLot.Cloud.Lots;
using ParkingLot.Shared.Contracts;
using ParkingLot.Shared.Tariffs;

namespace ParkingLot.Cloud.Quotes;

/// <summary>
/// Prices a window with the shared tariff engine (I6) at the lot's current occupancy (demand band),
/// read from the availability cache. Bookings lock the quote this returns.
/// </summary>
internal sealed class QuoteService(LotCatalog catalog, AvailabilityService availability, TimeProvider timeProvider, IOptions<BookingsOptions> options)
{
    /// <summary>The quote, or the 4xx problem that explains why there is none (nothing is changed either way).</summary>
    public async Task<(FeeQuote? Quote, CatalogLot? Lot, ProblemHttpResult? Problem)> PriceAsync(
        string lotId, VehicleType vehicleType, DateTimeOffset start, DateTimeOffset end, CancellationToken cancellationToken)
    {
        if (!LotId.IsValid(lotId))
        {
            return (null, null, LotProblems.InvalidLotId(lotId));
        }

        if (!Enum.IsDefined(vehicleType))
        {
            return (null, null, ApiProblems.Invalid("vehicleType is not a vehicle type."));
        }

        if (end <= start)
        {
            return (null, null, ApiProblems.Invalid($"endTime {end:O} must be after startTime {start:O}."));
        }

        if (BookingWindow.Problem(start, end, timeProvider.GetUtcNow(), options.Value.MaxAdvance) is { } windowProblem)
        {
            return (null, null, ApiProblems.Unprocessable("Window not bookable", windowProblem));
        }

        var lot = await catalog.FindAsync(lotId, cancellationToken);
        if (lot is null)
        {
            return (null, null, LotProblems.UnknownLot(lotId));
        }

        if (!lot.VehicleTypes.Contains(vehicleType))
        {
            return (null, lot, ApiProblems.Unprocessable("Vehicle type not taken", $"Lot '{lotId}' has no {Storage.DbValues.Name(vehicleType)} spots."));
        }

        if (lot.ClosedProblem(start, end) is { } closed)
        {
            return (null, lot, ApiProblems.Unprocessable("Lot closed", closed));
        }

        if (lot.Tariff is not { } tariff)
        {
            return (null, lot, ApiProblems.Conflict("No tariff", $"Lot '{lotId}' has no published tariff yet, so nothing can be priced."));
        }

        if (!tariff.VehicleTypes.ContainsKey(vehicleType))
        {
            return (null, lot, ApiProblems.Unprocessable("Vehicle type not priced", $"The tariff of lot '{lotId}' does not price {Storage.DbValues.Name(vehicleType)}."));
        }

        var occupancy = (await availability.GetAsync(lotId, cancellationToken))?.Occupancy() ?? 0;
        return (TariffEngine.Quote(tariff, vehicleType, start, end, occupancy), lot, null);
    }
}
