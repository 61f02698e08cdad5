using System.Net;
using System.Net.Http.Json;
using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.DependencyInjection;
using ParkingLot.Cloud.Auth;
using ParkingLot.Tests.Common;

namespace ParkingLot.Cloud.Tests.Auth;

/// <summary>Role policies, operators limited to their lots, the admin's user endpoints, vehicles of one's own.</summary>
[Collection(CloudCollection.Name)]
public sealed class AccessTests(CloudApplication cloud)
{
    [Theory]
    [InlineData(Roles.Driver, HttpStatusCode.OK)]
    [InlineData(Roles.Admin, HttpStatusCode.OK)]
    [InlineData(Roles.Operator, HttpStatusCode.Forbidden)]
    [InlineData(Roles.Technician, HttpStatusCode.Forbidden)]
    public async Task DriverRoute_ByRole_AdmitsDriverAndAdmin(string role, HttpStatusCode expected)
    {
        var user = await TestTokens.CreateUserAsync(cloud, role);
        using var client = cloud.CreateClient(user);

        var response = await client.GetAsync("/api/v1/me/vehicles", TestContext.Token);

        Assert.Equal(expected, response.StatusCode);
    }

    [Theory]
    [InlineData(Roles.Driver, HttpStatusCode.Forbidden)]
    [InlineData(Roles.Operator, HttpStatusCode.Forbidden)]
    [InlineData(Roles.Technician, HttpStatusCode.Forbidden)]
    [InlineData(Roles.Admin, HttpStatusCode.OK)]
    public async Task AdminRoute_ByRole_AdmitsOnlyAdmin(string role, HttpStatusCode expected)
    {
        var caller = await TestTokens.CreateUserAsync(cloud, role);
        var target = await TestTokens.DriverAsync(cloud);
        using var client = cloud.CreateClient(caller);

        var response = await client.GetAsync($"/api/v1/admin/users/{target.Id}/roles", TestContext.Token);

        Assert.Equal(expected, response.StatusCode);
        Assert.Equal(expected == HttpStatusCode.OK ? "application/json" : "application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData(Roles.Admin, "driver operator technician admin")]
    [InlineData(Roles.Technician, "technician")]
    [InlineData(Roles.Operator, "operator")]
    [InlineData(Roles.Driver, "driver")]
    public async Task Policies_ForRole_AdmitTheRoleAndAdminSatisfiesEvery(string role, string admitted)
    {
        var authorization = cloud.Services.GetRequiredService<IAuthorizationService>();
        var user = Principal(role);

        var passed = new List<string>();
        foreach (var policy in Roles.All)
        {
            if ((await authorization.AuthorizeAsync(user, policy)).Succeeded)
            {
                passed.Add(policy);
            }
        }

        Assert.Equal(admitted, string.Join(' ', passed));
    }

    [Fact]
    public async Task SetRoles_ByAdmin_AppliesFromTheNextToken()
    {
        var admin = await TestTokens.AdminAsync(cloud);
        var user = await TestTokens.DriverAsync(cloud);
        using var adminClient = cloud.CreateClient(admin);
        using var anonymous = cloud.CreateClient();

        var set = await adminClient.PutAsJsonAsync($"/api/v1/admin/users/{user.Id}/roles", new { roles = new[] { "operator", "driver", "operator" } }, TestContext.Token);
        var tokens = await (await anonymous.PostAsJsonAsync("/api/v1/auth/token", new { email = user.Email, password = TestTokens.Password }, TestContext.Token))
            .Content.ReadFromJsonAsync<TokenResponse>(TestContext.Token);
        using var refreshed = cloud.CreateClient(tokens!.AccessToken);
        var me = await refreshed.GetFromJsonAsync<UserResponse>("/api/v1/me", CloudApplication.Json, TestContext.Token);

        Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        Assert.Equal(["driver", "operator"], me!.Roles);
    }

    [Fact]
    public async Task SetRoles_UnknownUser_Returns404Problem()
    {
        var admin = await TestTokens.AdminAsync(cloud);
        using var client = cloud.CreateClient(admin);

        var response = await client.PutAsJsonAsync($"/api/v1/admin/users/{Guid.NewGuid()}/roles", new { roles = new[] { "driver" } }, TestContext.Token);

        await AuthTests.AssertProblemAsync(response, HttpStatusCode.NotFound, "Unknown user");
    }

    [Fact]
    public async Task LotScope_Operator_ManagesOnlyAssignedLots()
    {
        var (mine, theirs) = (await cloud.CreateLotAsync(), await cloud.CreateLotAsync());
        var admin = await TestTokens.AdminAsync(cloud);
        var @operator = await TestTokens.OperatorAsync(cloud);
        var driver = await TestTokens.DriverAsync(cloud);
        using var adminClient = cloud.CreateClient(admin);
        (await adminClient.PutAsJsonAsync($"/api/v1/admin/users/{@operator.Id}/lots", new { lotIds = new[] { mine.LotId } }, TestContext.Token)).EnsureSuccessStatusCode();
        var scope = cloud.Services.GetRequiredService<LotScope>();

        Assert.True(await scope.CanManageAsync(Principal(Roles.Operator, @operator.Id), mine.LotId, TestContext.Token));
        Assert.False(await scope.CanManageAsync(Principal(Roles.Operator, @operator.Id), theirs.LotId, TestContext.Token));
        Assert.True(await scope.CanManageAsync(Principal(Roles.Admin, admin.Id), theirs.LotId, TestContext.Token));
        // Assigned lots do not help a user who is not (or no longer) an operator.
        Assert.False(await scope.CanManageAsync(Principal(Roles.Driver, @operator.Id), mine.LotId, TestContext.Token));
        Assert.False(await scope.CanManageAsync(Principal(Roles.Driver, driver.Id), mine.LotId, TestContext.Token));
    }

    [Fact]
    public async Task SetLots_UnknownLot_Returns404AndKeepsTheOldSet()
    {
        var lot = await cloud.CreateLotAsync();
        var admin = await TestTokens.AdminAsync(cloud);
        var @operator = await TestTokens.OperatorAsync(cloud);
        using var client = cloud.CreateClient(admin);
        await client.PutAsJsonAsync($"/api/v1/admin/users/{@operator.Id}/lots", new { lotIds = new[] { lot.LotId } }, TestContext.Token);

        var response = await client.PutAsJsonAsync($"/api/v1/admin/users/{@operator.Id}/lots", new { lotIds = new[] { lot.LotId, "no-such-lot" } }, TestContext.Token);

        await AuthTests.AssertProblemAsync(response, HttpStatusCode.NotFound, "Unknown lot");
        var lots = await client.GetFromJsonAsync<LotsResponse>($"/api/v1/admin/users/{@operator.Id}/lots", CloudApplication.Json, TestContext.Token);
        Assert.Equal([lot.LotId], lots!.LotIds);
    }

    [Fact]
    public async Task Vehicles_AddListDelete_OnlyTheOwnersOwn()
    {
        var (alice, bob) = (await TestTokens.DriverAsync(cloud), await TestTokens.DriverAsync(cloud));
        using var aliceClient = cloud.CreateClient(alice);
        using var bobClient = cloud.CreateClient(bob);

        var added = await aliceClient.PostAsJsonAsync("/api/v1/me/vehicles", new { plate = " b-ab  123 ", vehicleType = "ev" }, TestContext.Token);
        var vehicle = await added.Content.ReadFromJsonAsync<Vehicle>(CloudApplication.Json, TestContext.Token);
        var duplicate = await aliceClient.PostAsJsonAsync("/api/v1/me/vehicles", new { plate = "B-AB 123", vehicleType = "car" }, TestContext.Token);
        var bobsList = await bobClient.GetFromJsonAsync<Vehicle[]>("/api/v1/me/vehicles", CloudApplication.Json, TestContext.Token);
        var bobDeletes = await bobClient.DeleteAsync($"/api/v1/me/vehicles/{vehicle!.Id}", TestContext.Token);
        var alicesList = await aliceClient.GetFromJsonAsync<Vehicle[]>("/api/v1/me/vehicles", CloudApplication.Json, TestContext.Token);
        var aliceDeletes = await aliceClient.DeleteAsync($"/api/v1/me/vehicles/{vehicle.Id}", TestContext.Token);

        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        Assert.Equal(("B-AB 123", Shared.Contracts.VehicleType.Ev), (vehicle.Plate, vehicle.VehicleType));
        await AuthTests.AssertProblemAsync(duplicate, HttpStatusCode.Conflict, "Vehicle already added");
        Assert.Empty(bobsList!);
        await AuthTests.AssertProblemAsync(bobDeletes, HttpStatusCode.NotFound, "Unknown vehicle");
        Assert.Equal([vehicle.Id], alicesList!.Select(v => v.Id));
        Assert.Equal(HttpStatusCode.NoContent, aliceDeletes.StatusCode);
        Assert.Empty(await cloud.Services.GetRequiredService<IAccountStore>().ListVehiclesAsync(alice.Id, TestContext.Token));
    }

    private static ClaimsPrincipal Principal(string role, Guid? userId = null) =>
        new(new ClaimsIdentity(
            [new Claim(AuthClaims.Subject, (userId ?? Guid.NewGuid()).ToString("D")), new Claim(AuthClaims.Role, role)],
            "Test", AuthClaims.Email, AuthClaims.Role));
}
