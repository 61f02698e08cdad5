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

    /// <summary>
    /// How long the in-memory lot catalogue (search, quotes, bookings) is used before it is reloaded;
    /// changes made on this instance reload it at once. Default 30 seconds.
    /// </summary>
    [System.ComponentModel.DataAnnotations.Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan CatalogRefresh { get; set; } = TimeSpan.FromSeconds(30);
}
