namespace ParkingLot.Cloud.Availability;

internal static class AvailabilityExtensions
{
    /// <summary>The availability cache (in-process by default) and the service that reads through it.</summary>
    public static IHostApplicationBuilder AddAvailability(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<IAvailabilityCache, InProcessAvailabilityCache>();
        builder.Services.AddSingleton<AvailabilityService>();
        return builder;
    }
}
