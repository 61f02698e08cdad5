using System.Net;
using System.Net.Sockets;
using MQTTnet.Server;

namespace ParkingLot.Edge.Tests.Builders;

/// <summary>
/// An in-process MQTTnet broker on a free loopback port (the MQTTnet test-environment pattern).
/// It can be stopped and started again on the same port to play a broker restart, which loses its
/// in-memory sessions and retained messages as a real restart without persistence would.
/// </summary>
internal sealed class MqttTestBroker : IAsyncDisposable
{
    private MqttServer? _server;

    private MqttTestBroker(int port) => Port = port;

    public int Port { get; }

    public MqttServer Server => _server ?? throw new InvalidOperationException("The broker is stopped.");

    public static async Task<MqttTestBroker> StartAsync()
    {
        var broker = new MqttTestBroker(FreePort());
        await broker.RestartAsync();
        return broker;
    }

    public async Task StopAsync()
    {
        if (_server is not null)
        {
            await _server.StopAsync(new MqttServerStopOptions());
            _server.Dispose();
            _server = null;
        }
    }

    public async Task RestartAsync()
    {
        await StopAsync();
        var options = new MqttServerOptionsBuilder()
            .WithDefaultEndpoint()
            .WithDefaultEndpointBoundIPAddress(IPAddress.Loopback)
            .WithDefaultEndpointPort(Port)
            .WithDefaultEndpointReuseAddress()
            .WithPersistentSessions()
            .Build();
        _server = new MqttServerFactory().CreateMqttServer(options);
        await _server.StartAsync();
    }

    /// <summary>Drops one client's connection as a flaky network would (no DISCONNECT from the client).</summary>
    public async Task DropClientAsync(string clientId)
    {
        var clients = await Server.GetClientsAsync();
        var client = clients.Single(c => c.Id == clientId);
        await client.DisconnectAsync(new MqttServerClientDisconnectOptions { ReasonCode = MQTTnet.Protocol.MqttDisconnectReasonCode.ServerBusy });
    }

    public async ValueTask DisposeAsync() => await StopAsync();

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
