using ParkingLot.Cloud.Health;

namespace ParkingLot.Cloud.Mqtt;

internal static class MqttExtensions
{
    /// <summary>The in-process broker (when <c>Mqtt:Broker</c> is absent) and the cloud's MQTT client.</summary>
    public static IHostApplicationBuilder AddMqtt(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<MqttOptions>()
            .BindConfiguration(MqttOptions.Section)
            .ValidateDataAnnotations()
            .Validate(MqttOptions.IsValid, MqttOptions.ValidationMessage)
            .ValidateOnStart();

        // Registered in this order so the broker listens before the client first connects.
        builder.Services.AddHostedService<EmbeddedBroker>();
        builder.Services.AddSingleton<CloudMqttConnection>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<CloudMqttConnection>());
        builder.Services.AddHealthChecks().AddCheck<BrokerHealthCheck>("broker", tags: [HealthExtensions.ReadyTag]);
        return builder;
    }
}
