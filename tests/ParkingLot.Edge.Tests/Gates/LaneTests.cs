using System.Security.Cryptography;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using ParkingLot.Edge.Gates;
using ParkingLot.Edge.Ledger;
using ParkingLot.Edge.Lots;
using ParkingLot.Edge.Simulation;
using ParkingLot.Edge.Tests.Builders;
using ParkingLot.Shared.Contracts;
using ParkingLot.Shared.Credentials;
using ParkingLot.Shared.Tariffs;
using ParkingLot.Tests.Common;

namespace ParkingLot.Edge.Tests.Gates;

public sealed class LaneTests : IAsyncLifetime
{
    private readonly TempDirectory _directory = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 25, 9, 0, 0, TimeSpan.Zero));
    private readonly LotFile _lot = new LotFileBuilder(cars: 4, evs: 2, reservableCars: 1).Build();
    private LedgerStore _ledger = null!;
    private TicketSigner _signer = null!;
    private EntryLane _entry = null!;
    private ExitLane _exit = null!;

    public async Task InitializeAsync()
    {
        _ledger = await LedgerStore.OpenAsync(_directory.File("ledger.db"), _lot.LotId, _time, TestContext.Token);
        _signer = TicketSigner.LoadOrCreate(_directory.Path, _lot.LotId, out _);
        _entry = new EntryLane(_lot.Gates[0], new SimulatedBarrier("entry-1"), _lot, _ledger, _signer, _time, NullLogger<EntryLane>.Instance);
        _exit = new ExitLane(_lot.Gates[1], new SimulatedBarrier("exit-1"), _lot, _ledger, _time, NullLogger<ExitLane>.Instance);
    }

    public async Task DisposeAsync()
    {
        _entry.Dispose();
        _exit.Dispose();
        _signer.Dispose();
        await _ledger.DisposeAsync();
        _directory.Dispose();
    }

    [Fact]
    public async Task AdmitAsync_WalkIn_RecordsTicketOpenEnteredCloseAndASignedCode()
    {
        var outcome = await _entry.AdmitAsync(VehicleType.Car, TestContext.Token);

        Assert.True(outcome.Admitted, outcome.Reason);
        var events = await _ledger.ReadAfterAsync(0, 10, TestContext.Token);
        Assert.Equal([EventTypes.TicketIssued, EventTypes.BarrierMoved, EventTypes.VehicleEntered, EventTypes.BarrierMoved], events.Select(e => e.Type));
        Assert.True(events[1].Payload.GetProperty("open").GetBoolean());
        Assert.False(events[3].Payload.GetProperty("open").GetBoolean());
        var session = await _ledger.GetSessionAsync(outcome.TicketId!, TestContext.Token);
        Assert.Equal(SessionStatus.Open, session!.Status);

        using var publicKey = CredentialKeys.ImportPublicKey(_signer.PublicKey);
        var verifier = new CredentialVerifier(new Dictionary<string, ECDsa> { [_signer.KeyId] = publicKey });
        var check = verifier.Verify(session.Code!, _lot.LotId, _time.GetUtcNow());
        Assert.True(check.IsValid, check.Reason);
        Assert.Equal(outcome.TicketId, check.Credential!.Id);
        Assert.Equal(CredentialKind.Ticket, check.Credential.Kind);
        Assert.False(verifier.Verify(session.Code!, "other-lot", _time.GetUtcNow()).IsValid);
    }

    [Fact]
    public async Task AdmitAsync_WalkInShareReached_RefusesWithoutRecordingAnything()
    {
        // 4 car spots, 1 reservable by the cloud: the edge may admit 3 walk-ins (invariant I2).
        for (var i = 0; i < 3; i++)
        {
            Assert.True((await _entry.AdmitAsync(VehicleType.Car, TestContext.Token)).Admitted);
        }

        var lastSeq = _ledger.LastSeq;
        var refused = await _entry.AdmitAsync(VehicleType.Car, TestContext.Token);
        var otherType = await _entry.AdmitAsync(VehicleType.Ev, TestContext.Token);
        var noSpots = await _entry.AdmitAsync(VehicleType.Truck, TestContext.Token);

        Assert.False(refused.Admitted);
        Assert.Contains("full", refused.Reason, StringComparison.Ordinal);
        Assert.True(otherType.Admitted);
        Assert.False(noSpots.Admitted);
        Assert.Equal(lastSeq + 4, _ledger.LastSeq);
    }

    [Fact]
    public async Task ReleaseAsync_AfterTwoHours_ChargesTheTariffFeeAndRecordsThePayment()
    {
        var ticket = (await _entry.AdmitAsync(VehicleType.Car, TestContext.Token)).TicketId!;
        var entered = (await _ledger.GetSessionAsync(ticket, TestContext.Token))!.EnteredAt!.Value;
        _time.Advance(TimeSpan.FromHours(2));
        var afterEntry = _ledger.LastSeq;

        var outcome = await _exit.ReleaseAsync(ticket, TestContext.Token);

        var expected = TariffEngine.Quote(_lot.Tariff, VehicleType.Car, entered, _time.GetUtcNow()).Total;
        Assert.True(outcome.Released, outcome.Reason);
        Assert.Equal(800, expected.Minor);
        Assert.Equal(expected, outcome.Fee);
        var events = await _ledger.ReadAfterAsync(afterEntry, 10, TestContext.Token);
        Assert.Equal([EventTypes.PaymentRecorded, EventTypes.BarrierMoved, EventTypes.VehicleExited, EventTypes.BarrierMoved], events.Select(e => e.Type));
        var payment = Assert.Single(await _ledger.GetPaymentsAsync(TestContext.Token));
        Assert.Equal(expected, payment.Amount);
        Assert.Equal("test-1", payment.TariffVersion);
        var session = await _ledger.GetSessionAsync(ticket, TestContext.Token);
        Assert.Equal(SessionStatus.Closed, session!.Status);
        Assert.Equal(expected, session.Fee);
    }

    [Fact]
    public async Task ReleaseAsync_WithinFreeMinutes_RecordsNoPayment()
    {
        var ticket = (await _entry.AdmitAsync(VehicleType.Car, TestContext.Token)).TicketId!;
        _time.Advance(TimeSpan.FromMinutes(10));

        var outcome = await _exit.ReleaseAsync(ticket, TestContext.Token);

        Assert.True(outcome.Released);
        Assert.Equal(0, outcome.Fee!.Value.Minor);
        Assert.Empty(await _ledger.GetPaymentsAsync(TestContext.Token));
    }

    [Fact]
    public async Task ReleaseAsync_UnknownOrAlreadyUsedTicket_IsRefused()
    {
        var ticket = (await _entry.AdmitAsync(VehicleType.Car, TestContext.Token)).TicketId!;
        await _exit.ReleaseAsync(ticket, TestContext.Token);
        var lastSeq = _ledger.LastSeq;

        var again = await _exit.ReleaseAsync(ticket, TestContext.Token);
        var unknown = await _exit.ReleaseAsync("TNOSUCHTICKET", TestContext.Token);

        Assert.False(again.Released);
        Assert.False(unknown.Released);
        Assert.Equal(lastSeq, _ledger.LastSeq);
    }

    [Fact]
    public void LoadOrCreate_SecondStart_ReusesTheKeyKeptOwnerOnly()
    {
        using var again = TicketSigner.LoadOrCreate(_directory.Path, _lot.LotId, out var created);

        Assert.False(created);
        Assert.Equal(_signer.KeyId, again.KeyId);
        Assert.Equal(_signer.PublicKey, again.PublicKey);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_directory.File(TicketSigner.PrivateKeyFile)));
        }
    }
}
