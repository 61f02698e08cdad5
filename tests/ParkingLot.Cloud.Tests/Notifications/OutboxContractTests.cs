using ParkingLot.Cloud.Bookings;
using ParkingLot.Cloud.Notifications;
using ParkingLot.Cloud.Storage;
using ParkingLot.Cloud.Storage.Postgres;
using ParkingLot.Cloud.Tests.Builders;
using ParkingLot.Cloud.Tests.Stores;
using ParkingLot.Shared;
using ParkingLot.Shared.Contracts;
using ParkingLot.Tests.Common;

namespace ParkingLot.Cloud.Tests.Notifications;

/// <summary>
/// The outbox on the embedded SQLite store and on PostgreSQL: one message per (kind, subject id), leases
/// that keep two senders apart, retries, and the reminder query. Tests share a store per class, so each
/// looks only at its own message ids.
/// </summary>
public abstract class OutboxContractTests<TFixture>(TFixture store) : IClassFixture<TFixture>
    where TFixture : StoreFixture
{
    private static readonly DateTimeOffset Now = new(2030, 3, 4, 10, 0, 0, TimeSpan.Zero);

    private readonly INotificationOutbox _outbox = store.Database switch
    {
        SqliteDatabase sqlite => new SqliteNotificationOutbox(sqlite),
        PostgresDatabase postgres => new PostgresNotificationOutbox(postgres.DataSource),
        var other => throw new InvalidOperationException(other.Kind),
    };

    [Fact]
    public async Task Enqueue_SameKindAndSubjectEightTimesAtOnce_OneRowKept()
    {
        var subject = $"pi_{Guid.NewGuid():N}";
        var messages = Enumerable.Range(0, 8).Select(i => Message(NotificationKind.Receipt, subject, $"copy {i}")).ToList();

        var inserted = await Task.WhenAll(messages.Select(m => _outbox.EnqueueAsync(m, TestContext.Token)));

        Assert.Single(inserted, i => i);
        var kept = await _outbox.FindAsync(NotificationKind.Receipt, subject, TestContext.Token);
        Assert.NotNull(kept);
        Assert.Equal(messages[Array.IndexOf(inserted, true)].Id, kept.Id);
        // Another kind for the same subject is another moment.
        Assert.True(await _outbox.EnqueueAsync(Message(NotificationKind.Refund, subject), TestContext.Token));
    }

    [Fact]
    public async Task ClaimDue_TwoSendersAtOnce_EachMessageLeasedToOneUntilTheLeaseRunsOut()
    {
        var mine = new HashSet<Guid>();
        for (var i = 0; i < 6; i++)
        {
            var message = Message(NotificationKind.Confirmation, Guid.NewGuid().ToString("D"));
            Assert.True(await _outbox.EnqueueAsync(message, TestContext.Token));
            mine.Add(message.Id);
        }

        var lease = Now.AddMinutes(2);
        var claims = await Task.WhenAll(
            _outbox.ClaimDueAsync(Now, "sender-a", lease, 1000, TestContext.Token),
            _outbox.ClaimDueAsync(Now, "sender-b", lease, 1000, TestContext.Token));

        var a = claims[0].Select(m => m.Id).Where(mine.Contains).ToHashSet();
        var b = claims[1].Select(m => m.Id).Where(mine.Contains).ToHashSet();
        Assert.Empty(a.Intersect(b));
        Assert.Equal(mine.Order(), a.Union(b).Order());
        Assert.All(claims.SelectMany(c => c).Where(m => mine.Contains(m.Id)), m => Assert.Equal(1, m.Attempts));

        var during = await _outbox.ClaimDueAsync(Now.AddMinutes(1), "sender-c", Now.AddMinutes(3), 1000, TestContext.Token);
        Assert.DoesNotContain(during, m => mine.Contains(m.Id));

        // The senders died without a word: after the lease another sender takes them, counting the attempt.
        var after = (await _outbox.ClaimDueAsync(lease, "sender-c", lease.AddMinutes(2), 1000, TestContext.Token)).Where(m => mine.Contains(m.Id)).ToList();
        Assert.Equal(mine.Order(), after.Select(m => m.Id).Order());
        Assert.All(after, m => Assert.Equal(2, m.Attempts));
    }

    [Fact]
    public async Task MarkSent_ByTheLeaseOwnerOnly_SentAndNeverClaimedAgain()
    {
        var message = Message(NotificationKind.Confirmation, Guid.NewGuid().ToString("D"));
        await _outbox.EnqueueAsync(message, TestContext.Token);
        Assert.Contains(await _outbox.ClaimDueAsync(Now, "owner", Now.AddMinutes(2), 1000, TestContext.Token), m => m.Id == message.Id);

        Assert.False(await _outbox.MarkSentAsync(message.Id, "not-the-owner", Now, TestContext.Token));
        Assert.True(await _outbox.MarkSentAsync(message.Id, "owner", Now.AddSeconds(1), TestContext.Token));

        var stored = await _outbox.FindAsync(message.Kind, message.SubjectId, TestContext.Token);
        Assert.Equal((OutboxStatus.Sent, Now.AddSeconds(1)), (stored!.Status, stored.SentAt));
        Assert.DoesNotContain(await _outbox.ClaimDueAsync(Now.AddHours(1), "other", Now.AddHours(2), 1000, TestContext.Token), m => m.Id == message.Id);
    }

    [Fact]
    public async Task MarkAttemptFailed_WithRetryTime_PendingAndDueOnlyThen_WithoutIt_FailedForGood()
    {
        var retried = Message(NotificationKind.Receipt, $"pi_{Guid.NewGuid():N}");
        var dead = Message(NotificationKind.Receipt, $"pi_{Guid.NewGuid():N}");
        await _outbox.EnqueueAsync(retried, TestContext.Token);
        await _outbox.EnqueueAsync(dead, TestContext.Token);
        await _outbox.ClaimDueAsync(Now, "owner", Now.AddMinutes(2), 1000, TestContext.Token);

        Assert.True(await _outbox.MarkAttemptFailedAsync(retried.Id, "owner", "connection refused", Now.AddSeconds(30), TestContext.Token));
        Assert.True(await _outbox.MarkAttemptFailedAsync(dead.Id, "owner", "mailbox unavailable", null, TestContext.Token));

        var pending = await _outbox.FindAsync(retried.Kind, retried.SubjectId, TestContext.Token);
        Assert.Equal((OutboxStatus.Pending, 1, "connection refused", Now.AddSeconds(30)), (pending!.Status, pending.Attempts, pending.LastError, pending.NextAttemptAt));
        Assert.Equal(OutboxStatus.Failed, (await _outbox.FindAsync(dead.Kind, dead.SubjectId, TestContext.Token))!.Status);
        Assert.DoesNotContain(await _outbox.ClaimDueAsync(Now.AddSeconds(29), "owner", Now.AddMinutes(3), 1000, TestContext.Token), m => m.Id == retried.Id);
        var again = await _outbox.ClaimDueAsync(Now.AddSeconds(30), "owner", Now.AddMinutes(3), 1000, TestContext.Token);
        Assert.Contains(again, m => m.Id == retried.Id);
        Assert.DoesNotContain(again, m => m.Id == dead.Id);
    }

    [Fact]
    public async Task ListDueReminders_HoldNearExpiryAndConfirmedNearStart_ListedUntilEnqueued()
    {
        var lot = new LotFileBuilder().WithLotId($"n-{Guid.NewGuid():N}"[..20]).WithSpots(VehicleType.Car, 3).Build();
        await store.Lots.UpsertAsync(lot, TestContext.Token);
        await store.Lots.SetCapacityAsync(lot.LotId, new Dictionary<VehicleType, int> { [VehicleType.Car] = 3 }, Now, TestContext.Token);
        // Holds expire at Now + 5 min; starting at Now + 1 h.
        var expiring = await HoldAsync(lot.LotId, Now.AddHours(1));
        var confirmed = await HoldAsync(lot.LotId, Now.AddHours(1));
        await ConfirmAsync(confirmed);
        var later = await HoldAsync(lot.LotId, Now.AddHours(3));
        await ConfirmAsync(later);

        Assert.DoesNotContain(await DueAsync(Now), r => Mine(r, expiring, confirmed, later));
        var holdDue = (await DueAsync(Now.AddMinutes(4.5))).Where(r => Mine(r, expiring, confirmed, later)).ToList();
        var startDue = (await DueAsync(Now.AddMinutes(35))).Where(r => Mine(r, expiring, confirmed, later)).ToList();

        Assert.Equal([new DueReminder(NotificationKind.HoldExpiring, expiring)], holdDue);
        Assert.Equal([new DueReminder(NotificationKind.StartsSoon, confirmed)], startDue);
        await _outbox.EnqueueAsync(Message(NotificationKind.StartsSoon, confirmed.ToString("D")), TestContext.Token);
        Assert.DoesNotContain(await DueAsync(Now.AddMinutes(35)), r => Mine(r, expiring, confirmed, later));
    }

    private static bool Mine(DueReminder reminder, params Guid[] ids) => ids.Contains(reminder.BookingId);

    private Task<IReadOnlyList<DueReminder>> DueAsync(DateTimeOffset now) =>
        _outbox.ListDueRemindersAsync(now, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(30), TestContext.Token);

    private async Task<Guid> HoldAsync(string lotId, DateTimeOffset start)
    {
        var result = await store.Bookings.HoldAsync(
            new HoldRequest(Guid.CreateVersion7(), "driver-1", lotId, VehicleType.Car, null, null, start, start.AddHours(1),
                new Money(800, "EUR"), "test-1", 100, Now, Now.AddMinutes(5)),
            TestContext.Token);
        Assert.Equal(HoldStatus.Held, result.Status);
        return result.Booking!.Id;
    }

    private Task ConfirmAsync(Guid bookingId) => TestBookings.ConfirmAsync(store.Database, bookingId);

    private static OutboxMessage Message(NotificationKind kind, string subjectId, string subject = "Subject") =>
        new(Guid.NewGuid(), kind, subjectId, Guid.NewGuid(), "driver@example.test", subject, "Text", "<p>Text</p>",
            OutboxStatus.Pending, 0, Now, null, Now, null);
}

public sealed class SqliteOutboxContractTests(SqliteStoreFixture store) : OutboxContractTests<SqliteStoreFixture>(store);

public sealed class PostgresOutboxContractTests(PostgresStoreFixture store) : OutboxContractTests<PostgresStoreFixture>(store);
