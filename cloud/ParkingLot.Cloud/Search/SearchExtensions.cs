namespace ParkingLot.Cloud.Search;

internal static class SearchExtensions
{
    /// <summary>Nearby search over the in-memory lot catalogue (registered by AddLots).</summary>
    public static IHostApplicationBuilder AddSearch(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<SearchService>();
        return builder;
    }
}
