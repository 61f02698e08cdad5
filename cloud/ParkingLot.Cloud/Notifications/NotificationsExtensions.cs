using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using ParkingLot.Cloud.Storage;
using ParkingLot.Cloud.Storage.Postgres;

namespace ParkingLot.Cloud.Notifications;

internal static class NotificationsExtensions
{
    /// <summary>
    /// The e-mail notifications: <see cref="IBookingNotifications"/> backed by the outbox on the configured
    /// store, the sender (SMTP when <c>Smtp:Host</c> is set, else .eml files under
    /// <c>Notifications:MailDirectory</c>, default <c>&lt;Storage:DataDirectory&gt;/mail</c>) and the
    /// reminder sweeper. Safe to call more than once; an <see cref="IBookingNotifications"/> registered
    /// earlier (a test's) wins.
    /// </summary>
    public static IServiceCollection TryAddBookingNotifications(this IServiceCollection services)
    {
        if (services.Any(d => d.ServiceType == typeof(BookingNotifications)))
        {
            return services;
        }

        services.AddOptions<NotificationsOptions>().BindConfiguration(NotificationsOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<SmtpOptions>().BindConfiguration(SmtpOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<INotificationOutbox>(sp => sp.GetRequiredService<IStoreDatabase>() switch
        {
            PostgresDatabase postgres => new PostgresNotificationOutbox(postgres.DataSource),
            SqliteDatabase sqlite => new SqliteNotificationOutbox(sqlite),
            var other => throw new InvalidOperationException($"No notification outbox for the {other.Kind} store."),
        });
        services.AddSingleton<BookingNotifications>();
        services.TryAddSingleton<IBookingNotifications>(sp => sp.GetRequiredService<BookingNotifications>());
        services.AddSingleton<IMailDelivery>(sp =>
        {
            if (!string.IsNullOrWhiteSpace(sp.GetRequiredService<IOptions<SmtpOptions>>().Value.Host))
            {
                return new SmtpMailDelivery(sp.GetRequiredService<IOptions<SmtpOptions>>());
            }

            var directory = sp.GetRequiredService<IOptions<NotificationsOptions>>().Value.MailDirectory
                ?? Path.Combine(sp.GetRequiredService<IOptions<StorageOptions>>().Value.DataDirectory, "mail");
            return new FileMailDelivery(directory);
        });
        services.AddSingleton<OutboxSender>();
        services.AddHostedService(sp => sp.GetRequiredService<OutboxSender>());
        services.AddSingleton<NotificationSweeper>();
        services.AddHostedService(sp => sp.GetRequiredService<NotificationSweeper>());
        return services;
    }
}
