using System.ComponentModel.DataAnnotations;
using MailKit.Security;

namespace ParkingLot.Cloud.Notifications;

/// <summary>The e-mail outbox: sender, retries and the time-driven reminders (section <c>Notifications</c>).</summary>
internal sealed class NotificationsOptions
{
    public const string Section = "Notifications";

    /// <summary>The From address of every message. Default <c>ParkingLot &lt;no-reply@parkinglot.invalid&gt;</c>.</summary>
    [Required]
    public string From { get; set; } = "ParkingLot <no-reply@parkinglot.invalid>";

    /// <summary>How often the sender looks for due messages. Default 5 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How often the reminders (hold expiring, starts soon) are looked for. Default 15 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00")]
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Attempts before a message is marked failed. Default 8.</summary>
    [Range(1, 100)]
    public int MaxAttempts { get; set; } = 8;

    /// <summary>Wait after the first failed attempt; doubles per attempt up to <see cref="MaxRetryDelay"/>. Default 30 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "01:00:00")]
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The longest wait between two attempts. Default 1 h.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "1.00:00:00")]
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// How long a claimed message is reserved for the instance sending it; another instance may try
    /// it after that (the first one crashed). Longer than an SMTP send. Default 2 min.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Messages claimed per poll. Default 20.</summary>
    [Range(1, 1000)]
    public int BatchSize { get; set; } = 20;

    /// <summary>How long before an unpaid hold expires the driver is reminded. Default 1 min.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan HoldExpiringLead { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long before a confirmed booking starts the driver is reminded. Default 30 min.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan StartsSoonLead { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Where messages are written as .eml files when no SMTP host is set. Default <c>&lt;Storage:DataDirectory&gt;/mail</c>.</summary>
    public string? MailDirectory { get; set; }
}

/// <summary>The SMTP relay (section <c>Smtp</c>). No <see cref="Host"/>: messages go to .eml files instead.</summary>
internal sealed class SmtpOptions
{
    public const string Section = "Smtp";

    public string? Host { get; set; }

    /// <summary>Default 587 (submission with STARTTLS).</summary>
    [Range(1, 65535)]
    public int Port { get; set; } = 587;

    /// <summary>TLS: <c>Auto</c> (default; STARTTLS when offered), <c>None</c>, <c>SslOnConnect</c>, <c>StartTls</c>, <c>StartTlsWhenAvailable</c>.</summary>
    public SecureSocketOptions Security { get; set; } = SecureSocketOptions.Auto;

    /// <summary>Sign in with these when set.</summary>
    public string? UserName { get; set; }

    public string? Password { get; set; }

    /// <summary>Per SMTP operation. Default 30 s.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);
}
