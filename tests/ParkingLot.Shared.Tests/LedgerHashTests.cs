using ParkingLot.Shared.Contracts;

namespace ParkingLot.Shared.Tests;

public sealed class LedgerHashTests
{
    private const string Payload = """{"gateId":"entry-1","ticketId":"T-1","vehicleType":"car","credential":"ticket","bookingId":null}""";
    private static readonly Guid Id = Guid.Parse("0b9e1c5e-3c1e-4d3a-9b7a-5f1d2c3b4a59");
    private static readonly DateTimeOffset At = new(2026, 11, 3, 12, 0, 0, TimeSpan.Zero);

    public static TheoryData<string> Changes => new()
    {
        "prevHash", "seq", "id", "type", "occurredAt", "timeQuality", "payload", "payload whitespace",
    };

    [Theory]
    [MemberData(nameof(Changes))]
    public void Compute_AnyFieldChanged_ChangesTheHash(string field)
    {
        var original = Hash();

        var changed = field switch
        {
            "prevHash" => Hash(prevHash: new string('1', 64)),
            "seq" => Hash(seq: 8),
            "id" => Hash(id: Guid.Parse("0b9e1c5e-3c1e-4d3a-9b7a-5f1d2c3b4a5a")),
            "type" => Hash(type: EventTypes.VehicleExited),
            "occurredAt" => Hash(occurredAt: At.AddTicks(1)),
            "timeQuality" => Hash(timeQuality: TimeQuality.Rtc),
            "payload" => Hash(payload: Payload.Replace("T-1", "T-2", StringComparison.Ordinal)),
            "payload whitespace" => Hash(payload: Payload.Replace(",", ", ", StringComparison.Ordinal)),
            _ => throw new ArgumentOutOfRangeException(nameof(field)),
        };

        Assert.NotEqual(original, changed);
    }

    [Fact]
    public void Compute_SameFields_SameLowerHexHash()
    {
        var hash = Hash();

        Assert.Equal(hash, Hash());
        Assert.Matches("^[0-9a-f]{64}$", hash);
        Assert.Equal(Hash(), Hash(occurredAt: At.ToOffset(TimeSpan.FromHours(1))));
    }

    private static string Hash(
        string? prevHash = null,
        long seq = 7,
        Guid? id = null,
        string type = EventTypes.VehicleEntered,
        DateTimeOffset? occurredAt = null,
        TimeQuality timeQuality = TimeQuality.Synced,
        string payload = Payload) =>
        LedgerHash.Compute(prevHash ?? LedgerHash.Genesis, seq, id ?? Id, type, occurredAt ?? At, timeQuality, payload);
}
