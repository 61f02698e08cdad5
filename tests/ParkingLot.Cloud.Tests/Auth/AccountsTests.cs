using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using ParkingLot.Cloud.Auth;
using ParkingLot.Tests.Common;

namespace ParkingLot.Cloud.Tests.Auth;

/// <summary>Sign-out on one device and everywhere, and password changes, through the API.</summary>
[Collection(CloudCollection.Name)]
public sealed class AccountsTests(CloudApplication cloud)
{
    [Fact]
    public async Task Logout_OneDevice_ItsRefreshTokenDiesTheOtherDeviceStaysSignedIn()
    {
        var user = await TestTokens.DriverAsync(cloud);
        using var client = cloud.CreateClient();
        var phone = await SignInAsync(client, user.Email, TestTokens.Password);
        var laptop = await SignInAsync(client, user.Email, TestTokens.Password);

        var logout = await client.PostAsJsonAsync("/api/v1/auth/logout", new { refreshToken = phone.RefreshToken }, TestContext.Token);

        Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await RefreshAsync(client, phone.RefreshToken)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await RefreshAsync(client, laptop.RefreshToken)).StatusCode);
    }

    [Fact]
    public async Task Logout_UnknownRefreshToken_401Problem()
    {
        using var client = cloud.CreateClient();

        var logout = await client.PostAsJsonAsync("/api/v1/auth/logout", new { refreshToken = "never-issued" }, TestContext.Token);

        await AuthTests.AssertProblemAsync(logout, HttpStatusCode.Unauthorized, "Invalid refresh token");
    }

    [Fact]
    public async Task LogoutAll_EveryRefreshTokenOfTheCallerDiesOthersUntouched()
    {
        var user = await TestTokens.DriverAsync(cloud);
        var bystander = await TestTokens.DriverAsync(cloud);
        using var client = cloud.CreateClient();
        var phone = await SignInAsync(client, user.Email, TestTokens.Password);
        var laptop = await SignInAsync(client, user.Email, TestTokens.Password);
        var theirs = await SignInAsync(client, bystander.Email, TestTokens.Password);
        using var signedIn = cloud.CreateClient(phone.AccessToken);

        var logout = await signedIn.PostAsync("/api/v1/auth/logout-all", null, TestContext.Token);

        Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await RefreshAsync(client, phone.RefreshToken)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await RefreshAsync(client, laptop.RefreshToken)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await RefreshAsync(client, theirs.RefreshToken)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.PostAsync("/api/v1/auth/logout-all", null, TestContext.Token)).StatusCode);
    }

    [Fact]
    public async Task ChangePassword_Right_NewPasswordSignsInOldNotAndOtherSessionsEnd()
    {
        var user = await TestTokens.DriverAsync(cloud);
        using var client = cloud.CreateClient();
        var here = await SignInAsync(client, user.Email, TestTokens.Password);
        var elsewhere = await SignInAsync(client, user.Email, TestTokens.Password);
        using var signedIn = cloud.CreateClient(here.AccessToken);

        var change = await signedIn.PostAsJsonAsync(
            "/api/v1/auth/password", new { currentPassword = TestTokens.Password, newPassword = "Brand-new-secret-7" }, TestContext.Token);

        Assert.Equal(HttpStatusCode.OK, change.StatusCode);
        var fresh = (await change.Content.ReadFromJsonAsync<TokenResponse>(TestContext.Token))!;
        Assert.Equal(HttpStatusCode.Unauthorized, (await TokenAsync(client, user.Email, TestTokens.Password)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await TokenAsync(client, user.Email, "Brand-new-secret-7")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await RefreshAsync(client, elsewhere.RefreshToken)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await RefreshAsync(client, here.RefreshToken)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await RefreshAsync(client, fresh.RefreshToken)).StatusCode);
    }

    [Theory]
    [InlineData("Not-the-password-1", "Brand-new-secret-7", "currentPassword")]
    [InlineData(TestTokens.Password, "short", "newPassword")]
    [InlineData(TestTokens.Password, TestTokens.Password, "newPassword")]
    public async Task ChangePassword_Refused_400NamingTheFieldAndNothingChanges(string current, string next, string field)
    {
        var user = await TestTokens.DriverAsync(cloud);
        using var client = cloud.CreateClient();
        var session = await SignInAsync(client, user.Email, TestTokens.Password);
        using var signedIn = cloud.CreateClient(session.AccessToken);
        var hashBefore = (await cloud.Services.GetRequiredService<IAccountStore>().FindByIdAsync(user.Id, TestContext.Token))!.PasswordHash;

        var change = await signedIn.PostAsJsonAsync("/api/v1/auth/password", new { currentPassword = current, newPassword = next }, TestContext.Token);

        Assert.Equal(HttpStatusCode.BadRequest, change.StatusCode);
        var problem = await change.Content.ReadFromJsonAsync<Microsoft.AspNetCore.Mvc.ValidationProblemDetails>(TestContext.Token);
        Assert.Equal([field], problem!.Errors.Keys);
        Assert.Equal(hashBefore, (await cloud.Services.GetRequiredService<IAccountStore>().FindByIdAsync(user.Id, TestContext.Token))!.PasswordHash);
        Assert.Equal(HttpStatusCode.OK, (await RefreshAsync(client, session.RefreshToken)).StatusCode);
    }

    [Fact]
    public async Task ChangePassword_WithoutToken_401()
    {
        using var client = cloud.CreateClient();

        var change = await client.PostAsJsonAsync("/api/v1/auth/password", new { currentPassword = "a", newPassword = "b" }, TestContext.Token);

        Assert.Equal(HttpStatusCode.Unauthorized, change.StatusCode);
    }

    internal static async Task<TokenResponse> SignInAsync(HttpClient client, string email, string password)
    {
        var response = await TokenAsync(client, email, password);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync(TestContext.Token));
        return (await response.Content.ReadFromJsonAsync<TokenResponse>(TestContext.Token))!;
    }

    private static Task<HttpResponseMessage> TokenAsync(HttpClient client, string email, string password) =>
        client.PostAsJsonAsync("/api/v1/auth/token", new { email, password }, TestContext.Token);

    private static Task<HttpResponseMessage> RefreshAsync(HttpClient client, string refreshToken) =>
        client.PostAsJsonAsync("/api/v1/auth/refresh", new { refreshToken }, TestContext.Token);
}
