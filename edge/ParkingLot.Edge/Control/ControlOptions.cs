using System.ComponentModel.DataAnnotations;

namespace ParkingLot.Edge.Control;

/// <summary>The local control API (configuration section <c>Control</c>).</summary>
internal sealed class ControlOptions
{
    public const string Section = "Control";

    /// <summary>Unix domain socket to listen on. Default <c>&lt;data dir&gt;/control.sock</c> (mode 0660: owner and group).</summary>
    public string? Socket { get; set; }

    /// <summary>Also listen on 127.0.0.1 at this port (loopback only). Default: off.</summary>
    [Range(1, 65535)]
    public int? TcpPort { get; set; }

    /// <summary>Off switch for hosts that must not expose any control surface. Default true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How often printers are asked for their status, so paper-out shows without a self-test. Default 30 s.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan DeviceCheckInterval { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>Where the control API's socket and token are for this run.</summary>
internal sealed record ControlPaths(string Socket, string TokenFile)
{
    public const string SocketFileName = "control.sock";

    public const string TokenFileName = "control.token";
}
