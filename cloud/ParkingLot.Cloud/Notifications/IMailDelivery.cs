using MimeKit;

namespace ParkingLot.Cloud.Notifications;

/// <summary>Hands one e-mail on: to the SMTP relay, or to a .eml file when none is configured.</summary>
internal interface IMailDelivery
{
    /// <summary>Delivers the message; throws when it was not delivered (the sender retries). Returns where it went, for the log.</summary>
    Task<string> DeliverAsync(MimeMessage message, CancellationToken cancellationToken);
}

internal static class OutboxMime
{
    /// <summary>
    /// The e-mail of an outbox message. Its Message-Id is derived from the outbox id, so a message sent
    /// again after a lost acknowledgement carries the same id and mail clients can fold the copies.
    /// </summary>
    public static MimeMessage Create(OutboxMessage message, string from, DateTimeOffset now)
    {
        var mime = new MimeMessage
        {
            Subject = message.Subject,
            MessageId = $"{message.Id:N}@parkinglot",
            Date = now,
            Body = new BodyBuilder { TextBody = message.TextBody, HtmlBody = message.HtmlBody }.ToMessageBody(),
        };
        mime.From.Add(MailboxAddress.Parse(from));
        mime.To.Add(MailboxAddress.Parse(message.Recipient));
        return mime;
    }
}
