using MailKit.Net.Smtp;
using Microsoft.Extensions.Options;
using MimeKit;

namespace ParkingLot.Cloud.Notifications;

/// <summary>Delivery through the configured SMTP relay with MailKit; one connection per message.</summary>
internal sealed class SmtpMailDelivery(IOptions<SmtpOptions> options) : IMailDelivery
{
    public async Task<string> DeliverAsync(MimeMessage message, CancellationToken cancellationToken)
    {
        var smtp = options.Value;
        var host = smtp.Host ?? throw new InvalidOperationException("Smtp:Host is not set.");
        using var client = new SmtpClient { Timeout = (int)smtp.Timeout.TotalMilliseconds };
        await client.ConnectAsync(host, smtp.Port, smtp.Security, cancellationToken);
        if (!string.IsNullOrEmpty(smtp.UserName))
        {
            await client.AuthenticateAsync(smtp.UserName, smtp.Password ?? string.Empty, cancellationToken);
        }

        await client.SendAsync(message, cancellationToken);
        await client.DisconnectAsync(quit: true, cancellationToken);
        return $"smtp://{host}:{smtp.Port}";
    }
}
