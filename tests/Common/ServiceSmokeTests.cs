using System.Text;
using MQTTnet;
using Npgsql;
using StackExchange.Redis;

namespace ParkingLot.Tests.Common;

/// <summary>
/// Proves this test project reaches every service ./test.sh starts. Compiled into each test project
/// (tests/Common/TestProject.props) so a broken service set-up shows in all of them.
/// </summary>
public sealed class ServiceSmokeTests
{
    [Fact]
    public async Task Postgres_Query_ReturnsServerVersionAndComputes()
    {
        await using var connection = new NpgsqlConnection(TestServices.PostgresConnectionString);
        await connection.OpenAsync(TestContext.Token);
        await using var command = new NpgsqlCommand("SELECT 6 * 7, current_setting('server_version_num')::int", connection);
        await using var reader = await command.ExecuteReaderAsync(TestContext.Token);
        Assert.True(await reader.ReadAsync(TestContext.Token));
        Assert.Equal(42, reader.GetInt32(0));
        Assert.True(reader.GetInt32(1) >= 130000, "PostgreSQL 13 or newer is needed for the exclusion constraints.");
    }

    [Fact]
    public async Task Redis_SetThenGet_RoundTrips()
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(TestServices.RedisConfiguration);
        var db = redis.GetDatabase();
        var key = $"smoke:{Guid.NewGuid():N}";
        var value = Guid.NewGuid().ToString("N");
        Assert.True(await db.StringSetAsync(key, value, TimeSpan.FromMinutes(1)));
        Assert.Equal(value, (string?)await db.StringGetAsync(key));
        Assert.True(await db.KeyDeleteAsync(key));
    }

    [Fact]
    public async Task Mosquitto_PublishQos1_SubscriberReceivesIt()
    {
        var (host, port) = TestServices.Mosquitto;
        var factory = new MqttClientFactory();
        using var subscriber = factory.CreateMqttClient();
        using var publisher = factory.CreateMqttClient();
        var topic = $"smoke/{Guid.NewGuid():N}";
        var payload = Guid.NewGuid().ToString("N");
        var received = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        subscriber.ApplicationMessageReceivedAsync += e =>
        {
            received.TrySetResult(Encoding.UTF8.GetString(e.ApplicationMessage.Payload));
            return Task.CompletedTask;
        };

        await subscriber.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer(host, port).WithClientId($"sub-{Guid.NewGuid():N}").Build(), TestContext.Token);
        await subscriber.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter(topic, MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce).Build(), TestContext.Token);
        await publisher.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer(host, port).WithClientId($"pub-{Guid.NewGuid():N}").Build(), TestContext.Token);
        await publisher.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload).WithQualityOfServiceLevel(MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce).Build(), TestContext.Token);

        Assert.Equal(payload, await received.Task.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Token));
    }
}
