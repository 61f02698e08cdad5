using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using ParkingLot.Cloud.Auth;
using ParkingLot.Tests.Common;

namespace ParkingLot.Cloud.Tests.Auth;

/// <summary>
/// The configured first admin (<c>Admin:Email</c>/<c>Admin:Password</c>) against an account that
/// already exists under that address, and the last admin over HTTP. Each test runs its own hosts on
/// one store folder: a first start where a driver registers, then a start with the admin settings.
/// </summary>
public sealed class FirstAdminTests : IDisposable
{
    private const string Email = "root@example.test";
    private readonly DirectoryInfo _store = Directory.CreateTempSubdirectory("parkinglot-first-admin-");

    [Fact]
    public async Task Start_AdminEmailTakenWithAnotherPassword_FailsAndPromotesNobody()
    {
        await RegisterAsync(Email, "Squatter-password-1");

        await using (var configured = Host(admin: ("Squatter-guess-2", true)))
        {
            var failure = Record.Exception(() => configured.Services);

            Assert.IsType<AdminAccountException>(failure);
            Assert.Contains("Admin:Password", failure.Message, StringComparison.Ordinal);
        }

        Assert.Equal([Roles.Driver], await RolesAsync(Email));
    }

    [Fact]
    public async Task Start_AdminEmailTakenWithThatPassword_MakesItAdminKeepingItsRoles()
    {
        await RegisterAsync(Email, "Owner-password-1");

        await using (var configured = Host(admin: ("Owner-password-1", true)))
        {
            _ = configured.Services;
        }

        Assert.Equal([Roles.Admin, Roles.Driver], (await RolesAsync(Email)).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task SetRoles_LastAdminDemotesThemselves_409UntilAnotherAdminExists()
    {
        await using var cloud = Host(admin: ("Admin-password-1", true));
        using var anonymous = cloud.CreateClient();
        var root = await AccountsTests.SignInAsync(anonymous, Email, "Admin-password-1");
        var rootId = (await cloud.Services.GetRequiredService<IAccountStore>().FindByEmailAsync(Email, TestContext.Token))!.Id;
        using var admin = cloud.CreateClient(root.AccessToken);

        var alone = await admin.PutAsJsonAsync($"/api/v1/admin/users/{rootId}/roles", new { roles = new[] { "driver" } }, TestContext.Token);
        var deputy = await TestTokens.DriverAsync(cloud);
        var promoted = await admin.PutAsJsonAsync($"/api/v1/admin/users/{deputy.Id}/roles", new { roles = new[] { "admin" } }, TestContext.Token);
        var handedOver = await admin.PutAsJsonAsync($"/api/v1/admin/users/{rootId}/roles", new { roles = new[] { "driver" } }, TestContext.Token);

        await AuthTests.AssertProblemAsync(alone, HttpStatusCode.Conflict, "Last admin");
        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (promoted.StatusCode, handedOver.StatusCode));
        Assert.Equal([Roles.Driver], (await cloud.Services.GetRequiredService<IAccountStore>().FindByIdAsync(rootId, TestContext.Token))!.Roles);
    }

    public void Dispose()
    {
        try
        {
            _store.Delete(recursive: true);
        }
        catch (IOException)
        {
            // A pooled SQLite handle still closing; the OS cleans temp folders.
        }
    }

    private async Task RegisterAsync(string email, string password)
    {
        await using var cloud = Host(admin: null);
        using var client = cloud.CreateClient();
        var register = await client.PostAsJsonAsync("/api/v1/auth/register", new { email, password, name = "First" }, TestContext.Token);
        Assert.Equal(HttpStatusCode.Created, register.StatusCode);
    }

    private async Task<IReadOnlyList<string>> RolesAsync(string email)
    {
        await using var cloud = Host(admin: null);
        return (await cloud.Services.GetRequiredService<IAccountStore>().FindByEmailAsync(email, TestContext.Token))!.Roles;
    }

    private ConfiguredCloud Host((string Password, bool Set)? admin)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Storage:DataDirectory"] = _store.FullName,
            ["RateLimits:AuthPerIpPerMinute"] = "1000000",
        };
        if (admin is { } configured)
        {
            settings["Admin:Email"] = Email;
            settings["Admin:Password"] = configured.Password;
        }

        return new ConfiguredCloud(settings);
    }
}
