using System.ComponentModel.DataAnnotations;
using ParkingLot.Shared.Contracts;

namespace ParkingLot.Edge;

/// <summary>What the agent runs on (configuration section <c>Edge</c>).</summary>
internal sealed class EdgeOptions
{
    public const string Section = "Edge";

    /// <summary>Lot file (<c>--lot</c>), relative to the working directory. Default hardware/lots/demo-lot.json.</summary>
    [Required]
    public string LotFile { get; set; } = "hardware/lots/demo-lot.json";

    /// <summary>Ledger and key folder (<c>--data</c>). Default ./.data/edge/&lt;lotId&gt;.</summary>
    public string? DataDirectory { get; set; }

    /// <summary>Simulated sensors and barriers with traffic from a scenario (<c>--simulate</c>). Default false.</summary>
    public bool Simulate { get; set; }

    /// <summary>
    /// Clock quality recorded with events. Default: <see cref="Shared.Contracts.TimeQuality.Synced"/>
    /// when systemd-timesyncd reports synchronisation, else <see cref="Shared.Contracts.TimeQuality.Unsynced"/>.
    /// </summary>
    public TimeQuality? TimeQuality { get; set; }
}

/// <summary>Resolved folders of this run.</summary>
internal sealed record EdgePaths(string DataDirectory)
{
    public string LedgerFile => Path.Combine(DataDirectory, "ledger.db");
}
