using Microsoft.Extensions.Options;
using ParkingLot.Edge.Lots;

namespace ParkingLot.Edge.Sync;

internal static class SyncExtensions
{
    public static void AddSync(this IHostApplicationBuilder builder, LotFile lot)
    {
        builder.Services.AddOptions<SyncOptions>().BindConfiguration(SyncOptions.Section).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<SyncOptions>, SyncOptionsAttributesValidator>();
        builder.Services.AddSingleton<IValidateOptions<SyncOptions>, SyncOptionsValidator>();
        var options = builder.Configuration.GetSection(SyncOptions.Section).Get<SyncOptions>() ?? new SyncOptions();
        var broker = options.Broker ?? lot.Cloud?.Broker;
        if (options.Offline || broker is null)
        {
            builder.Services.AddHostedService<OfflineNotice>();
            return;
        }

        builder.Services.AddSingleton(_ => BrokerAddress.TryParse(broker, out var address)
            ? new SyncTarget(address, lot.Cloud?.Username, lot.Cloud?.Password)
            : throw new OptionsValidationException(SyncOptions.Section, typeof(SyncOptions), [$"--broker '{broker}' is not host:port"]));
        builder.Services.AddSingleton<OutboxPublisher>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<OutboxPublisher>());
    }

    private sealed class SyncOptionsValidator : IValidateOptions<SyncOptions>
    {
        public ValidateOptionsResult Validate(string? name, SyncOptions options)
        {
            var failures = new List<string>();
            if (options.Broker is not null && !BrokerAddress.TryParse(options.Broker, out _))
            {
                failures.Add($"Sync:Broker (--broker) '{options.Broker}' is not host:port (port 1-65535)");
            }

            if (options.MaxReconnectDelay < options.ReconnectDelay)
            {
                failures.Add("Sync:MaxReconnectDelay must not be shorter than Sync:ReconnectDelay");
            }

            return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
        }
    }

    private sealed class OfflineNotice(ILogger<OfflineNotice> logger) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            Log.SyncOffline(logger);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
