using System.Device.Gpio;
using Microsoft.Extensions.Time.Testing;
using ParkingLot.Edge.Gates;
using ParkingLot.Edge.Hardware.Printing;
using ParkingLot.Edge.Ledger;
using ParkingLot.Edge.Tests.Agent;
using ParkingLot.Edge.Tests.Builders;
using ParkingLot.Edge.Tests.PowerCut;
using ParkingLot.Shared.Contracts;
using ParkingLot.Tests.Common;

namespace ParkingLot.Edge.Tests.Ledger;

/// <summary>
/// The ledger's safe mode on a real file system that runs out of space (powercutfs in "disk full"
/// mode: every write fails with ENOSPC, as a full SD card does).
/// </summary>
public sealed class LedgerSafeModeTests
{
    [Fact]
    public async Task Append_DiskFull_RecordsNothingFailsFastAndHealsWhenSpaceIsBack()
    {
        using var directory = new TempDirectory();
        await using var fs = await PowerCutFileSystem.MountAsync(directory.File("disk"), directory.File("mnt"));
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 2, 12, 0, 0, TimeSpan.Zero));
        await using var ledger = await LedgerStore.OpenAsync(Path.Combine(fs.MountPoint, "ledger.db"), LedgerBuilder.LotId, time, TestContext.Token);
        var changes = new List<LedgerWriteState>();
        ledger.WriteStateChanged += changes.Add;
        await LedgerBuilder.AppendBarrierMovesAsync(ledger, 3);

        await fs.ToggleDiskFullAsync();
        var full = await Assert.ThrowsAsync<LedgerUnwritableException>(() => LedgerBuilder.AppendBarrierMovesAsync(ledger, 1));
        var again = await Assert.ThrowsAsync<LedgerUnwritableException>(() => LedgerBuilder.AppendBarrierMovesAsync(ledger, 1));

        Assert.Contains("full", full.Reason, StringComparison.OrdinalIgnoreCase);
        Assert.Null(again.InnerException); // failed fast: the disk was not tried again inside RetryAfter
        Assert.False(ledger.WriteState.Writable);
        Assert.Equal(3, ledger.LastSeq);

        await fs.ToggleDiskFullAsync();
        time.Advance(ledger.RetryAfter);
        await LedgerBuilder.AppendBarrierMovesAsync(ledger, 1);

        Assert.True(ledger.WriteState.Writable);
        Assert.Equal(4, ledger.LastSeq);
        Assert.Equal([false, true], changes.Select(c => c.Writable));
        var verification = await ledger.VerifyAsync(TestContext.Token);
        Assert.True(verification.IsValid, verification.Reason);
    }

    [Fact]
    public async Task Lanes_DiskFull_TakeNoStepWithoutItsEvent()
    {
        using var directory = new TempDirectory();
        await using var fs = await PowerCutFileSystem.MountAsync(directory.File("disk"), directory.File("mnt"));
        await using var lot = await ProductionLot.StartAsync(settings: new Dictionary<string, string?> { ["Edge:DataDirectory"] = Path.Combine(fs.MountPoint, "data") });
        var entry = lot.Lane("entry-1");
        var printer = (SimulatedEscPosPrinter)lot.EntryPrinterStream;
        var seqBefore = lot.Ledger.LastSeq;
        var relayWritesBefore = lot.Driver.Writes.Count(w => w.Pin == 17);

        // The SD card fills up; a car arrives and its driver presses for a ticket.
        await fs.ToggleDiskFullAsync();
        lot.Driver.SetInput(ProductionLot.EntryLoop, PinValue.High);
        await TestContext.WaitUntilAsync(() => Task.FromResult(!lot.Ledger.WriteState.Writable), TimeSpan.FromSeconds(60), "the ledger to report it cannot be written");
        entry.RequestTicket(VehicleType.Car);

        // Nothing happened that the ledger does not hold: no cycle, no ticket, the relay never energised.
        Assert.Equal(LaneState.Idle, entry.Snapshot.State);
        Assert.Empty(printer.Tickets);
        Assert.Equal(relayWritesBefore, lot.Driver.Writes.Count(w => w.Pin == 17)); // the entry barrier's relay was not driven
        Assert.Equal(seqBefore, lot.Ledger.LastSeq);
    }
}
