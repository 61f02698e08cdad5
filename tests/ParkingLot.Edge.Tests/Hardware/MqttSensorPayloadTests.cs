using System.Text;
using Microsoft.Extensions.Time.Testing;
using ParkingLot.Edge.Hardware;
using ParkingLot.Edge.Hardware.Sensors;
using ParkingLot.Shared.Contracts;

namespace ParkingLot.Edge.Tests.Hardware;

public sealed class MqttSensorPayloadTests
{
    private const string Lot = "lot-mqtt-1";

    public static TheoryData<string, bool?, int?> Valid => new()
    {
        { """{"occupied":true}""", true, null },
        { """{"occupied":false}""", false, null },
        { """{"distanceMm":1234}""", null, 1234 },
        { """{"distanceMm":0}""", null, 0 },
        { """{"occupied":true,"distanceMm":850}""", true, 850 },
        { """{"battery":3.1,"rssi":-97,"occupied":true,"meta":{"fw":"1.2"}}""", true, null },
        { " { \"occupied\" : false } ", false, null },
    };

    public static TheoryData<string, string> Invalid => new()
    {
        { "", "empty payload" },
        { "garbage", "not JSON" },
        { "{\"occupied\":tru", "not JSON" },
        { "[true]", "not a JSON object" },
        { "42", "not a JSON object" },
        { "{}", "neither 'occupied' nor 'distanceMm'" },
        { """{"battery":3.1}""", "neither 'occupied' nor 'distanceMm'" },
        { """{"occupied":"true"}""", "'occupied' must be true or false" },
        { """{"occupied":1}""", "'occupied' must be true or false" },
        { """{"occupied":null}""", "'occupied' must be true or false" },
        { """{"distanceMm":-5}""", "outside" },
        { """{"distanceMm":12.5}""", "whole number" },
        { """{"distanceMm":"1234"}""", "whole number" },
        { """{"distanceMm":99999999999}""", "whole number" },
        { """{"distanceMm":60000}""", "outside" },
        { """{"occupied":true} {"occupied":false}""", "not JSON" },
    };

    [Theory]
    [MemberData(nameof(Valid))]
    public void Parse_ValidPayload_ReturnsReading(string json, bool? occupied, int? distanceMm)
    {
        var result = MqttSensorPayload.Parse(Lot, Topics.Sensor(Lot, "S-17"), Encoding.UTF8.GetBytes(json));

        Assert.Null(result.Rejection);
        Assert.Equal(new MqttSensorReading(Lot, "S-17", occupied, distanceMm), result.Reading);
    }

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Parse_InvalidPayload_RejectsWithReason(string json, string reasonContains)
    {
        var result = MqttSensorPayload.Parse(Lot, Topics.Sensor(Lot, "S-17"), Encoding.UTF8.GetBytes(json));

        Assert.Null(result.Reading);
        Assert.Contains(reasonContains, result.Rejection, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("parking/v1/lots/other-lot/sensors/S-1", "not this lot")]
    [InlineData("parking/v1/lots/lot-mqtt-1/edge/state", "not a sensor topic")]
    [InlineData("parking/v1/lots/lot-mqtt-1/sensors/", "sensor id")]
    [InlineData("parking/v1/lots/lot-mqtt-1/sensors/a/b", "sensor id")]
    [InlineData("zigbee2mqtt/S-1", "not a lot topic")]
    public void Parse_WrongTopic_Rejects(string topic, string reasonContains)
    {
        var result = MqttSensorPayload.Parse(Lot, topic, """{"occupied":true}"""u8);

        Assert.Null(result.Reading);
        Assert.Contains(reasonContains, result.Rejection, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_OversizedPayload_Rejects()
    {
        var json = "{\"occupied\":true,\"pad\":\"" + new string('x', MqttSensorPayload.MaxPayloadBytes) + "\"}";

        var result = MqttSensorPayload.Parse(Lot, Topics.Sensor(Lot, "S-1"), Encoding.UTF8.GetBytes(json));

        Assert.Contains("exceeds", result.Rejection, StringComparison.Ordinal);
    }

    [Fact]
    public void MqttSpaceSensor_ReadingOlderThanMaxAge_GivesNoReadingAndFaulted()
    {
        var time = new FakeTimeProvider();
        var sensor = new MqttSpaceSensor("S-1", new DistanceThresholds(1200, 1600), TimeSpan.FromMinutes(15), time);
        Assert.False(sensor.TryReadOccupied(out _));

        sensor.Accept(new MqttSensorReading(Lot, "S-1", null, 700));
        Assert.True(sensor.TryReadOccupied(out var occupied));
        Assert.True(occupied);

        time.Advance(TimeSpan.FromMinutes(16));
        Assert.False(sensor.TryReadOccupied(out _));
        Assert.Equal(DeviceState.Faulted, sensor.GetHealth().State);
    }
}
