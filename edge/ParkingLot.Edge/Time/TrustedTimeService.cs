using System.Globalization;
using Microsoft.Extensions.Options;
using ParkingLot.Edge.Ledger;

namespace ParkingLot.Edge.Time;

/// <summary>
/// Keeps the <see cref="TrustedClock"/> current and durable: at start it loads the persisted lower
/// bound from the ledger's meta table (before any lane runs, so every lane event is stamped with the
/// interval's quality; only <c>agent.started</c>, written first, carries the ledger's first guess),
/// then re-reads the sources every <see cref="TrustedTimeOptions.RefreshInterval"/>, persists
/// the new lower bound and stamps the ledger's <see cref="LedgerStore.TimeQuality"/> with the current
/// quality (unless <c>Edge:TimeQuality</c> overrides it).
/// </summary>
internal sealed class TrustedTimeService(
    TrustedClock clock,
    LedgerStore ledger,
    IOptions<TrustedTimeOptions> options,
    IOptions<EdgeOptions> edge,
    TimeProvider time,
    ILogger<TrustedTimeService> logger) : IHostedService, IDisposable
{
    /// <summary>Meta key of the persisted lower bound (round-trip UTC text).</summary>
    public const string MetaKey = "trusted_time_lo";

    private readonly CancellationTokenSource _stopping = new();
    private Task? _loop;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (await ledger.GetMetaAsync(MetaKey, cancellationToken) is { } text
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var persisted))
        {
            clock.SetPersistedLowerBound(persisted);
        }

        clock.QualityChanged += Stamp;
        clock.ReadingRefused += OnReadingRefused;
        Stamp(clock.Refresh());
        await PersistAsync(cancellationToken);
        _loop = RunAsync(_stopping.Token);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        clock.QualityChanged -= Stamp;
        clock.ReadingRefused -= OnReadingRefused;
        await _stopping.CancelAsync();
        if (_loop is not null)
        {
            await _loop.WaitAsync(cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    public void Dispose() => _stopping.Dispose();

    private void OnReadingRefused(TrustedInterval reading, TrustedInterval extrapolated) =>
        Log.ClockReadingRefused(logger, reading.Quality, reading.Lo, reading.Hi, extrapolated.Lo, extrapolated.Hi);

    /// <summary>Writes the current lower bound to the ledger meta table.</summary>
    public Task PersistAsync(CancellationToken cancellationToken) =>
        ledger.SetMetaAsync(MetaKey, LedgerText.Time(clock.PersistableLo), cancellationToken);

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(options.Value.RefreshInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                clock.Refresh();
                await PersistAsync(cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }
        catch (ObjectDisposedException)
        {
            // The ledger closed first during shutdown.
        }
    }

    private void Stamp(ParkingLot.Shared.Contracts.TimeQuality quality)
    {
        if (edge.Value.TimeQuality is null && ledger.TimeQuality != quality)
        {
            ledger.TimeQuality = quality;
            Log.ClockQuality(logger, quality);
        }
    }
}

internal static class TimeExtensions
{
    /// <summary>The trusted clock and its service; register after the ledger so it starts before the lanes.</summary>
    public static void AddTrustedTime(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<TrustedTimeOptions>().BindConfiguration(TrustedTimeOptions.Section);
        builder.Services.AddSingleton<IClockSyncProbe>(sp => new LinuxClockSyncProbe(sp.GetRequiredService<TimeProvider>()));
        builder.Services.AddSingleton(sp => new TrustedClock(
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<IOptions<TrustedTimeOptions>>().Value, sp.GetRequiredService<IClockSyncProbe>()));
        builder.Services.AddHostedService<TrustedTimeService>();
    }
}
