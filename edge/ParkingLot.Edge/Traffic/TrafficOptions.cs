using System.ComponentModel.DataAnnotations;

namespace ParkingLot.Edge.Traffic;

/// <summary>Simulated traffic (configuration section <c>Traffic</c>; used with <c>--simulate</c>).</summary>
internal sealed class TrafficOptions
{
    public const string Section = "Traffic";

    /// <summary>Scenario file (<c>--traffic</c>), relative to the working directory. Default hardware/scenarios/demo-day.json.</summary>
    [Required]
    public string Scenario { get; set; } = "hardware/scenarios/demo-day.json";

    /// <summary>
    /// Time compression (<c>--speed</c>): scenario seconds per real second. Default 60 (a scenario hour
    /// per minute). Events are still stamped with the real clock, so fees reflect real stay lengths.
    /// </summary>
    [Range(0.01, 1_000_000)]
    public double Speed { get; set; } = 60;

    /// <summary>Overrides the scenario's seed. Default: the scenario's.</summary>
    public int? Seed { get; set; }

    /// <summary>How often the lot's counts are logged. Default 10 s.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan StatusInterval { get; set; } = TimeSpan.FromSeconds(10);
}
