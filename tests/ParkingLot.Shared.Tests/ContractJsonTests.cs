using System.Text.Json;
using ParkingLot.Shared.Contracts;
using ParkingLot.Shared.Credentials;
using ParkingLot.Shared.Tariffs;

namespace ParkingLot.Shared.Tests;

public sealed class ContractJsonTests
{
    private const string Entered = """{"gateId":"entry-1","ticketId":"T-1","vehicleType":"ev","credential":"pass","bookingId":"bk-9"}""";

    [Fact]
    public void Deserialize_VehicleEntered_ReadsCamelCaseEnums()
    {
        var entered = JsonSerializer.Deserialize(Entered, ParkingLotJsonContext.Default.VehicleEntered);

        Assert.Equal(new VehicleEntered("entry-1", "T-1", VehicleType.Ev, CredentialKind.Pass, "bk-9"), entered);
    }

    [Theory]
    [InlineData("gateId")]
    [InlineData("ticketId")]
    [InlineData("vehicleType")]
    [InlineData("credential")]
    public void Deserialize_VehicleEnteredMissingRequiredField_IsRejected(string field)
    {
        using var document = JsonDocument.Parse(Entered);
        var without = "{" + string.Join(',', document.RootElement.EnumerateObject().Where(p => p.Name != field).Select(p => p.ToString())) + "}";

        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize(without, ParkingLotJsonContext.Default.VehicleEntered));
    }

    [Fact]
    public void Deserialize_VehicleEnteredNullInNonNullableField_IsRejected()
    {
        var json = Entered.Replace("\"T-1\"", "null", StringComparison.Ordinal);

        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize(json, ParkingLotJsonContext.Default.VehicleEntered));
    }

    [Fact]
    public void Deserialize_VehicleEnteredUnknownExtraField_IsTolerated()
    {
        var json = Entered.Replace("}", ""","plate":"B-PL 123","v2":{"nested":[1,2]}}""", StringComparison.Ordinal);

        var entered = JsonSerializer.Deserialize(json, ParkingLotJsonContext.Default.VehicleEntered);

        Assert.Equal("T-1", entered!.TicketId);
    }

    [Fact]
    public void Serialize_FeeQuote_RoundTrips()
    {
        var at = new DateTimeOffset(2026, 11, 3, 10, 0, 0, TimeSpan.FromHours(1));
        var quote = new FeeQuote(new Money(900, "EUR"), "demo-2026-11", VehicleType.Car, at, at.AddHours(2), 100, [new FeeLine("Day 1: 9 × 15 min @ 1.00 EUR", new Money(900, "EUR"))]);

        var json = JsonSerializer.Serialize(quote, ParkingLotJsonContext.Default.FeeQuote);
        var back = JsonSerializer.Deserialize(json, ParkingLotJsonContext.Default.FeeQuote)!;

        Assert.Contains("\"tariffVersion\":\"demo-2026-11\"", json, StringComparison.Ordinal);
        Assert.Equal(quote with { Lines = [] }, back with { Lines = [] });
        Assert.Equal(quote.Lines, back.Lines);
    }

    [Fact]
    public void Serialize_Credential_RoundTrips()
    {
        var credential = new Credential(CredentialKind.Pass, "demo-lot", "bk-1", VehicleType.Car, "C001", new DateTimeOffset(2026, 11, 3, 10, 0, 0, TimeSpan.Zero), null, 3);

        var json = JsonSerializer.Serialize(credential, ParkingLotJsonContext.Default.Credential);

        Assert.Equal(credential, JsonSerializer.Deserialize(json, ParkingLotJsonContext.Default.Credential));
    }
}
