using Microsoft.Extensions.Options;

namespace ParkingLot.Cloud.Notifications;

/// <summary>
/// Delivers due outbox messages every <see cref="NotificationsOptions.PollInterval"/>. Each batch is
/// leased to this instance first, so two cloud instances never send one message at the same time.
/// A failed attempt is retried after <see cref="NotificationsOptions.RetryDelay"/>, doubling per
/// attempt up to <see cref="NotificationsOptions.MaxRetryDelay"/>, until
/// <see cref="NotificationsOptions.MaxAttempts"/>. Delivery is at least once: a crash between the
/// SMTP acknowledgement and the "sent" mark sends the message again after the lease (same Message-Id).
/// </summary>
internal sealed class OutboxSender(
    INotificationOutbox outbox, IMailDelivery delivery, IOptions<NotificationsOptions> options, TimeProvider timeProvider,
    ILogger<OutboxSender> logger) : BackgroundService
{
    private readonly string _owner = $"{Environment.MachineName}/{Guid.NewGuid():N}";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.PollInterval, timeProvider);
        try
        {
            do
            {
                try
                {
                    await SendDueAsync(stoppingToken);
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    Log.OutboxPollFailed(logger, exception);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down; a leased message is tried again when its lease runs out.
        }
    }

    /// <summary>One poll: claims the due messages and tries each once. Returns how many were delivered.</summary>
    public async Task<int> SendDueAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var now = timeProvider.GetUtcNow();
        var claimed = await outbox.ClaimDueAsync(now, _owner, now + settings.LeaseDuration, settings.BatchSize, cancellationToken);
        var delivered = 0;
        foreach (var message in claimed)
        {
            if (await TrySendAsync(message, settings, cancellationToken))
            {
                delivered++;
            }
        }

        return delivered;
    }

    /// <summary>The wait after failed attempt number <paramref name="attempts"/> (1-based): doubling, capped.</summary>
    internal static TimeSpan Backoff(NotificationsOptions settings, int attempts)
    {
        var factor = Math.Pow(2, Math.Min(attempts - 1, 30));
        var delay = settings.RetryDelay * factor;
        return delay < settings.MaxRetryDelay ? delay : settings.MaxRetryDelay;
    }

    private async Task<bool> TrySendAsync(OutboxMessage message, NotificationsOptions settings, CancellationToken cancellationToken)
    {
        try
        {
            var where = await delivery.DeliverAsync(OutboxMime.Create(message, settings.From, timeProvider.GetUtcNow()), cancellationToken);
            await outbox.MarkSentAsync(message.Id, _owner, timeProvider.GetUtcNow(), cancellationToken);
            Log.EmailDelivered(logger, message.Kind, message.SubjectId, where);
            return true;
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var error = $"{exception.GetType().Name}: {exception.Message}";
            if (message.Attempts >= settings.MaxAttempts)
            {
                await outbox.MarkAttemptFailedAsync(message.Id, _owner, error, null, cancellationToken);
                Log.EmailGaveUp(logger, message.Kind, message.SubjectId, message.Attempts, exception);
            }
            else
            {
                var retryAt = timeProvider.GetUtcNow() + Backoff(settings, message.Attempts);
                await outbox.MarkAttemptFailedAsync(message.Id, _owner, error, retryAt, cancellationToken);
                Log.EmailRetryScheduled(logger, message.Kind, message.SubjectId, message.Attempts, retryAt, exception);
            }

            return false;
        }
    }
}
