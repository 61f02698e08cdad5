using ParkingLot.Cloud.Idempotency;
using ParkingLot.Cloud.Tests.Auth;
using ParkingLot.Tests.Common;

namespace ParkingLot.Cloud.Tests.Idempotency;

/// <summary>The claim rules every idempotency store keeps: SQLite and PostgreSQL.</summary>
public abstract class IdempotencyStoreContractTests<TFixture>(TFixture fixture) : IClassFixture<TFixture>
    where TFixture : AccessStoreFixture
{
    private static readonly DateTimeOffset Now = new(2026, 11, 2, 8, 0, 0, TimeSpan.Zero);

    private IIdempotencyStore Store => fixture.Idempotency;

    [Fact]
    public async Task TryClaim_NewKey_IsClaimed()
    {
        var claim = await ClaimAsync(NewKey(), "fp-1", Now);

        Assert.Equal((IdempotencyState.Claimed, "fp-1"), (claim.State, claim.Fingerprint));
    }

    [Fact]
    public async Task TryClaim_WhileRunning_ReportsInProgressWithFirstFingerprint()
    {
        var key = NewKey();
        await ClaimAsync(key, "fp-1", Now);

        var second = await ClaimAsync(key, "fp-2", Now.AddSeconds(1));

        Assert.Equal((IdempotencyState.InProgress, "fp-1"), (second.State, second.Fingerprint));
    }

    [Fact]
    public async Task TryClaim_AfterComplete_ReturnsStoredResponse()
    {
        var key = NewKey();
        await ClaimAsync(key, "fp-1", Now);
        byte[] body = [0x7B, 0x00, 0xFF, 0x7D];
        await Store.CompleteAsync(key, Owner, new StoredResponse(201, "application/json", "/api/v1/x/1", body), TestContext.Token);

        var again = await ClaimAsync(key, "fp-1", Now.AddMinutes(5));

        Assert.Equal(IdempotencyState.Completed, again.State);
        Assert.Equal((201, "application/json", "/api/v1/x/1"), (again.Response!.StatusCode, again.Response.ContentType, again.Response.Location));
        Assert.Equal(body, again.Response.Body);
    }

    [Fact]
    public async Task TryClaim_CompletedWithoutOptionalHeaders_RoundTripsNulls()
    {
        var key = NewKey();
        await ClaimAsync(key, "fp-1", Now);
        await Store.CompleteAsync(key, Owner, new StoredResponse(204, null, null, []), TestContext.Token);

        var again = await ClaimAsync(key, "fp-1", Now.AddSeconds(1));

        Assert.Equal((204, null, null, 0), (again.Response!.StatusCode, again.Response.ContentType, again.Response.Location, again.Response.Body.Length));
    }

    [Fact]
    public async Task TryClaim_AfterRelease_IsClaimedAgain()
    {
        var key = NewKey();
        await ClaimAsync(key, "fp-1", Now);
        await Store.ReleaseAsync(key, Owner, TestContext.Token);

        var again = await ClaimAsync(key, "fp-2", Now.AddSeconds(1));

        Assert.Equal((IdempotencyState.Claimed, "fp-2"), (again.State, again.Fingerprint));
    }

    [Fact]
    public async Task Release_AfterComplete_KeepsTheResponse()
    {
        var key = NewKey();
        await ClaimAsync(key, "fp-1", Now);
        await Store.CompleteAsync(key, Owner, new StoredResponse(200, null, null, [1]), TestContext.Token);

        await Store.ReleaseAsync(key, Owner, TestContext.Token);

        Assert.Equal(IdempotencyState.Completed, (await ClaimAsync(key, "fp-1", Now.AddSeconds(1))).State);
    }

    [Fact]
    public async Task TryClaim_RunningPastItsLock_IsClaimedAgain()
    {
        var key = NewKey();
        await ClaimAsync(key, "fp-1", Now);

        // The first claimant died: its lock (1 minute) ran out without a response.
        var again = await ClaimAsync(key, "fp-1", Now.AddMinutes(2));

        Assert.Equal(IdempotencyState.Claimed, again.State);
    }

    [Fact]
    public async Task Purge_ExpiredKey_IsGoneAndClaimable()
    {
        var key = NewKey();
        await ClaimAsync(key, "fp-1", Now);
        await Store.CompleteAsync(key, Owner, new StoredResponse(201, null, null, [1]), TestContext.Token);

        await Store.PurgeExpiredAsync(Now.AddDays(2), TestContext.Token);
        var later = await ClaimAsync(key, "fp-2", Now.AddDays(2));

        Assert.Equal((IdempotencyState.Claimed, "fp-2"), (later.State, later.Fingerprint));
    }

    [Fact]
    public async Task TryClaim_ConcurrentlyWithOneKey_ExactlyOneClaims()
    {
        var key = NewKey();

        var claims = await Task.WhenAll(Enumerable.Range(0, 24).Select(i => Task.Run(() => ClaimAsync(key, "fp-1", Now))));

        Assert.Single(claims, c => c.State == IdempotencyState.Claimed);
        Assert.All(claims.Where(c => c.State != IdempotencyState.Claimed), c => Assert.Equal(IdempotencyState.InProgress, c.State));
    }

    [Fact]
    public async Task TryClaim_SameKeyOtherScope_IsIndependent()
    {
        var key = NewKey();
        await ClaimAsync(key, "fp-1", Now);

        var other = await ClaimAsync(key with { Scope = Guid.NewGuid().ToString("D") }, "fp-1", Now);

        Assert.Equal(IdempotencyState.Claimed, other.State);
    }

    [Fact]
    public async Task Complete_ByAClaimantWhoseLockRanOut_WritesNothingAndTheNewOwnerCompletes()
    {
        var key = NewKey();
        await ClaimAsync(key, "fp-1", Now, "slow");
        await ClaimAsync(key, "fp-1", Now.AddMinutes(2), "retry");

        var slowCompleted = await Store.CompleteAsync(key, "slow", new StoredResponse(201, null, "/slow", [1]), TestContext.Token);
        var whileRetryRuns = await ClaimAsync(key, "fp-1", Now.AddMinutes(2).AddSeconds(1), "third");
        var retryCompleted = await Store.CompleteAsync(key, "retry", new StoredResponse(201, null, "/retry", [2]), TestContext.Token);
        var replay = await ClaimAsync(key, "fp-1", Now.AddMinutes(3), "fourth");

        Assert.Equal((false, IdempotencyState.InProgress, true), (slowCompleted, whileRetryRuns.State, retryCompleted));
        Assert.Equal((IdempotencyState.Completed, "/retry"), (replay.State, replay.Response!.Location));
    }

    [Fact]
    public async Task Release_ByAnotherOwner_KeepsTheClaim()
    {
        var key = NewKey();
        await ClaimAsync(key, "fp-1", Now, "slow");
        await ClaimAsync(key, "fp-1", Now.AddMinutes(2), "retry");

        var released = await Store.ReleaseAsync(key, "slow", TestContext.Token);
        var again = await ClaimAsync(key, "fp-1", Now.AddMinutes(2).AddSeconds(1), "third");

        Assert.Equal((false, IdempotencyState.InProgress), (released, again.State));
    }

    [Fact]
    public async Task CompleteAndRelease_OwnClaim_ReportTrueOnceThenFalse()
    {
        var completed = NewKey();
        var released = NewKey();
        await ClaimAsync(completed, "fp-1", Now);
        await ClaimAsync(released, "fp-1", Now);

        var outcomes = (
            await Store.CompleteAsync(completed, Owner, new StoredResponse(201, null, null, [1]), TestContext.Token),
            await Store.CompleteAsync(completed, Owner, new StoredResponse(500, null, null, [2]), TestContext.Token),
            await Store.ReleaseAsync(released, Owner, TestContext.Token),
            await Store.ReleaseAsync(released, Owner, TestContext.Token));

        Assert.Equal((true, false, true, false), outcomes);
        Assert.Equal(201, (await ClaimAsync(completed, "fp-1", Now.AddSeconds(1), "other")).Response!.StatusCode);
    }

    private const string Owner = "owner-1";

    private Task<IdempotencyClaim> ClaimAsync(IdempotencyKey key, string fingerprint, DateTimeOffset now, string owner = Owner) =>
        Store.TryClaimAsync(key, fingerprint, owner, now, now.AddMinutes(1), now.AddDays(1), TestContext.Token);

    private static IdempotencyKey NewKey() => new(Guid.NewGuid().ToString("D"), Guid.NewGuid().ToString("N"));
}

public sealed class SqliteIdempotencyStoreTests(SqliteAccessStoreFixture fixture) : IdempotencyStoreContractTests<SqliteAccessStoreFixture>(fixture);

public sealed class PostgresIdempotencyStoreTests(PostgresAccessStoreFixture fixture) : IdempotencyStoreContractTests<PostgresAccessStoreFixture>(fixture);
