using ParkingLot.Shared.Contracts;

namespace ParkingLot.Cloud.Lots;

/// <summary>Checks both stores apply inside their write transaction, so they refuse the same things.</summary>
internal static class CapacityRules
{
    /// <summary>A sentence naming the first share that does not fit its spots, or null when all fit.</summary>
    public static string? Check(CapacitySplit current, IReadOnlyDictionary<VehicleType, int> reservable)
    {
        foreach (var (type, share) in reservable.OrderBy(p => p.Key))
        {
            var spots = current.Shares.FirstOrDefault(s => s.VehicleType == type)?.Spots ?? 0;
            if (share < 0)
            {
                return $"The reservable share of {DbName(type)} must not be negative (is {share}).";
            }

            if (share > spots)
            {
                return $"The reservable share of {DbName(type)} ({share}) exceeds the {spots} {DbName(type)} spots of lot '{current.LotId}'.";
            }
        }

        return null;
    }

    private static string DbName(VehicleType type) => Storage.DbValues.Name(type);
}

internal static class TariffRules
{
    public static string VersionTaken(string lotId, string version) =>
        $"Tariff version '{version}' of lot '{lotId}' was published with other prices; a version names one set of prices, publish a new version.";
}
