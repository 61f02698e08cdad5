using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Microsoft.Extensions.Options;
using ParkingLot.Edge.Lots;

namespace ParkingLot.Edge.Ledger;

/// <summary>The nightly compacted copy (configuration section <c>Ledger</c>).</summary>
internal sealed class LedgerCompactionOptions
{
    public const string Section = "Ledger";

    /// <summary>Local time of day (lot time zone) of the nightly copy. Default 03:30, the quietest hour of most lots.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "23:59:59")]
    public TimeSpan CompactAt { get; set; } = new(3, 30, 0);

    /// <summary>How many dated copies to keep. Default 7 (a week to notice a problem). 0 turns the copy off.</summary>
    [Range(0, 366)]
    public int CompactKeep { get; set; } = 7;
}

/// <summary>
/// Writes a compacted copy of the ledger (<c>VACUUM INTO</c>) to <c>&lt;data&gt;/compacted/ledger-YYYY-MM-DD.db</c>
/// every night, verifies it (integrity, hash chain, nothing missing up to the seq it was taken at),
/// and keeps the newest <see cref="LedgerCompactionOptions.CompactKeep"/>. The copy is written under a
/// temporary name and renamed once verified, so a dated file is always a whole, verified ledger.
/// A technician can hand one to <c>parkctl ledger verify</c> or restore it after an SD card fault.
/// </summary>
internal sealed class LedgerCompactor(
    LedgerStore ledger,
    EdgePaths paths,
    LotFile lot,
    IOptions<LedgerCompactionOptions> options,
    TimeProvider time,
    ILogger<LedgerCompactor> logger) : BackgroundService
{
    public const string Folder = "compacted";

    private readonly TimeZoneInfo _zone = TimeZoneInfo.FindSystemTimeZoneById(lot.TimeZone);

    public string Directory => Path.Combine(paths.DataDirectory, Folder);

    /// <summary>Writes, verifies and rotates today's copy now; returns its path.</summary>
    public async Task<string> CompactNowAsync(CancellationToken cancellationToken)
    {
        System.IO.Directory.CreateDirectory(Directory);
        var today = TimeZoneInfo.ConvertTime(time.GetUtcNow(), _zone);
        var target = Path.Combine(Directory, $"ledger-{today:yyyy-MM-dd}.db");
        var temporary = target + ".tmp";
        File.Delete(temporary);
        var lastSeq = ledger.LastSeq;
        var copied = await ledger.CompactIntoAsync(temporary, cancellationToken);
        try
        {
            await VerifyAsync(temporary, lastSeq, cancellationToken);
            File.Move(temporary, target, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }

        var removed = Rotate();
        Log.LedgerCompacted(logger, target, copied, removed);
        return target;
    }

    /// <summary>Opens <paramref name="path"/> as a ledger of this lot and checks it holds a whole chain up to at least <paramref name="atLeastSeq"/>.</summary>
    public async Task VerifyAsync(string path, long atLeastSeq, CancellationToken cancellationToken)
    {
        await using var copy = await LedgerStore.OpenAsync(path, lot.LotId, time, cancellationToken);
        var verification = await copy.VerifyAsync(cancellationToken);
        if (!verification.IsValid)
        {
            throw new InvalidDataException($"The compacted copy {path} does not verify: {verification.Reason}");
        }

        if (verification.LastSeq < atLeastSeq)
        {
            throw new InvalidDataException($"The compacted copy {path} ends at seq {verification.LastSeq.ToString(CultureInfo.InvariantCulture)}, before {atLeastSeq.ToString(CultureInfo.InvariantCulture)}.");
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Value.CompactKeep == 0)
        {
            return;
        }

        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await Task.Delay(UntilNext(), time, stoppingToken);
                try
                {
                    await CompactNowAsync(stoppingToken);
                }
                catch (Exception e) when (e is IOException or InvalidDataException or Microsoft.Data.Sqlite.SqliteException or UnauthorizedAccessException)
                {
                    // A full SD card or a bad copy must not stop the agent; the next night tries again.
                    Log.LedgerCompactionFailed(logger, Directory, e);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    /// <summary>Time until the next <see cref="LedgerCompactionOptions.CompactAt"/> in the lot's time zone.</summary>
    internal TimeSpan UntilNext()
    {
        var now = TimeZoneInfo.ConvertTime(time.GetUtcNow(), _zone);
        var next = new DateTimeOffset(now.Date + options.Value.CompactAt, now.Offset);
        if (next <= now)
        {
            next = next.AddDays(1);
        }

        return next - now;
    }

    private int Rotate()
    {
        var copies = System.IO.Directory.GetFiles(Directory, "ledger-*.db").Order(StringComparer.Ordinal).ToList();
        var removed = 0;
        foreach (var old in copies.Take(Math.Max(0, copies.Count - options.Value.CompactKeep)))
        {
            File.Delete(old);
            removed++;
        }

        return removed;
    }
}
