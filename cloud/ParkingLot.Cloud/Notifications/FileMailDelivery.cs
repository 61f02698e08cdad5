using MimeKit;

namespace ParkingLot.Cloud.Notifications;

/// <summary>
/// With no SMTP relay (the demo, a bare machine): each message becomes a .eml file in the mail folder,
/// which any mail client opens, and the path is logged. Written to a temporary name and renamed, so a
/// reader never sees half a message.
/// </summary>
internal sealed class FileMailDelivery(string directory) : IMailDelivery
{
    public string Directory { get; } = Path.GetFullPath(directory);

    public async Task<string> DeliverAsync(MimeMessage message, CancellationToken cancellationToken)
    {
        System.IO.Directory.CreateDirectory(Directory);
        var path = Path.Combine(Directory, $"{message.Date.UtcDateTime:yyyyMMdd-HHmmss}-{(message.MessageId ?? "message").Split('@')[0]}.eml");
        var temporary = path + ".tmp";
        await message.WriteToAsync(temporary, cancellationToken);
        File.Move(temporary, path, overwrite: true);
        return path;
    }
}
