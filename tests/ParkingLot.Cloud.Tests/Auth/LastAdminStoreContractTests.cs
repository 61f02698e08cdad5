using ParkingLot.Cloud.Auth;
using ParkingLot.Tests.Common;

namespace ParkingLot.Cloud.Tests.Auth;

/// <summary>
/// The last admin keeps the role, on each store, also when two admins demote each other at the same
/// moment. A class of its own: it needs a store whose only admins are the ones it creates.
/// </summary>
public abstract class LastAdminStoreContractTests<TFixture>(TFixture fixture) : IClassFixture<TFixture>
    where TFixture : AccessStoreFixture
{
    private static readonly DateTimeOffset Now = new(2026, 11, 2, 8, 0, 0, TimeSpan.Zero);

    private IAccountStore Store => fixture.Accounts;

    [Fact]
    public async Task SetRoles_DemotingTheLastAdmin_RefusedAlsoUnderARace()
    {
        var survivor = await CreateAsync(Roles.Admin);

        var alone = await Store.SetRolesAsync(survivor, [Roles.Driver], TestContext.Token);
        var otherRoleChange = await Store.SetRolesAsync(survivor, [Roles.Admin, Roles.Operator], TestContext.Token);

        Assert.Equal((RoleChange.LastAdmin, RoleChange.Done), (alone, otherRoleChange));
        for (var round = 0; round < 40; round++)
        {
            var newcomer = await CreateAsync(Roles.Admin);
            var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var demotions = new[] { survivor, newcomer }.Select(id => Task.Run(async () =>
            {
                await start.Task;
                return (Id: id, Change: await Store.SetRolesAsync(id, [Roles.Driver], TestContext.Token));
            })).ToList();
            start.SetResult();
            var outcomes = await Task.WhenAll(demotions);

            Assert.Single(outcomes, o => o.Change == RoleChange.Done);
            Assert.Single(outcomes, o => o.Change == RoleChange.LastAdmin);
            survivor = outcomes.Single(o => o.Change == RoleChange.LastAdmin).Id;
            Assert.Contains(Roles.Admin, (await Store.FindByIdAsync(survivor, TestContext.Token))!.Roles);
            Assert.True(await Store.AnyUserInRoleAsync(Roles.Admin, TestContext.Token));
        }
    }

    private async Task<Guid> CreateAsync(params string[] roles)
    {
        var user = new UserAccount(Guid.NewGuid(), $"u-{Guid.NewGuid():N}@example.test", "Test", "hash", roles, Now);
        Assert.True(await Store.CreateUserAsync(user, TestContext.Token));
        return user.Id;
    }
}

public sealed class SqliteLastAdminStoreTests(SqliteAccessStoreFixture fixture) : LastAdminStoreContractTests<SqliteAccessStoreFixture>(fixture);

public sealed class PostgresLastAdminStoreTests(PostgresAccessStoreFixture fixture) : LastAdminStoreContractTests<PostgresAccessStoreFixture>(fixture);
