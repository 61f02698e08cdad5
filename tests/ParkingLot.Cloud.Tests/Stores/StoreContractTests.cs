using Npgsql;
using ParkingLot.Cloud.Bookings;
using ParkingLot.Cloud.EdgeSync;
using ParkingLot.Cloud.Lots;
using ParkingLot.Cloud.Tests.Builders;
using ParkingLot.Shared;
using ParkingLot.Shared.Contracts;
using ParkingLot.Tests.Common;

namespace ParkingLot.Cloud.Tests.Stores;

/// <summary>
/// Every store operation, run against the embedded SQLite store and PostgreSQL by the two subclasses
/// below: the stores must agree on every outcome (DESIGN §6: one set of contract tests).
/// </summary>
public abstract partial class StoreContractTests<TFixture>(TFixture store) : IClassFixture<TFixture>
    where TFixture : StoreFixture
{
    protected static readonly DateTimeOffset Now = new(2030, 3, 4, 10, 0, 0, TimeSpan.Zero);

    protected TFixture Store { get; } = store;

    [Fact]
    public async Task Initialize_Twice_AppliesEachMigrationOnce()
    {
        await Store.Database.InitializeAsync(TestContext.Token);

        var applied = await Store.AppliedMigrationsAsync();
        Assert.Equal(applied.Distinct().Count(), applied.Count);
        Assert.Contains(applied, name => name.EndsWith("0002_tariffs_capacity_bookings.sql", StringComparison.Ordinal));
        Assert.True(await Store.Database.PingAsync(TestContext.Token));
    }

    [Fact]
    public async Task Upsert_NewLot_GetReturnsZonesTypesAndSpotCount()
    {
        var lot = await CreateLotAsync(b => b.WithSpots(VehicleType.Car, 3).WithSpots(VehicleType.Ev, 2));

        var details = await Store.Lots.GetAsync(lot.LotId, TestContext.Token);

        Assert.NotNull(details);
        Assert.Equal(5, details.SpotCount);
        Assert.Equal(["C", "E"], details.Zones);
        Assert.Equal([VehicleType.Car, VehicleType.Ev], details.VehicleTypes);
        Assert.Null(details.TariffVersion);
        Assert.Contains(await Store.Lots.ListAsync(TestContext.Token), s => s.Id == lot.LotId);
    }

    [Fact]
    public async Task Upsert_SpotRemovedFromFile_SpotGoneAndRanksFollowFile()
    {
        var lot = await CreateLotAsync(b => b.WithSpots(VehicleType.Car, 3));
        var reordered = lot with { Spots = [lot.Spots[2], lot.Spots[0]] };

        await Store.Lots.UpsertAsync(reordered, TestContext.Token);

        var spots = await Store.Lots.ListSpotsAsync(lot.LotId, null, TestContext.Token);
        Assert.Equal(["C3", "C1"], spots!.Select(s => s.Id));
        Assert.Equal([0, 1], spots!.Select(s => s.Rank));
    }

    [Fact]
    public async Task Get_UnknownLot_Null()
    {
        Assert.Null(await Store.Lots.GetAsync("no-such-lot", TestContext.Token));
        Assert.Null(await Store.Lots.ListSpotsAsync("no-such-lot", null, TestContext.Token));
        Assert.Null(await Store.Lots.GetCapacityAsync("no-such-lot", TestContext.Token));
        Assert.Null(await Store.Availability.LoadAsync("no-such-lot", Now, TestContext.Token));
    }

    [Fact]
    public async Task Create_ThenUpdate_DefinitionStored()
    {
        var id = NewLotId();
        var hours = new OpeningHours([DayOfWeek.Monday, DayOfWeek.Tuesday], new TimeOnly(7, 0), new TimeOnly(22, 0));
        var created = await Store.Lots.CreateAsync(new LotDefinition(id, "Admin Lot", "Europe/Berlin", new GeoPoint(52, 13), [hours], [VehicleType.Car]), TestContext.Token);
        var updated = await Store.Lots.UpdateAsync(new LotDefinition(id, "Renamed", "Europe/Paris", new GeoPoint(48.8, 2.3), [], [VehicleType.Ev, VehicleType.Car]), TestContext.Token);

        Assert.Equal(LotWriteStatus.Done, created.Status);
        Assert.Equal(LotWriteStatus.Done, updated.Status);
        var details = await Store.Lots.GetAsync(id, TestContext.Token);
        Assert.Equal(("Renamed", "Europe/Paris", 48.8, 0), (details!.Name, details.TimeZone, details.Location!.Lat, details.SpotCount));
        Assert.Equal([VehicleType.Car, VehicleType.Ev], details.VehicleTypes);
    }

    [Fact]
    public async Task Create_ExistingId_ConflictAndUnchanged()
    {
        var lot = await CreateLotAsync(b => b.WithName("Original").WithSpots(VehicleType.Car, 1));

        var result = await Store.Lots.CreateAsync(new LotDefinition(lot.LotId, "Other", "UTC", new GeoPoint(0, 0), [], [VehicleType.Car]), TestContext.Token);

        Assert.Equal(LotWriteStatus.Conflict, result.Status);
        Assert.Equal("Original", (await Store.Lots.GetAsync(lot.LotId, TestContext.Token))!.Name);
    }

    [Fact]
    public async Task Update_UnknownLot_UnknownLot()
    {
        var result = await Store.Lots.UpdateAsync(new LotDefinition(NewLotId(), "X", "UTC", new GeoPoint(0, 0), [], [VehicleType.Car]), TestContext.Token);

        Assert.Equal(LotWriteStatus.UnknownLot, result.Status);
    }

    [Fact]
    public async Task AddSpots_NewSpots_RanksContinueAndTypesGrow()
    {
        var lot = await CreateLotAsync(b => b.WithSpots(VehicleType.Car, 2));

        var result = await Store.Lots.AddSpotsAsync(lot.LotId, [new("M1", VehicleType.Motorcycle, "M", null), new("C9", VehicleType.Car, "C", "s-9")], TestContext.Token);

        Assert.Equal(LotWriteStatus.Done, result.Status);
        var spots = await Store.Lots.ListSpotsAsync(lot.LotId, null, TestContext.Token);
        Assert.Equal(["C1", "C2", "M1", "C9"], spots!.Select(s => s.Id));
        Assert.Equal([0, 1, 2, 3], spots!.Select(s => s.Rank));
        Assert.Equal([VehicleType.Car, VehicleType.Motorcycle], (await Store.Lots.GetAsync(lot.LotId, TestContext.Token))!.VehicleTypes);
        Assert.Equal(["C1", "C2", "C9"], (await Store.Lots.ListSpotsAsync(lot.LotId, VehicleType.Car, TestContext.Token))!.Select(s => s.Id));
    }

    [Fact]
    public async Task AddSpots_OneIdExists_ConflictAndNothingAdded()
    {
        var lot = await CreateLotAsync(b => b.WithSpots(VehicleType.Car, 2));

        var result = await Store.Lots.AddSpotsAsync(lot.LotId, [new("C7", VehicleType.Car, "C", null), new("C2", VehicleType.Car, "C", null)], TestContext.Token);

        Assert.Equal(LotWriteStatus.Conflict, result.Status);
        Assert.Contains("C2", result.Detail, StringComparison.Ordinal);
        Assert.Equal(2, (await Store.Lots.ListSpotsAsync(lot.LotId, null, TestContext.Token))!.Count);
    }

    [Fact]
    public async Task AddSpots_UnknownLot_UnknownLot()
    {
        var result = await Store.Lots.AddSpotsAsync(NewLotId(), [new("C1", VehicleType.Car, "C", null)], TestContext.Token);

        Assert.Equal(LotWriteStatus.UnknownLot, result.Status);
    }

    [Fact]
    public async Task SetCapacity_WithinSpots_NewVersionAndShares()
    {
        var lot = await CreateLotAsync(b => b.WithSpots(VehicleType.Car, 3).WithSpots(VehicleType.Ev, 2));
        var before = await Store.Lots.GetCapacityAsync(lot.LotId, TestContext.Token);

        await Store.Lots.SetCapacityAsync(lot.LotId, new Dictionary<VehicleType, int> { [VehicleType.Car] = 2 }, Now, TestContext.Token);
        var result = await Store.Lots.SetCapacityAsync(lot.LotId, new Dictionary<VehicleType, int> { [VehicleType.Ev] = 1 }, Now, TestContext.Token);

        Assert.Equal(LotWriteStatus.Done, result.Status);
        var split = await Store.Lots.GetCapacityAsync(lot.LotId, TestContext.Token);
        Assert.Equal(0, before!.Version);
        Assert.Equal(2, split!.Version);
        Assert.Equal([new CapacityShare(VehicleType.Car, 2, 3), new CapacityShare(VehicleType.Ev, 1, 2)], split.Shares);
    }

    [Fact]
    public async Task SetCapacity_MoreThanSpots_InvalidAndUnchanged()
    {
        var lot = await CreateLotAsync(b => b.WithSpots(VehicleType.Car, 3));

        var result = await Store.Lots.SetCapacityAsync(lot.LotId, new Dictionary<VehicleType, int> { [VehicleType.Car] = 4 }, Now, TestContext.Token);
        var ofMissingType = await Store.Lots.SetCapacityAsync(lot.LotId, new Dictionary<VehicleType, int> { [VehicleType.Truck] = 1 }, Now, TestContext.Token);

        Assert.Equal(LotWriteStatus.Invalid, result.Status);
        Assert.Equal(LotWriteStatus.Invalid, ofMissingType.Status);
        var split = await Store.Lots.GetCapacityAsync(lot.LotId, TestContext.Token);
        Assert.Equal((0, 0), (split!.Version, split.ReservableOf(VehicleType.Car)));
    }

    [Fact]
    public async Task PublishTariff_NewVersions_CurrentIsLatestAndOldStaysResolvable()
    {
        var lot = await CreateLotAsync(b => b.WithSpots(VehicleType.Car, 1));

        await Store.Lots.PublishTariffAsync(lot.LotId, TestTariffs.Simple("v1", rate: 100), Now, TestContext.Token);
        await Store.Lots.PublishTariffAsync(lot.LotId, TestTariffs.Simple("v2", rate: 250), Now, TestContext.Token);

        Assert.Equal("v2", (await Store.Lots.GetTariffAsync(lot.LotId, null, TestContext.Token))!.Version);
        Assert.Equal(100, (await Store.Lots.GetTariffAsync(lot.LotId, "v1", TestContext.Token))!.VehicleTypes[VehicleType.Car].RatePerIncrement);
        Assert.Null(await Store.Lots.GetTariffAsync(lot.LotId, "v9", TestContext.Token));
        var catalog = (await Store.Lots.ListCatalogAsync(TestContext.Token)).Single(l => l.Id == lot.LotId);
        Assert.Equal("v2", catalog.Tariff!.Version);
        Assert.Equal("v2", (await Store.Lots.GetAsync(lot.LotId, TestContext.Token))!.TariffVersion);
    }

    [Fact]
    public async Task PublishTariff_SameVersion_SamePricesNoOpOtherPricesConflict()
    {
        var lot = await CreateLotAsync(b => b.WithSpots(VehicleType.Car, 1));
        await Store.Lots.PublishTariffAsync(lot.LotId, TestTariffs.Simple("v1"), Now, TestContext.Token);

        var again = await Store.Lots.PublishTariffAsync(lot.LotId, TestTariffs.Simple("v1"), Now, TestContext.Token);
        var changed = await Store.Lots.PublishTariffAsync(lot.LotId, TestTariffs.Simple("v1", rate: 999), Now, TestContext.Token);

        Assert.Equal(LotWriteStatus.Done, again.Status);
        Assert.Equal(LotWriteStatus.Conflict, changed.Status);
        Assert.Equal(100, (await Store.Lots.GetTariffAsync(lot.LotId, "v1", TestContext.Token))!.VehicleTypes[VehicleType.Car].RatePerIncrement);
    }

    [Fact]
    public async Task PublishTariff_UnknownLot_UnknownLot()
    {
        var result = await Store.Lots.PublishTariffAsync(NewLotId(), TestTariffs.Simple(), Now, TestContext.Token);

        Assert.Equal(LotWriteStatus.UnknownLot, result.Status);
    }

    [Fact]
    public async Task LoadAvailability_SharesAndBookings_ReservedCountsCoverNowOnly()
    {
        var lot = await CreateLotAsync(b => b.WithSpots(VehicleType.Car, 3).WithSpots(VehicleType.Ev, 1));
        await SetShareAsync(lot.LotId, VehicleType.Car, 2);
        await HoldAsync(lot.LotId, Now.AddMinutes(-30), Now.AddHours(1));
        await HoldAsync(lot.LotId, Now.AddHours(2), Now.AddHours(3));

        var availability = await Store.Availability.LoadAsync(lot.LotId, Now, TestContext.Token);

        var car = availability!.VehicleTypes.Single(t => t.VehicleType == VehicleType.Car);
        Assert.Equal((3, 0, 3, 2, 1), (car.Capacity, car.Occupied, car.Free, car.Reservable, car.Reserved));
        Assert.Equal((1, 0, 0), availability.VehicleTypes.Single(t => t.VehicleType == VehicleType.Ev) is var ev ? (ev.Capacity, ev.Reservable, ev.Reserved) : default);
    }

    [Fact]
    public async Task EdgeSync_BatchCommitted_EventsStateAndCursorStored()
    {
        var lot = await CreateLotAsync(b => b.WithSpots(VehicleType.Car, 2));
        var batch = new EdgeBatchBuilder(lot.LotId).Occupancy("C1", VehicleType.Car, true).Entered(VehicleType.Car, "T1").Payment("P1", 450).All();

        await using (var transaction = (await Store.EdgeSync.BeginAsync(lot.LotId, batch.Epoch, TestContext.Token))!)
        {
            Assert.Equal((0, LedgerHash.Genesis), (transaction.Cursor.HighWater, transaction.Cursor.LastHash));
            foreach (var e in batch.Events)
            {
                await transaction.InsertEventAsync(e, Now, TestContext.Token);
            }

            Assert.True(await transaction.SetSpotOccupancyAsync("C1", true, TestContext.Token));
            Assert.False(await transaction.SetSpotOccupancyAsync("Z9", true, TestContext.Token));
            await transaction.AddVehiclesInAsync(VehicleType.Car, 1, TestContext.Token);
            await transaction.InsertPaymentAsync(3, Now, new PaymentRecorded("P1", "T1", new Money(450, "EUR"), PaymentMethod.Cash, "v1"), TestContext.Token);
            await transaction.InsertPaymentAsync(3, Now, new PaymentRecorded("P1", "T1", new Money(450, "EUR"), PaymentMethod.Cash, "v1"), TestContext.Token);
            await transaction.AdvanceCursorAsync(new(3, batch.Events[^1].Hash), Now, TestContext.Token);
            var inside = await transaction.ReadAvailabilityAsync(Now, TestContext.Token);
            Assert.Equal(1, inside.VehicleTypes.Single().Occupied);
            await transaction.CommitAsync(TestContext.Token);
        }

        var status = await Store.EdgeSync.GetStatusAsync(lot.LotId, TestContext.Token);
        Assert.Equal([new EpochStatus(1, 3, 3)], status!.Epochs);
        Assert.Equal([new Money(450, "EUR")], status.PaymentTotals);
        await using var next = (await Store.EdgeSync.BeginAsync(lot.LotId, batch.Epoch, TestContext.Token))!;
        Assert.Equal(3, next.Cursor.HighWater);
        Assert.Equal(batch.Events[1].Hash, await next.GetEventHashAsync(2, TestContext.Token));
        Assert.Contains(await Store.EdgeSync.ListLatestAcksAsync(TestContext.Token), a => a.LotId == lot.LotId && a.Ack == new CloudAck(1, 3));
    }

    [Fact]
    public async Task EdgeSync_DisposedWithoutCommit_NothingStored()
    {
        var lot = await CreateLotAsync(b => b.WithSpots(VehicleType.Car, 1));
        var batch = new EdgeBatchBuilder(lot.LotId).Entered(VehicleType.Car, "T1").All();

        await using (var transaction = (await Store.EdgeSync.BeginAsync(lot.LotId, 1, TestContext.Token))!)
        {
            await transaction.InsertEventAsync(batch.Events[0], Now, TestContext.Token);
            await transaction.AddVehiclesInAsync(VehicleType.Car, 1, TestContext.Token);
            await transaction.AdvanceCursorAsync(new(1, batch.Events[0].Hash), Now, TestContext.Token);
        }

        Assert.Empty((await Store.EdgeSync.GetStatusAsync(lot.LotId, TestContext.Token))!.Epochs);
        Assert.Equal(0, (await Store.Availability.LoadAsync(lot.LotId, Now, TestContext.Token))!.VehicleTypes.Single().Occupied);
    }

    [Fact]
    public async Task EdgeSync_UnknownLot_NoTransactionNoState()
    {
        var state = new EdgeState(NewLotId(), true, "1.0", Guid.NewGuid(), 1, 0, 0, TimeQuality.Synced, Now);

        Assert.Null(await Store.EdgeSync.BeginAsync(state.LotId, 1, TestContext.Token));
        Assert.False(await Store.EdgeSync.RecordEdgeStateAsync(state, Now, TestContext.Token));
        Assert.Null(await Store.EdgeSync.GetStatusAsync(state.LotId, TestContext.Token));
    }

    [Fact]
    public async Task EdgeSync_StateRecordedTwice_LatestKept()
    {
        var lot = await CreateLotAsync(b => b.WithSpots(VehicleType.Car, 1));
        var boot = Guid.NewGuid();

        Assert.True(await Store.EdgeSync.RecordEdgeStateAsync(new EdgeState(lot.LotId, true, "1.0", boot, 1, 5, 2, TimeQuality.Rtc, Now), Now, TestContext.Token));
        Assert.True(await Store.EdgeSync.RecordEdgeStateAsync(new EdgeState(lot.LotId, false, "1.1", boot, 1, 9, 0, TimeQuality.Synced, Now.AddMinutes(1)), Now.AddMinutes(1), TestContext.Token));

        var health = (await Store.EdgeSync.GetStatusAsync(lot.LotId, TestContext.Token))!.Health;
        Assert.Equal((false, "1.1", boot, 9L, TimeQuality.Synced, Now.AddMinutes(1)), (health!.Online, health.AgentVersion, health.BootId, health.LastSeq, health.TimeQuality, health.ReceivedAt));
    }

    [Fact]
    public async Task Hold_NoShare_NoCapacity()
    {
        var lot = await CreateLotAsync(b => b.WithSpots(VehicleType.Car, 2));

        var result = await HoldAsync(lot.LotId, Now.AddHours(1), Now.AddHours(2));

        Assert.Equal(HoldStatus.NoCapacity, result.Status);
    }

    [Fact]
    public async Task Hold_ByType_NearestFreeSpotThenNext()
    {
        var lot = await CreateLotAsync(b => b.WithSpots(VehicleType.Car, 3));
        await SetShareAsync(lot.LotId, VehicleType.Car, 3);

        var first = await HoldAsync(lot.LotId, Now.AddHours(1), Now.AddHours(2));
        var second = await HoldAsync(lot.LotId, Now.AddHours(1.5), Now.AddHours(3));
        var afterFirst = await HoldAsync(lot.LotId, Now.AddHours(2), Now.AddHours(3));

        Assert.Equal(["C1", "C2", "C1"], new[] { first, second, afterFirst }.Select(r => r.Booking!.SpotId));
        var stored = await Store.Bookings.GetAsync(first.Booking!.Id, TestContext.Token);
        Assert.Equal(first.Booking, stored);
    }

    [Fact]
    public async Task Hold_ShareSoldOutAtOneInstant_NoCapacityEvenWithFreeSpots()
    {
        var lot = await CreateLotAsync(b => b.WithSpots(VehicleType.Car, 3));
        await SetShareAsync(lot.LotId, VehicleType.Car, 1);
        await HoldAsync(lot.LotId, Now.AddHours(2), Now.AddHours(3));

        var overlapping = await HoldAsync(lot.LotId, Now.AddHours(1), Now.AddHours(2.5));
        var before = await HoldAsync(lot.LotId, Now.AddHours(1), Now.AddHours(2));

        Assert.Equal(HoldStatus.NoCapacity, overlapping.Status);
        Assert.Equal(HoldStatus.Held, before.Status);
    }

    [Fact]
    public async Task Hold_RequestedSpot_TakenUnknownOrOfOtherType()
    {
        var lot = await CreateLotAsync(b => b.WithSpots(VehicleType.Car, 2).WithSpots(VehicleType.Ev, 1));
        await SetShareAsync(lot.LotId, VehicleType.Car, 2);
        await HoldAsync(lot.LotId, Now.AddHours(1), Now.AddHours(2), spotId: "C2");

        var taken = await HoldAsync(lot.LotId, Now.AddHours(1.5), Now.AddHours(2), spotId: "C2");
        var unknown = await HoldAsync(lot.LotId, Now.AddHours(1), Now.AddHours(2), spotId: "C9");
        var otherType = await HoldAsync(lot.LotId, Now.AddHours(1), Now.AddHours(2), spotId: "E1");
        var free = await HoldAsync(lot.LotId, Now.AddHours(1), Now.AddHours(2), spotId: "C1");

        Assert.Equal(
            [HoldStatus.SpotTaken, HoldStatus.UnknownSpot, HoldStatus.SpotTypeMismatch, HoldStatus.Held],
            new[] { taken, unknown, otherType, free }.Select(r => r.Status));
    }

    [Fact]
    public async Task Hold_StaleHoldOnSpot_SpotFreeWithoutSweeper()
    {
        var lot = await CreateLotAsync(b => b.WithSpots(VehicleType.Car, 1));
        await SetShareAsync(lot.LotId, VehicleType.Car, 1);
        var stale = await HoldAsync(lot.LotId, Now.AddHours(1), Now.AddHours(2), now: Now.AddMinutes(-10));

        var fresh = await HoldAsync(lot.LotId, Now.AddHours(1), Now.AddHours(2));

        Assert.Equal(HoldStatus.Held, fresh.Status);
        Assert.Equal("C1", fresh.Booking!.SpotId);
        Assert.Equal(BookingStatus.Expired, (await Store.Bookings.GetAsync(stale.Booking!.Id, TestContext.Token))!.StatusAt(Now));
        Assert.Equal(0, await Store.CountOverlappingPairsAsync(lot.LotId, Now));
    }

    [Fact]
    public async Task ExpireHolds_PastExpiry_MarkedExpiredOnceAndLotReported()
    {
        var lot = await CreateLotAsync(b => b.WithSpots(VehicleType.Car, 2));
        await SetShareAsync(lot.LotId, VehicleType.Car, 2);
        var current = await HoldAsync(lot.LotId, Now.AddHours(1), Now.AddHours(2));
        var old = await HoldAsync(lot.LotId, Now.AddHours(1), Now.AddHours(2), now: Now.AddMinutes(-10));

        var lots = await Store.Bookings.ExpireHoldsAsync(Now, TestContext.Token);
        var again = await Store.Bookings.ExpireHoldsAsync(Now, TestContext.Token);

        Assert.Contains(lot.LotId, lots);
        Assert.DoesNotContain(lot.LotId, again);
        var expired = await Store.Bookings.GetAsync(old.Booking!.Id, TestContext.Token);
        Assert.Equal((BookingStatus.Expired, 2), (expired!.Status, expired.Version));
        Assert.Equal(BookingStatus.Held, (await Store.Bookings.GetAsync(current.Booking!.Id, TestContext.Token))!.Status);
    }

    [Fact]
    public async Task ListByUser_SeveralBookings_OnlyTheUsersNewestFirst()
    {
        var lot = await CreateLotAsync(b => b.WithSpots(VehicleType.Car, 3));
        await SetShareAsync(lot.LotId, VehicleType.Car, 3);
        var user = $"user-{Guid.NewGuid():N}";
        var first = await HoldAsync(lot.LotId, Now.AddHours(1), Now.AddHours(2), userId: user);
        var second = await HoldAsync(lot.LotId, Now.AddHours(1), Now.AddHours(2), userId: user, now: Now.AddSeconds(1));
        await HoldAsync(lot.LotId, Now.AddHours(1), Now.AddHours(2));

        var mine = await Store.Bookings.ListByUserAsync(user, 10, TestContext.Token);

        Assert.Equal([second.Booking!.Id, first.Booking!.Id], mine.Select(b => b.Id));
    }

    [Fact]
    public async Task ListLotsWithBoundaries_BookingStartsInInterval_LotListed()
    {
        var lot = await CreateLotAsync(b => b.WithSpots(VehicleType.Car, 1));
        await SetShareAsync(lot.LotId, VehicleType.Car, 1);
        await HoldAsync(lot.LotId, Now.AddHours(1), Now.AddHours(2));

        Assert.Contains(lot.LotId, await Store.Bookings.ListLotsWithBoundariesAsync(Now.AddMinutes(59), Now.AddHours(1), TestContext.Token));
        Assert.Contains(lot.LotId, await Store.Bookings.ListLotsWithBoundariesAsync(Now.AddHours(1.5), Now.AddHours(2), TestContext.Token));
        Assert.DoesNotContain(lot.LotId, await Store.Bookings.ListLotsWithBoundariesAsync(Now.AddHours(1), Now.AddHours(1.5), TestContext.Token));
    }

    /// <summary>
    /// I1 and I2 under contention: 200 clients race for 10 car spots of which the cloud may sell 7,
    /// every window overlapping every other at one instant. Exactly 7 win, the rest are refused, and
    /// no two held bookings of a spot overlap.
    /// </summary>
    [Fact]
    public async Task Hold_200ConcurrentClients_ExactlyTheShareSucceedsAndNoOverlap()
    {
        var lot = await CreateLotAsync(b => b.WithSpots(VehicleType.Car, 10));
        await SetShareAsync(lot.LotId, VehicleType.Car, 7);
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var racers = Enumerable.Range(0, 200).Select(i => Task.Run(async () =>
        {
            await start.Task;
            return await HoldAsync(lot.LotId, Now.AddHours(1).AddMinutes(i % 30), Now.AddHours(3).AddMinutes(i % 17), userId: $"racer-{i}");
        })).ToList();
        start.SetResult();
        var results = await Task.WhenAll(racers);

        Assert.Equal(7, results.Count(r => r.Status == HoldStatus.Held));
        Assert.All(results.Where(r => r.Status != HoldStatus.Held), r => Assert.Equal(HoldStatus.NoCapacity, r.Status));
        Assert.Equal(7, results.Where(r => r.Booking is not null).Select(r => r.Booking!.SpotId).Distinct().Count());
        Assert.Equal(0, await Store.CountOverlappingPairsAsync(lot.LotId, Now));
    }

    /// <summary>
    /// Random windows against a brute-force model of the rules (share at every minute, nearest free
    /// spot): the store must take exactly the bookings the model takes, on the same spots. Seeded.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Hold_RandomWindows_MatchesBruteForceModel(int seed)
    {
        var random = new Random(seed);
        var spotCount = random.Next(1, 5);
        var share = random.Next(0, spotCount + 1);
        var lot = await CreateLotAsync(b => b.WithSpots(VehicleType.Car, spotCount));
        await SetShareAsync(lot.LotId, VehicleType.Car, share);
        var model = new List<(string Spot, int From, int To)>();
        var spots = lot.Spots.Select(s => s.Id).ToList();

        for (var i = 0; i < 40; i++)
        {
            var from = random.Next(0, 24 * 4) * 15;
            var to = from + random.Next(1, 12) * 15;
            string? requested = random.Next(4) == 0 ? spots[random.Next(spots.Count)] : null;

            var expected = ModelHold(model, spots, share, from, to, requested);
            var actual = await HoldAsync(lot.LotId, Now.AddHours(1).AddMinutes(from), Now.AddHours(1).AddMinutes(to), spotId: requested);

            Assert.Equal(expected.Status, actual.Status);
            if (expected.Spot is not null)
            {
                Assert.Equal(expected.Spot, actual.Booking!.SpotId);
                model.Add((expected.Spot, from, to));
            }
        }

        Assert.Equal(0, await Store.CountOverlappingPairsAsync(lot.LotId, Now));
    }

    private static (HoldStatus Status, string? Spot) ModelHold(List<(string Spot, int From, int To)> taken, List<string> spots, int share, int from, int to, string? requested)
    {
        for (var minute = from; minute < to; minute++)
        {
            if (taken.Count(t => t.From <= minute && minute < t.To) + 1 > share)
            {
                return (HoldStatus.NoCapacity, null);
            }
        }

        bool Free(string spot) => !taken.Any(t => t.Spot == spot && t.From < to && from < t.To);
        if (requested is not null)
        {
            return Free(requested) ? (HoldStatus.Held, requested) : (HoldStatus.SpotTaken, null);
        }

        var spot = spots.FirstOrDefault(Free);
        return spot is null ? (HoldStatus.NoSpotFree, null) : (HoldStatus.Held, spot);
    }

    private protected async Task<LotDescription> CreateLotAsync(Action<LotFileBuilder> configure)
    {
        var builder = new LotFileBuilder().WithLotId(NewLotId());
        configure(builder);
        var lot = builder.Build();
        await Store.Lots.UpsertAsync(lot, TestContext.Token);
        return lot;
    }

    private protected async Task SetShareAsync(string lotId, VehicleType type, int share)
    {
        var result = await Store.Lots.SetCapacityAsync(lotId, new Dictionary<VehicleType, int> { [type] = share }, Now, TestContext.Token);
        Assert.Equal(LotWriteStatus.Done, result.Status);
    }

    private protected Task<HoldResult> HoldAsync(
        string lotId, DateTimeOffset start, DateTimeOffset end, string? spotId = null, string? userId = null, DateTimeOffset? now = null)
    {
        var at = now ?? Now;
        return Store.Bookings.HoldAsync(
            new HoldRequest(
                Guid.CreateVersion7(), userId ?? "driver-1", lotId, VehicleType.Car, spotId, "B-AB123", start, end,
                new Money(800, "EUR"), "test-1", 100, at, at.AddMinutes(5)),
            TestContext.Token);
    }

    private static string NewLotId() => $"s-{Guid.NewGuid():N}"[..20];
}

