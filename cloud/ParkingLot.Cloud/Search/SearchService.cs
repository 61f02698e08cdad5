using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using ParkingLot.Cloud.Availability;
using ParkingLot.Cloud.Bookings;
using ParkingLot.Cloud.Lots;
using ParkingLot.Shared.Contracts;
using ParkingLot.Shared.Tariffs;

namespace ParkingLot.Cloud.Search;

/// <summary>
/// Nearby search in memory over the lot catalogue: a bounding-box prefilter, then haversine distance,
/// nearest first. Availability comes from the cache (never from bookings); the quote from the shared
/// tariff engine at the lot's current occupancy. 1,000 lots take well under a millisecond.
/// </summary>
internal sealed class SearchService(LotCatalog catalog, AvailabilityService availability, TimeProvider timeProvider, IOptions<BookingsOptions> options)
{
    public const double MaxRadiusMeters = 100_000;

    /// <summary>At most this many lots are returned, nearest first.</summary>
    public const int MaxResults = 50;

    public async Task<(IReadOnlyList<SearchResult>? Results, ProblemHttpResult? Problem)> SearchAsync(SearchRequest request, CancellationToken cancellationToken)
    {
        if (ApiProblems.Missing(("lat", request.Lat), ("lng", request.Lng), ("radiusMeters", request.RadiusMeters)) is { } missing)
        {
            return (null, missing);
        }

        var center = new GeoPoint(request.Lat!.Value, request.Lng!.Value);
        var radius = request.RadiusMeters!.Value;
        if (!GeoMath.IsValid(center))
        {
            return (null, ApiProblems.Invalid("lat must be in [-90, 90] and lng in [-180, 180]."));
        }

        if (!double.IsFinite(radius) || radius <= 0 || radius > MaxRadiusMeters)
        {
            return (null, ApiProblems.Invalid($"radiusMeters must be greater than 0 and at most {MaxRadiusMeters:0}."));
        }

        if (request.VehicleType is { } requested && !Enum.IsDefined(requested))
        {
            return (null, ApiProblems.Invalid("vehicleType is not a vehicle type."));
        }

        var now = timeProvider.GetUtcNow();
        var from = BookingWindow.Truncate(request.From ?? now);
        var to = BookingWindow.Truncate(request.To ?? from.AddHours(1));
        if (to <= from)
        {
            return (null, ApiProblems.Invalid($"to {to:O} must be after from {from:O}."));
        }

        if (BookingWindow.Problem(from, to, now, options.Value.MaxAdvance) is { } windowProblem)
        {
            return (null, ApiProblems.Unprocessable("Window not bookable", windowProblem));
        }

        var box = GeoMath.BoundingBox(center, radius);
        var hits = new List<(CatalogLot Lot, double Distance)>();
        foreach (var lot in await catalog.ListAsync(cancellationToken))
        {
            if (lot.Location is not { } at
                || at.Lat < box.MinLat || at.Lat > box.MaxLat
                || (!box.AllLongitudes && (at.Lng < box.MinLng || at.Lng > box.MaxLng))
                || (request.VehicleType is { } type && !lot.VehicleTypes.Contains(type))
                || lot.ClosedProblem(from, to) is not null)
            {
                continue;
            }

            var distance = GeoMath.DistanceMeters(center, at);
            if (distance <= radius)
            {
                hits.Add((lot, distance));
            }
        }

        hits.Sort((a, b) => a.Distance != b.Distance ? a.Distance.CompareTo(b.Distance) : string.CompareOrdinal(a.Lot.Id, b.Lot.Id));
        var results = new List<SearchResult>(Math.Min(hits.Count, MaxResults));
        foreach (var (lot, distance) in hits.Take(MaxResults))
        {
            var current = await availability.GetAsync(lot.Id, cancellationToken);
            var types = current?.VehicleTypes ?? [];
            if (request.VehicleType is { } only)
            {
                types = [.. types.Where(t => t.VehicleType == only)];
            }

            FeeQuote? quote = null;
            if (request.VehicleType is { } priced && lot.Tariff is { } tariff && tariff.VehicleTypes.ContainsKey(priced))
            {
                quote = TariffEngine.Quote(tariff, priced, from, to, current?.Occupancy() ?? 0);
            }

            results.Add(new SearchResult(lot.Id, lot.Name, lot.Location!, Math.Round(distance, 1), types, quote));
        }

        return (results, null);
    }
}

/// <summary>One lot of a search answer.</summary>
internal sealed record SearchResult(
    string LotId,
    string Name,
    GeoPoint Location,
    double DistanceMeters,
    IReadOnlyList<VehicleTypeAvailability> Availability,
    FeeQuote? Quote);
