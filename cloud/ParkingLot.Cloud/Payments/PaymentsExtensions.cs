using ParkingLot.Cloud.Notifications;
using ParkingLot.Cloud.Storage;
using ParkingLot.Cloud.Storage.Postgres;

namespace ParkingLot.Cloud.Payments;

internal static class PaymentsExtensions
{
    /// <summary>
    /// The payment store of the configured store, the gateway (Stripe with <c>Stripe:SecretKey</c>, else
    /// the test gateway, announced in the log at start), the webhook and the refund sweeper.
    /// </summary>
    public static IHostApplicationBuilder AddPayments(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<StripeOptions>().BindConfiguration(StripeOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<PaymentsOptions>().BindConfiguration(PaymentsOptions.Section).ValidateDataAnnotations().ValidateOnStart();

        if (!string.IsNullOrWhiteSpace(builder.Configuration.GetConnectionString(StorageExtensions.PostgresConnectionStringName)))
        {
            builder.Services.AddSingleton<IPaymentStore, PostgresPaymentStore>();
        }
        else
        {
            builder.Services.AddSingleton<IPaymentStore, SqlitePaymentStore>();
        }

        if (!string.IsNullOrWhiteSpace(builder.Configuration[$"{StripeOptions.Section}:{nameof(StripeOptions.SecretKey)}"]))
        {
            builder.Services.AddSingleton<IPaymentGateway, StripeGateway>();
        }
        else
        {
            // Never with a key: the branch above takes every configured key.
            builder.Services.AddSingleton<IPaymentGateway, TestGateway>();
            builder.Services.AddHostedService<TestGatewayAnnouncement>();
        }

        builder.Services.TryAddBookingNotifications();
        builder.Services.AddSingleton<RefundIssuer>();
        builder.Services.AddSingleton<PaymentService>();
        builder.Services.AddSingleton<PaymentWebhook>();
        builder.Services.AddSingleton<PaymentSweeper>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<PaymentSweeper>());
        return builder;
    }

    /// <summary>Says loudly, once at start, that payments take no money.</summary>
    private sealed class TestGatewayAnnouncement(ILogger<TestGateway> logger) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            Log.TestGatewayActive(logger);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