public sealed class SqliteStoreContractTests(SqliteStoreFixture store) : StoreContractTests<SqliteStoreFixture>(store);

public sealed class PostgresStoreContractTests(PostgresStoreFixture store) : StoreContractTests<PostgresStoreFixture>(store)
{
    /// <summary>
    /// I1 does not rest on the share lock: a writer that skips it (a repair script, a future code path)
    /// inserts a booking the hold cannot see yet; the hold's INSERT waits for it, the exclusion
    /// constraint refuses the overlap once it commits, and the hold takes the next free spot.
    /// </summary>
    [Fact]
    public async Task Hold_SpotTakenByWriterSkippingTheShareLock_ConstraintRefusesAndNextSpotHeld()
    {
        var lot = await CreateLotAsync(b => b.WithSpots(VehicleType.Car, 2));
        await SetShareAsync(lot.LotId, VehicleType.Car, 2);
        var (start, end) = (Now.AddHours(1), Now.AddHours(2));
        await using var other = await Store.DataSource.OpenConnectionAsync(TestContext.Token);
        await using var transaction = await other.BeginTransactionAsync(TestContext.Token);
        await using (var insert = new NpgsqlCommand(
            """
            INSERT INTO bookings (booking_id, user_id, status, lot_id, spot_id, vehicle_type, period, amount_minor, currency,
                tariff_version, demand_percent, created_at, expires_at)
            VALUES ($1, 'repair-script', 'confirmed', $2, 'C1', 'car', tstzrange($3, $4, '[)'), 0, 'EUR', 'test-1', 100, $5, NULL)
            """,
            other,
            transaction))
        {
            insert.Parameters.AddWithValue(Guid.CreateVersion7());
            insert.Parameters.AddWithValue(lot.LotId);
            insert.Parameters.AddWithValue(start.UtcDateTime);
            insert.Parameters.AddWithValue(end.UtcDateTime);
            insert.Parameters.AddWithValue(Now.UtcDateTime);
            await insert.ExecuteNonQueryAsync(TestContext.Token);
        }

        var hold = HoldAsync(lot.LotId, start, end);
        await WaitUntilABackendWaitsOnALockAsync();
        Assert.False(hold.IsCompleted);
        await transaction.CommitAsync(TestContext.Token);
        var result = await hold;

        Assert.Equal(HoldStatus.Held, result.Status);
        Assert.Equal("C2", result.Booking!.SpotId);
        Assert.Equal(0, await Store.CountOverlappingPairsAsync(lot.LotId, Now));
    }

    private async Task WaitUntilABackendWaitsOnALockAsync()
    {
        await using var probe = Store.DataSource.CreateCommand(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'");
        for (var attempt = 0; attempt < 200; attempt++)
        {
            if ((long)(await probe.ExecuteScalarAsync(TestContext.Token))! > 0)
            {
                return;
            }

            await Task.Delay(25, TestContext.Token);
        }

        Assert.Fail("The hold never waited for the uncommitted overlapping booking.");
    }
}
