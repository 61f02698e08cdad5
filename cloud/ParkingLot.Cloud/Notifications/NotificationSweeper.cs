using Microsoft.Extensions.Options;

namespace ParkingLot.Cloud.Notifications;

/// <summary>
/// Finds the time-driven moments every <see cref="NotificationsOptions.SweepInterval"/> (a hold that
/// expires within <see cref="NotificationsOptions.HoldExpiringLead"/>, a confirmed booking that starts
/// within <see cref="NotificationsOptions.StartsSoonLead"/>) and enqueues them. Instances may sweep
/// at once: the outbox key lets one message in per moment.
/// </summary>
internal sealed class NotificationSweeper(
    INotificationOutbox outbox, BookingNotifications notifications, IOptions<NotificationsOptions> options, TimeProvider timeProvider,
    ILogger<NotificationSweeper> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.SweepInterval, timeProvider);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await SweepAsync(stoppingToken);
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    Log.NotificationSweepFailed(logger, exception);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    /// <summary>One sweep at the current time; returns the reminders found due.</summary>
    public async Task<IReadOnlyList<DueReminder>> SweepAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var due = await outbox.ListDueRemindersAsync(timeProvider.GetUtcNow(), settings.HoldExpiringLead, settings.StartsSoonLead, cancellationToken);
        foreach (var reminder in due)
        {
            await notifications.ReminderAsync(reminder, cancellationToken);
        }

        if (due.Count > 0)
        {
            Log.RemindersFound(logger, due.Count);
        }

        return due;
    }
}
