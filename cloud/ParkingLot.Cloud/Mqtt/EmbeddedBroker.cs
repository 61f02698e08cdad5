using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;
using MQTTnet.Server;

namespace ParkingLot.Cloud.Mqtt;

/// <summary>
/// The in-process MQTTnet broker of the embedded defaults: runs only when <c>Mqtt:Broker</c> is
/// absent, so <c>dotnet run</c> works on a bare machine. Sessions and retained messages live in
/// memory; edges resend from their outbox after a restart and the cloud re-publishes its acks.
/// </summary>
internal sealed class EmbeddedBroker(IOptions<MqttOptions> options, ILogger<EmbeddedBroker> logger) : IHostedService, IDisposable
{
    private readonly Lock _stopLock = new();
    private MqttServer? _server;
    private Task? _stopping;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (!settings.IsEmbedded)
        {
            return;
        }

        var address = IPAddress.Parse(settings.ListenAddress);
        var builder = new MqttServerOptionsBuilder()
            .WithDefaultEndpoint()
            .WithDefaultEndpointPort(settings.ListenPort)
            .WithPersistentSessions();

        // MQTTnet listens on IPv4 and IPv6 at once; bind the IPv6 side to the matching scope so
        // "loopback only" really means loopback only.
        builder = address.AddressFamily == AddressFamily.InterNetworkV6
            ? builder.WithDefaultEndpointBoundIPV6Address(address).WithDefaultEndpointBoundIPAddress(IPAddress.IsLoopback(address) ? IPAddress.Loopback : IPAddress.Any)
            : builder.WithDefaultEndpointBoundIPAddress(address).WithDefaultEndpointBoundIPV6Address(IPAddress.IsLoopback(address) ? IPAddress.IPv6Loopback : IPAddress.IPv6Any);

        _server = new MqttServerFactory().CreateMqttServer(builder.Build());
        await _server.StartAsync();
        Log.EmbeddedBrokerStarted(logger, settings.ListenAddress, settings.ListenPort);
    }

    /// <summary>
    /// Stops once, whoever asks: under WebApplicationFactory (and any caller of <c>RunAsync</c> that
    /// also stops the host) the host's StopAsync runs twice at the same time, and MQTTnet's listener
    /// clean-up is not safe to run concurrently with itself.
    /// </summary>
    public Task StopAsync(CancellationToken cancellationToken)
    {
        lock (_stopLock)
        {
            return _stopping ??= _server is null ? Task.CompletedTask : _server.StopAsync();
        }
    }

    public void Dispose()
    {
        lock (_stopLock)
        {
            _stopping ??= Task.CompletedTask;
        }

        _server?.Dispose();
    }
}
