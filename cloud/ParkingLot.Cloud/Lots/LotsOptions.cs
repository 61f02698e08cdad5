namespace ParkingLot.Cloud.Lots;

/// <summary>Lots known at start (configuration section <c>Lots</c>).</summary>
internal sealed class LotsOptions
{
    public const string Section = "Lots";

    /// <summary>
    /// Lot files (hardware/lots/*.json) loaded at every start and upserted into the store, lot and
    /// spots. A file that does not parse stops the start with its path and line. Default none.
    /// </summary>
    public string[] SeedFiles { get; set; } = [];
}
