using ParkingLot.Cloud.Notifications;
using ParkingLot.Cloud.Quotes;

namespace ParkingLot.Cloud.Bookings;

internal static class BookingsExtensions
{
    /// <summary>Quotes, bookings, the hold sweeper and the pass signer (the store comes from AddStorage).</summary>
    public static IHostApplicationBuilder AddBookings(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<BookingsOptions>()
            .BindConfiguration(BookingsOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddOptions<PassesOptions>().BindConfiguration(PassesOptions.Section);
        builder.Services.AddSingleton<PassSigner>();
        builder.Services.AddSingleton<QuoteService>();
        builder.Services.TryAddBookingNotifications();
        builder.Services.AddSingleton<BookingService>();
        builder.Services.AddSingleton<BookingSweeper>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<BookingSweeper>());
        return builder;
    }
}
