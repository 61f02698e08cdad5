using System.Text.Json.Serialization;

namespace ParkingLot.Shared.Contracts;

/// <summary>Kinds of vehicle a spot, tariff, capacity share or booking is for. Serialised in camelCase ("car", "ev").</summary>
public enum VehicleType
{
    [JsonStringEnumMemberName("car")]
    Car,
    [JsonStringEnumMemberName("motorcycle")]
    Motorcycle,
    [JsonStringEnumMemberName("truck")]
    Truck,
    [JsonStringEnumMemberName("accessible")]
    Accessible,
    [JsonStringEnumMemberName("ev")]
    Ev,
}

/// <summary>How trustworthy the edge clock was when an event was recorded (docs/protocol.md, "Time on a Pi").</summary>
public enum TimeQuality
{
    /// <summary>No source since boot: only a lower bound from the last persisted trusted time.</summary>
    [JsonStringEnumMemberName("unsynced")]
    Unsynced,

    /// <summary>Battery-backed real-time clock.</summary>
    [JsonStringEnumMemberName("rtc")]
    Rtc,

    /// <summary>Cloud time anchor plus the monotonic clock, within a drift margin.</summary>
    [JsonStringEnumMemberName("anchored")]
    Anchored,

    /// <summary>NTP-synchronised.</summary>
    [JsonStringEnumMemberName("synced")]
    Synced,
}
