using ParkingLot.Edge.Sync;

namespace ParkingLot.Edge.Tests;

public sealed class EdgeCommandLineTests
{
    [Fact]
    public void Parse_EveryOption_MapsOntoItsConfigurationKey()
    {
        var parsed = EdgeCommandLine.Parse(["--lot", "lot.json", "--data=/var/lib/edge", "--simulate", "--offline", "--broker", "10.0.0.5:8883", "--traffic", "s.json", "--speed", "120", "--Sync:AckTimeout=00:00:05"]);

        Assert.Null(parsed.Error);
        Assert.Equal("lot.json", parsed.Settings["Edge:LotFile"]);
        Assert.Equal("/var/lib/edge", parsed.Settings["Edge:DataDirectory"]);
        Assert.Equal("true", parsed.Settings["Edge:Simulate"]);
        Assert.Equal("true", parsed.Settings["Sync:Offline"]);
        Assert.Equal("10.0.0.5:8883", parsed.Settings["Sync:Broker"]);
        Assert.Equal("s.json", parsed.Settings["Traffic:Scenario"]);
        Assert.Equal("120", parsed.Settings["Traffic:Speed"]);
        Assert.Equal(["--Sync:AckTimeout=00:00:05"], parsed.Passthrough);
    }

    [Theory]
    [InlineData("--bogus")]
    [InlineData("--broker")]
    [InlineData("--lot", "--simulate")]
    [InlineData("stray")]
    public void Parse_BadArguments_ReportsAnError(params string[] args)
    {
        var parsed = EdgeCommandLine.Parse(args);

        Assert.NotNull(parsed.Error);
    }

    [Theory]
    [InlineData("127.0.0.1:1883", "127.0.0.1", 1883)]
    [InlineData("broker.example.com:8883", "broker.example.com", 8883)]
    [InlineData("[::1]:1883", "::1", 1883)]
    public void TryParse_BrokerAddress_SplitsHostAndPort(string text, string host, int port)
    {
        Assert.True(BrokerAddress.TryParse(text, out var address));
        Assert.Equal(host, address.Host);
        Assert.Equal(port, address.Port);
    }

    [Theory]
    [InlineData("localhost")]
    [InlineData("localhost:")]
    [InlineData(":1883")]
    [InlineData("host:0")]
    [InlineData("host:65536")]
    [InlineData("::1:1883")]
    [InlineData("bad host:1883")]
    public void TryParse_BadBrokerAddress_IsRefused(string text) => Assert.False(BrokerAddress.TryParse(text, out _));
}
