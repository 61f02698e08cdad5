using ParkingLot.Cloud.Auth;
using ParkingLot.Shared.Contracts;
using ParkingLot.Tests.Common;

namespace ParkingLot.Cloud.Tests.Auth;

/// <summary>What every account store does, on SQLite and on PostgreSQL.</summary>
public abstract class AccountStoreContractTests<TFixture>(TFixture fixture) : IClassFixture<TFixture>
    where TFixture : AccessStoreFixture
{
    private static readonly DateTimeOffset Now = new(2026, 11, 2, 8, 0, 0, TimeSpan.Zero);

    private IAccountStore Store => fixture.Accounts;

    [Fact]
    public async Task CreateUser_ThenFind_ByEmailAndId()
    {
        var user = NewUser(Roles.Driver, Roles.Operator);

        Assert.True(await Store.CreateUserAsync(user, TestContext.Token));

        var byEmail = await Store.FindByEmailAsync(user.Email, TestContext.Token);
        var byId = await Store.FindByIdAsync(user.Id, TestContext.Token);
        Assert.Equal((user.Id, user.Name, user.PasswordHash, user.CreatedAt), (byEmail!.Id, byEmail.Name, byEmail.PasswordHash, byEmail.CreatedAt));
        Assert.Equal([Roles.Driver, Roles.Operator], byId!.Roles);
    }

    [Fact]
    public async Task CreateUser_EmailTaken_ReturnsFalseAndKeepsTheFirst()
    {
        var first = NewUser(Roles.Driver);
        await Store.CreateUserAsync(first, TestContext.Token);

        var created = await Store.CreateUserAsync(first with { Id = Guid.NewGuid(), Name = "Other" }, TestContext.Token);

        Assert.False(created);
        Assert.Equal("Test", (await Store.FindByEmailAsync(first.Email, TestContext.Token))!.Name);
    }

    [Fact]
    public async Task SetRoles_ReplacesTheSet()
    {
        var user = NewUser(Roles.Driver);
        await Store.CreateUserAsync(user, TestContext.Token);

        Assert.Equal(RoleChange.Done, await Store.SetRolesAsync(user.Id, [Roles.Technician, Roles.Admin], TestContext.Token));
        Assert.Equal(RoleChange.UnknownUser, await Store.SetRolesAsync(Guid.NewGuid(), [Roles.Admin], TestContext.Token));

        Assert.Equal([Roles.Admin, Roles.Technician], (await Store.FindByIdAsync(user.Id, TestContext.Token))!.Roles);
        Assert.True(await Store.AnyUserInRoleAsync(Roles.Technician, TestContext.Token));
    }

    [Fact]
    public async Task RedeemRefreshToken_Once_ThenReportsReuse()
    {
        var user = NewUser(Roles.Driver);
        await Store.CreateUserAsync(user, TestContext.Token);
        var family = Guid.NewGuid();
        var token = new RefreshTokenRecord("hash-" + Guid.NewGuid(), user.Id, family, Now, Now.AddDays(30));
        await Store.StoreRefreshTokenAsync(token, TestContext.Token);

        var first = await Store.RedeemRefreshTokenAsync(token.TokenHash, Now.AddMinutes(1), TestContext.Token);
        var second = await Store.RedeemRefreshTokenAsync(token.TokenHash, Now.AddMinutes(2), TestContext.Token);

        Assert.Equal((RefreshOutcome.Redeemed, user.Id, family), (first.Outcome, first.UserId, first.FamilyId));
        Assert.Equal((RefreshOutcome.Reused, family), (second.Outcome, second.FamilyId));
    }

    [Fact]
    public async Task RedeemRefreshToken_ExpiredOrUnknown_IsInvalid()
    {
        var user = NewUser(Roles.Driver);
        await Store.CreateUserAsync(user, TestContext.Token);
        var token = new RefreshTokenRecord("hash-" + Guid.NewGuid(), user.Id, Guid.NewGuid(), Now, Now.AddDays(30));
        await Store.StoreRefreshTokenAsync(token, TestContext.Token);

        Assert.Equal(RefreshOutcome.Invalid, (await Store.RedeemRefreshTokenAsync(token.TokenHash, Now.AddDays(31), TestContext.Token)).Outcome);
        Assert.Equal(RefreshOutcome.Invalid, (await Store.RedeemRefreshTokenAsync("unknown", Now, TestContext.Token)).Outcome);
    }

    [Fact]
    public async Task RevokeRefreshFamily_MakesItsUnusedTokensUnusable()
    {
        var user = NewUser(Roles.Driver);
        await Store.CreateUserAsync(user, TestContext.Token);
        var family = Guid.NewGuid();
        var token = new RefreshTokenRecord("hash-" + Guid.NewGuid(), user.Id, family, Now, Now.AddDays(30));
        await Store.StoreRefreshTokenAsync(token, TestContext.Token);

        await Store.RevokeRefreshFamilyAsync(family, Now, TestContext.Token);

        Assert.Equal(RefreshOutcome.Reused, (await Store.RedeemRefreshTokenAsync(token.TokenHash, Now.AddMinutes(1), TestContext.Token)).Outcome);
    }

    [Fact]
    public async Task SetPasswordHash_ReplacesOnlyThatUsersHash()
    {
        var (user, other) = (NewUser(Roles.Driver), NewUser(Roles.Driver));
        await Store.CreateUserAsync(user, TestContext.Token);
        await Store.CreateUserAsync(other, TestContext.Token);

        Assert.True(await Store.SetPasswordHashAsync(user.Id, "new-hash", TestContext.Token));
        Assert.False(await Store.SetPasswordHashAsync(Guid.NewGuid(), "new-hash", TestContext.Token));

        Assert.Equal("new-hash", (await Store.FindByIdAsync(user.Id, TestContext.Token))!.PasswordHash);
        Assert.Equal("hash", (await Store.FindByIdAsync(other.Id, TestContext.Token))!.PasswordHash);
    }

    [Fact]
    public async Task RevokeUserRefreshTokens_EveryFamilyOfThatUserOnly()
    {
        var (user, other) = (NewUser(Roles.Driver), NewUser(Roles.Driver));
        await Store.CreateUserAsync(user, TestContext.Token);
        await Store.CreateUserAsync(other, TestContext.Token);
        var phone = await StoreTokenAsync(user.Id, Guid.NewGuid());
        var laptop = await StoreTokenAsync(user.Id, Guid.NewGuid());
        var others = await StoreTokenAsync(other.Id, Guid.NewGuid());

        var revoked = await Store.RevokeUserRefreshTokensAsync(user.Id, Now, TestContext.Token);

        Assert.Equal(2, revoked);
        Assert.Equal(RefreshOutcome.Reused, (await Store.RedeemRefreshTokenAsync(phone, Now.AddMinutes(1), TestContext.Token)).Outcome);
        Assert.Equal(RefreshOutcome.Reused, (await Store.RedeemRefreshTokenAsync(laptop, Now.AddMinutes(1), TestContext.Token)).Outcome);
        Assert.Equal(RefreshOutcome.Redeemed, (await Store.RedeemRefreshTokenAsync(others, Now.AddMinutes(1), TestContext.Token)).Outcome);
    }

    [Fact]
    public async Task RevokeRefreshFamilyOf_ThatTokensFamilyOnly()
    {
        var user = NewUser(Roles.Driver);
        await Store.CreateUserAsync(user, TestContext.Token);
        var family = Guid.NewGuid();
        var used = await StoreTokenAsync(user.Id, family);
        await Store.RedeemRefreshTokenAsync(used, Now, TestContext.Token);
        var current = await StoreTokenAsync(user.Id, family);
        var otherDevice = await StoreTokenAsync(user.Id, Guid.NewGuid());

        var known = await Store.RevokeRefreshFamilyOfAsync(used, Now.AddMinutes(1), TestContext.Token);
        var unknown = await Store.RevokeRefreshFamilyOfAsync("no-such-hash", Now.AddMinutes(1), TestContext.Token);

        Assert.Equal((true, false), (known, unknown));
        Assert.Equal(RefreshOutcome.Reused, (await Store.RedeemRefreshTokenAsync(current, Now.AddMinutes(2), TestContext.Token)).Outcome);
        Assert.Equal(RefreshOutcome.Redeemed, (await Store.RedeemRefreshTokenAsync(otherDevice, Now.AddMinutes(2), TestContext.Token)).Outcome);
    }

    [Fact]
    public async Task OperatorLots_SetReplacesAndScopes()
    {
        var user = NewUser(Roles.Operator);
        await Store.CreateUserAsync(user, TestContext.Token);
        await Store.SetOperatorLotsAsync(user.Id, ["lot-a", "lot-b"], TestContext.Token);

        await Store.SetOperatorLotsAsync(user.Id, ["lot-b", "lot-c"], TestContext.Token);

        Assert.Equal(["lot-b", "lot-c"], await Store.GetOperatorLotsAsync(user.Id, TestContext.Token));
        Assert.True(await Store.IsOperatorOfLotAsync(user.Id, "lot-c", TestContext.Token));
        Assert.False(await Store.IsOperatorOfLotAsync(user.Id, "lot-a", TestContext.Token));
        Assert.False(await Store.SetOperatorLotsAsync(Guid.NewGuid(), ["lot-a"], TestContext.Token));
    }

    [Fact]
    public async Task Vehicles_AddListDelete_OwnerOnly()
    {
        var (owner, other) = (NewUser(Roles.Driver), NewUser(Roles.Driver));
        await Store.CreateUserAsync(owner, TestContext.Token);
        await Store.CreateUserAsync(other, TestContext.Token);
        var vehicle = new Vehicle(Guid.NewGuid(), "AB 123", VehicleType.Ev, Now);

        Assert.True(await Store.AddVehicleAsync(owner.Id, vehicle, TestContext.Token));
        Assert.False(await Store.AddVehicleAsync(owner.Id, vehicle with { Id = Guid.NewGuid() }, TestContext.Token));
        Assert.False(await Store.DeleteVehicleAsync(other.Id, vehicle.Id, TestContext.Token));

        Assert.Equal([vehicle], await Store.ListVehiclesAsync(owner.Id, TestContext.Token));
        Assert.True(await Store.DeleteVehicleAsync(owner.Id, vehicle.Id, TestContext.Token));
        Assert.Empty(await Store.ListVehiclesAsync(owner.Id, TestContext.Token));
    }

    private async Task<string> StoreTokenAsync(Guid userId, Guid family)
    {
        var hash = "hash-" + Guid.NewGuid();
        await Store.StoreRefreshTokenAsync(new RefreshTokenRecord(hash, userId, family, Now, Now.AddDays(30)), TestContext.Token);
        return hash;
    }

    private static UserAccount NewUser(params string[] roles) =>
        new(Guid.NewGuid(), $"u-{Guid.NewGuid():N}@example.test", "Test", "hash", roles, Now);
}

public sealed class SqliteAccountStoreTests(SqliteAccessStoreFixture fixture) : AccountStoreContractTests<SqliteAccessStoreFixture>(fixture);

public sealed class PostgresAccountStoreTests(PostgresAccessStoreFixture fixture) : AccountStoreContractTests<PostgresAccessStoreFixture>(fixture);
