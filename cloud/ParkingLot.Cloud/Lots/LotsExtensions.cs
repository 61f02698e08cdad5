namespace ParkingLot.Cloud.Lots;

internal static class LotsExtensions
{
    /// <summary>The lot catalogue and the seeding from <c>Lots:SeedFiles</c> (after the store is initialised).</summary>
    public static IHostApplicationBuilder AddLots(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<LotsOptions>()
            .BindConfiguration(LotsOptions.Section)
            .ValidateOnStart();
        builder.Services.AddSingleton<LotCatalog>();
        builder.Services.AddSingleton<LotAdminService>();
        builder.Services.AddHostedService<LotSeeder>();
        return builder;
    }
}
