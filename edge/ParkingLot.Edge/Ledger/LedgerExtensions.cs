using Microsoft.Extensions.Options;
using ParkingLot.Edge.Lots;
using ParkingLot.Shared.Contracts;

namespace ParkingLot.Edge.Ledger;

internal static class LedgerExtensions
{
    public static void AddLedger(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton(sp =>
        {
            var lot = sp.GetRequiredService<LotFile>();
            var paths = sp.GetRequiredService<EdgePaths>();

            // Microsoft.Data.Sqlite runs its async methods synchronously, so waiting here costs the
            // same as an async open and keeps the store a plain singleton for every feature.
            var store = LedgerStore.OpenAsync(paths.LedgerFile, lot.LotId, sp.GetRequiredService<TimeProvider>()).GetAwaiter().GetResult();
            store.TimeQuality = sp.GetRequiredService<IOptions<EdgeOptions>>().Value.TimeQuality ?? ClockQuality.Detect();
            return store;
        });

        // Registered first: it starts first (AgentStarted is the first event of every boot) and stops last.
        builder.Services.AddHostedService<LedgerStartup>();
        builder.Services.AddHostedService<LedgerWriteMonitor>();

        builder.Services.AddOptions<LedgerCompactionOptions>().BindConfiguration(LedgerCompactionOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<LedgerCompactor>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<LedgerCompactor>());
    }
}

/// <summary>Marks each boot in the ledger and logs where the agent stands on start and stop.</summary>
internal sealed class LedgerStartup(LedgerStore ledger, AgentIdentity agent, IOptions<EdgeOptions> edge, IConfiguration configuration, ILogger<LedgerStartup> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var mode = (edge.Value.Simulate ? "simulated hardware" : "lot-file hardware") + (configuration.GetValue<bool>("Sync:Offline") ? ", offline" : string.Empty);
        Log.AgentStarting(logger, agent.Version, ledger.LotId, ledger.Path, ledger.Epoch, ledger.LastSeq, ledger.AckedSeq, mode);
        Log.ClockQuality(logger, ledger.TimeQuality);
        await ledger.AppendAsync(EventTypes.AgentStarted, new AgentStarted(agent.BootId, agent.Version), cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Log.AgentStopped(logger, ledger.LastSeq, ledger.AckedSeq);
        return Task.CompletedTask;
    }
}

/// <summary>The clock's quality at open, before the trusted clock (Time/) has read its sources and refines it.</summary>
internal static class ClockQuality
{
    /// <summary>systemd-timesyncd creates this file once it has synchronised the clock.</summary>
    private const string TimesyncMarker = "/run/systemd/timesync/synchronized";

    public static TimeQuality Detect() => File.Exists(TimesyncMarker) ? TimeQuality.Synced : TimeQuality.Unsynced;
}
