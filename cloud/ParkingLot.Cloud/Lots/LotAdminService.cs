using Microsoft.AspNetCore.Http.HttpResults;
using ParkingLot.Cloud.Availability;
using ParkingLot.Cloud.Search;
using ParkingLot.Cloud.Storage;
using ParkingLot.Shared.Contracts;
using ParkingLot.Shared.Tariffs;

namespace ParkingLot.Cloud.Lots;

/// <summary>
/// Creates and changes lots: validates first (nothing is written on a refusal), writes through the
/// store, then drops the catalogue snapshot and refreshes the lot's cached availability.
/// </summary>
internal sealed class LotAdminService(
    ILotStore store, LotCatalog catalog, AvailabilityService availability, TimeProvider timeProvider, ILogger<LotAdminService> logger)
{
    public async Task<(LotDetails? Lot, ProblemHttpResult? Problem)> CreateAsync(LotRequest request, string actor, CancellationToken cancellationToken)
    {
        if (Validate(request) is { } problem)
        {
            return (null, problem);
        }

        var definition = ToDefinition(request);
        var created = await store.CreateAsync(definition, cancellationToken);
        if (created.Status != LotWriteStatus.Done)
        {
            return (null, ToProblem(created, definition.Id));
        }

        if (request.Tariff is { } tariff)
        {
            await store.PublishTariffAsync(definition.Id, tariff, timeProvider.GetUtcNow(), cancellationToken);
        }

        return (await ChangedAsync(definition.Id, "created", actor, cancellationToken), null);
    }

    public async Task<(LotDetails? Lot, ProblemHttpResult? Problem)> UpdateAsync(LotRequest request, string actor, CancellationToken cancellationToken)
    {
        if (Validate(request) is { } problem)
        {
            return (null, problem);
        }

        var definition = ToDefinition(request);
        var current = await store.GetAsync(definition.Id, cancellationToken);
        if (current is null)
        {
            return (null, LotProblems.UnknownLot(definition.Id));
        }

        // Dropping a vehicle type that still has spots would strand them.
        var stranded = (await store.ListSpotsAsync(definition.Id, null, cancellationToken) ?? [])
            .Select(s => s.VehicleType).Distinct().Where(t => !definition.VehicleTypes.Contains(t)).ToList();
        if (stranded.Count > 0)
        {
            return (null, ApiProblems.Unprocessable(
                "Vehicle type in use", $"Lot '{definition.Id}' has {string.Join(", ", stranded.Select(DbValues.Name))} spots; keep the type in vehicleTypes."));
        }

        if (request.Tariff is { } tariff && await PublishCoreAsync(definition.Id, tariff, cancellationToken) is { } tariffProblem)
        {
            return (null, tariffProblem);
        }

        var updated = await store.UpdateAsync(definition, cancellationToken);
        return updated.Status != LotWriteStatus.Done
            ? (null, ToProblem(updated, definition.Id))
            : (await ChangedAsync(definition.Id, "updated", actor, cancellationToken), null);
    }

    public async Task<(IReadOnlyList<SpotInfo>? Spots, ProblemHttpResult? Problem)> AddSpotsAsync(
        string lotId, IReadOnlyList<SpotRequest> request, string actor, CancellationToken cancellationToken)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var spot in request)
        {
            if (spot is null || spot.Id is null || spot.VehicleType is null || spot.Zone is null)
            {
                return (null, ApiProblems.Invalid("Every spot needs an id, a vehicleType and a zone."));
            }

            if (!LotId.IsValid(spot.Id))
            {
                return (null, ApiProblems.Invalid($"Spot id '{spot.Id}' is invalid ({LotId.Rule})."));
            }

            if (!seen.Add(spot.Id))
            {
                return (null, ApiProblems.Invalid($"Spot id '{spot.Id}' appears twice in the request."));
            }
        }

        var lot = await store.GetAsync(lotId, cancellationToken);
        if (lot is null)
        {
            return (null, LotProblems.UnknownLot(lotId));
        }

        var foreign = request.Select(s => s.VehicleType!.Value).Distinct().Where(t => !lot.VehicleTypes.Contains(t)).ToList();
        if (foreign.Count > 0)
        {
            return (null, ApiProblems.Unprocessable(
                "Vehicle type not taken", $"Lot '{lotId}' does not take {string.Join(", ", foreign.Select(DbValues.Name))}; add the type to the lot first."));
        }

        var spots = request.Select(s => new SpotDescription(s.Id!, s.VehicleType!.Value, s.Zone!, s.SensorId)).ToList();
        var added = await store.AddSpotsAsync(lotId, spots, cancellationToken);
        if (added.Status != LotWriteStatus.Done)
        {
            return (null, ToProblem(added, lotId));
        }

        await ChangedAsync(lotId, $"{spots.Count} spots added", actor, cancellationToken);
        return ((await store.ListSpotsAsync(lotId, null, cancellationToken))!, null);
    }

    public async Task<(CapacitySplit? Split, ProblemHttpResult? Problem)> SetCapacityAsync(
        string lotId, IReadOnlyDictionary<string, int> request, string actor, CancellationToken cancellationToken)
    {
        var shares = new Dictionary<VehicleType, int>();
        foreach (var (name, share) in request)
        {
            if (!TryParseType(name, out var type))
            {
                return (null, ApiProblems.Invalid($"'{(name.Length > 32 ? name[..32] + "…" : name)}' is not a vehicle type."));
            }

            if (share < 0)
            {
                return (null, ApiProblems.Invalid($"The reservable share of {name} must not be negative (is {share})."));
            }

            shares[type] = share;
        }

        if (shares.Count == 0)
        {
            return (null, ApiProblems.Invalid("reservable names no vehicle type."));
        }

        // Growing the cloud's share should wait for the edge's acknowledgement (I2: it may have
        // admitted walk-ins into that room); the capacity-grant sync brings that. Until then the
        // split applies in the cloud at once, and the edge learns it from the lot file / grant.
        var result = await store.SetCapacityAsync(lotId, shares, timeProvider.GetUtcNow(), cancellationToken);
        if (result.Status != LotWriteStatus.Done)
        {
            return (null, ToProblem(result, lotId));
        }

        await ChangedAsync(lotId, "capacity split set", actor, cancellationToken);
        return (await store.GetCapacityAsync(lotId, cancellationToken), null);
    }

    public async Task<ProblemHttpResult?> PublishTariffAsync(string lotId, TariffDefinition tariff, string actor, CancellationToken cancellationToken)
    {
        if (await PublishCoreAsync(lotId, tariff, cancellationToken) is { } problem)
        {
            return problem;
        }

        await ChangedAsync(lotId, $"tariff {tariff.Version} published", actor, cancellationToken);
        return null;
    }

    /// <summary>Parses a camelCase vehicle type name ("car", "ev"); numbers and unknown names are refused.</summary>
    public static bool TryParseType(string name, out VehicleType type)
    {
        foreach (var candidate in Enum.GetValues<VehicleType>())
        {
            if (string.Equals(DbValues.Name(candidate), name, StringComparison.Ordinal))
            {
                type = candidate;
                return true;
            }
        }

        type = default;
        return false;
    }

    private async Task<ProblemHttpResult?> PublishCoreAsync(string lotId, TariffDefinition tariff, CancellationToken cancellationToken)
    {
        var problems = TariffEngine.Validate(tariff);
        if (problems.Count > 0)
        {
            return ApiProblems.Unprocessable("Invalid tariff", string.Join(" ", problems));
        }

        var result = await store.PublishTariffAsync(lotId, tariff, timeProvider.GetUtcNow(), cancellationToken);
        return result.Status == LotWriteStatus.Done ? null : ToProblem(result, lotId);
    }

    private async Task<LotDetails?> ChangedAsync(string lotId, string change, string actor, CancellationToken cancellationToken)
    {
        catalog.Invalidate();
        await availability.RefreshAsync(lotId, cancellationToken);
        Log.LotChanged(logger, lotId, change, actor);
        return await store.GetAsync(lotId, cancellationToken);
    }

    private static ProblemHttpResult? Validate(LotRequest request)
    {
        if (request.Id is not null && !LotId.IsValid(request.Id))
        {
            return LotProblems.InvalidLotId(request.Id);
        }

        if (string.IsNullOrWhiteSpace(request.Name))
        {
            return ApiProblems.Invalid("name must not be empty.");
        }

        if (request.Location is not { } location || !GeoMath.IsValid(location))
        {
            return ApiProblems.Invalid("location needs lat in [-90, 90] and lng in [-180, 180].");
        }

        if (request.TimeZone is null || !TimeZoneInfo.TryFindSystemTimeZoneById(request.TimeZone, out _))
        {
            return ApiProblems.Invalid($"timeZone '{request.TimeZone}' is not a known IANA time zone id (e.g. \"Europe/Berlin\").");
        }

        if (request.VehicleTypes is null || request.VehicleTypes.Count == 0 || request.VehicleTypes.Any(t => !Enum.IsDefined(t)))
        {
            return ApiProblems.Invalid("vehicleTypes must name at least one vehicle type.");
        }

        if (request.OpeningHours?.Any(h => h is null || h.Days is null || h.Days.Count == 0 || h.Days.Any(d => !Enum.IsDefined(d))) == true)
        {
            return ApiProblems.Invalid("Every openingHours entry needs days (e.g. [\"monday\"]), open and close.");
        }

        if (request.Tariff is { } tariff && TariffEngine.Validate(tariff) is { Count: > 0 } problems)
        {
            return ApiProblems.Unprocessable("Invalid tariff", string.Join(" ", problems));
        }

        return null;
    }

    private static LotDefinition ToDefinition(LotRequest request) =>
        new(request.Id!, request.Name!.Trim(), request.TimeZone!, request.Location!, request.OpeningHours ?? [], DbValues.Normalise(request.VehicleTypes!));

    private static ProblemHttpResult ToProblem(LotWriteResult result, string lotId) => result.Status switch
    {
        LotWriteStatus.UnknownLot => LotProblems.UnknownLot(lotId),
        LotWriteStatus.Conflict => ApiProblems.Conflict("Conflict", result.Detail ?? $"Lot '{lotId}' changed meanwhile."),
        _ => ApiProblems.Unprocessable("Not possible", result.Detail ?? "The change does not fit the lot."),
    };
}
