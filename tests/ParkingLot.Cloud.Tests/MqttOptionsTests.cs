using ParkingLot.Cloud.Mqtt;

namespace ParkingLot.Cloud.Tests;

/// <summary>Broker configuration: embedded by default, an external broker by <c>Mqtt:Broker</c>.</summary>
public sealed class MqttOptionsTests
{
    [Theory]
    [InlineData(null, null, true, "127.0.0.1", 1883)]
    [InlineData("mqtt.example.net:8883", null, true, "mqtt.example.net", 8883)]
    [InlineData("[::1]:1884", "cloud", true, "::1", 1884)]
    [InlineData("mqtt.example.net", null, false, null, 0)]
    [InlineData("mqtt.example.net:0", null, false, null, 0)]
    [InlineData("mqtt.example.net:99999", null, false, null, 0)]
    [InlineData(null, "cloud", false, null, 0)]
    public void IsValid_BrokerAndSharedGroup_AcceptsOnlyUsableCombinations(string? broker, string? group, bool valid, string? host, int port)
    {
        var options = new MqttOptions { Broker = broker, SharedSubscriptionGroup = group };

        Assert.Equal(valid, MqttOptions.IsValid(options));
        if (valid)
        {
            Assert.Equal((host, port), options.Endpoint);
        }
    }

    [Fact]
    public void Endpoint_EmbeddedOnAllInterfaces_ConnectsOverLoopback()
    {
        var options = new MqttOptions { ListenAddress = "0.0.0.0", ListenPort = 2883 };

        Assert.Equal(("127.0.0.1", 2883), options.Endpoint);
    }
}
