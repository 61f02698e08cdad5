using System.Globalization;
using Microsoft.AspNetCore.Hosting;
using MimeKit;
using netDumbster.smtp;
using ParkingLot.Cloud.Tests.Bookings;
using ParkingLot.Tests.Common;

namespace ParkingLot.Cloud.Tests.Notifications;

/// <summary>
/// A <see cref="BookingCloud"/> (fake clock) whose e-mail goes over SMTP to an in-process server
/// (netDumbster) on a fixed loopback port, which a test may stop and start again. The sender's and
/// sweeper's timers are set far apart so the tests drive them step by step
/// (<c>OutboxSender.SendDueAsync</c>, <c>NotificationSweeper.SweepAsync</c>).
/// </summary>
public class NotificationCloud : BookingCloud
{
    public int SmtpPort { get; } = CloudApplication.FreeTcpPort();

    public SimpleSmtpServer? Smtp { get; private set; }

    public override async Task InitializeAsync()
    {
        StartSmtp();
        await base.InitializeAsync();
    }

    public void StartSmtp() => Smtp ??= SimpleSmtpServer.Start(SmtpPort);

    public void StopSmtp()
    {
        Smtp?.Dispose();
        Smtp = null;
    }

    /// <summary>The messages the SMTP server received for <paramref name="recipient"/>, parsed.</summary>
    public IReadOnlyList<MimeMessage> ReceivedBy(string recipient) =>
        [.. (Smtp?.ReceivedEmail ?? []).Select(Parse).Where(m => m.To.Mailboxes.Any(b => string.Equals(b.Address, recipient, StringComparison.OrdinalIgnoreCase)))];

    protected override void ConfigureMore(IWebHostBuilder builder)
    {
        builder.UseSetting("Smtp:Host", "127.0.0.1");
        builder.UseSetting("Smtp:Port", SmtpPort.ToString(CultureInfo.InvariantCulture));
        builder.UseSetting("Smtp:Security", "None");
        builder.UseSetting("Smtp:Timeout", "00:00:10");
        builder.UseSetting("Notifications:PollInterval", "01:00:00");
        builder.UseSetting("Notifications:SweepInterval", "00:10:00");
        ConfigureStore(builder);
    }

    /// <summary>The store of a derived cloud (default: the embedded SQLite store).</summary>
    protected virtual void ConfigureStore(IWebHostBuilder builder)
    {
    }

    protected override ValueTask DisposeMoreAsync()
    {
        StopSmtp();
        return ValueTask.CompletedTask;
    }

    private static MimeMessage Parse(SmtpMessage message)
    {
        using var stream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(message.Data));
        return MimeMessage.Load(stream);
    }
}

/// <summary><see cref="NotificationCloud"/> on PostgreSQL (a fresh database of the one ./test.sh starts).</summary>
public sealed class PostgresNotificationCloud : NotificationCloud
{
    private string _connectionString = null!;

    public override async Task InitializeAsync()
    {
        _connectionString = await TestServices.CreateDatabaseAsync("notifications", TestContext.Token);
        await base.InitializeAsync();
    }

    protected override void ConfigureStore(IWebHostBuilder builder) => builder.UseSetting("ConnectionStrings:Postgres", _connectionString);
}

[CollectionDefinition(Name)]
public sealed class PostgresNotificationCloudCollection : ICollectionFixture<PostgresNotificationCloud>
{
    public const string Name = "Notification cloud on PostgreSQL";
}

[CollectionDefinition(Name)]
public sealed class NotificationCloudCollection : ICollectionFixture<NotificationCloud>
{
    public const string Name = "Notification cloud";
}
