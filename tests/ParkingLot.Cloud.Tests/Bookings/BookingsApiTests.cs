using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using ParkingLot.Cloud.Availability;
using ParkingLot.Cloud.Bookings;
using ParkingLot.Cloud.Lots;
using ParkingLot.Cloud.Tests.Auth;
using ParkingLot.Cloud.Tests.Builders;
using ParkingLot.Shared;
using ParkingLot.Shared.Contracts;
using ParkingLot.Shared.Credentials;
using ParkingLot.Shared.Tariffs;
using ParkingLot.Tests.Common;

namespace ParkingLot.Cloud.Tests.Bookings;

[Collection(BookingCloudCollection.Name)]
public class BookingsApiTests(BookingCloud cloud)
{
    private DateTimeOffset Now => cloud.Clock.GetUtcNow();

    [Fact]
    public async Task Create_FreeSpot_201HeldWithLockedQuoteAndExpiry()
    {
        var lot = await cloud.CreateLotAsync();
        using var client = cloud.CreateClient(await TestTokens.DriverAsync(cloud));
        var (start, end) = Window(1, 3);

        var response = await client.PostAsJsonAsync("/api/v1/bookings", Request(lot.LotId, start, end, plate: "b-ab 123"), TestContext.Token);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var booking = (await response.Content.ReadFromJsonAsync<BookingResponse>(CloudApplication.Json, TestContext.Token))!;
        var quote = TariffEngine.Quote(TestTariffs.Simple(), VehicleType.Car, start, end);
        Assert.Equal((BookingStatus.Held, "C1", quote.Total, "test-1", "BAB123"), (booking.Status, booking.SpotId, booking.Amount, booking.TariffVersion, booking.Plate));
        Assert.Equal(BookingWindow.Truncate(Now) + TimeSpan.FromMinutes(5), BookingWindow.Truncate(booking.ExpiresAt!.Value));
        Assert.Equal($"/api/v1/bookings/{booking.Id}", response.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task Get_OwnAndAnotherDriversBooking_OwnerSeesItOthersGet404()
    {
        var lot = await cloud.CreateLotAsync();
        using var owner = cloud.CreateClient(await TestTokens.DriverAsync(cloud));
        using var other = cloud.CreateClient(await TestTokens.DriverAsync(cloud));
        var booking = await HoldAsync(owner, lot.LotId, Window(1, 2));

        var mine = await owner.GetAsync($"/api/v1/bookings/{booking.Id}", TestContext.Token);
        var theirs = await other.GetAsync($"/api/v1/bookings/{booking.Id}", TestContext.Token);
        var theirCancel = await other.PostAsync($"/api/v1/bookings/{booking.Id}/cancel", null, TestContext.Token);
        var theirPass = await other.GetAsync($"/api/v1/bookings/{booking.Id}/pass", TestContext.Token);
        var theirList = await other.GetFromJsonAsync<BookingResponse[]>("/api/v1/bookings", CloudApplication.Json, TestContext.Token);

        Assert.Equal(HttpStatusCode.OK, mine.StatusCode);
        Assert.Equal([HttpStatusCode.NotFound, HttpStatusCode.NotFound, HttpStatusCode.NotFound], new[] { theirs.StatusCode, theirCancel.StatusCode, theirPass.StatusCode });
        Assert.Equal("application/problem+json", theirs.Content.Headers.ContentType!.MediaType);
        Assert.Empty(theirList!);
        Assert.Equal([booking.Id], (await owner.GetFromJsonAsync<BookingResponse[]>("/api/v1/bookings", CloudApplication.Json, TestContext.Token))!.Select(b => b.Id));
        Assert.Equal(BookingStatus.Held, (await Store.GetAsync(booking.Id, TestContext.Token))!.Status);
    }

    [Fact]
    public async Task Create_ShareSoldOut_409ProblemAndNothingStored()
    {
        var lot = await cloud.CreateLotAsync(cars: 3, carShare: 2);
        using var client = cloud.CreateClient(await TestTokens.DriverAsync(cloud));
        await HoldAsync(client, lot.LotId, Window(1, 3));
        await HoldAsync(client, lot.LotId, Window(2, 4));

        var response = await client.PostAsJsonAsync("/api/v1/bookings", Request(lot.LotId, Window(2.5, 5)), TestContext.Token);

        var problem = await AssertProblemAsync(response, HttpStatusCode.Conflict);
        Assert.Contains("reservable", problem.Detail, StringComparison.Ordinal);
        Assert.Equal(2, (await client.GetFromJsonAsync<BookingResponse[]>("/api/v1/bookings", CloudApplication.Json, TestContext.Token))!.Length);
    }

    [Fact]
    public async Task AccessToken_ServiceClockPassesItsLifetime_401()
    {
        // Minted and validated against the service's clock (here a fake one): 15 minutes of life
        // plus 30 s of skew, however little wall-clock time passes.
        using var client = cloud.CreateClient(await TestTokens.DriverAsync(cloud));
        var before = await client.GetAsync("/api/v1/bookings", TestContext.Token);

        cloud.Clock.Advance(TimeSpan.FromMinutes(16));
        var after = await client.GetAsync("/api/v1/bookings", TestContext.Token);

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.Unauthorized), (before.StatusCode, after.StatusCode));
    }

    [Fact]
    public async Task Create_OutsideOpeningHours_422LotClosedAndNothingStored()
    {
        var lot = await cloud.CreateLotAsync(hours: [Weekdays7To19]);
        using var client = cloud.CreateClient(await TestTokens.DriverAsync(cloud));
        var monday = NextBerlinMidnight(DayOfWeek.Monday);

        var saturday = await client.PostAsJsonAsync("/api/v1/bookings", Request(lot.LotId, monday.AddDays(-2).AddHours(10), monday.AddDays(-2).AddHours(12)), TestContext.Token);
        var pastClosing = await client.PostAsJsonAsync("/api/v1/bookings", Request(lot.LotId, monday.AddHours(18), monday.AddHours(19.5)), TestContext.Token);
        var quote = await client.PostAsJsonAsync("/api/v1/quotes", new { lotId = lot.LotId, vehicleType = "car", startTime = monday.AddHours(6), endTime = monday.AddHours(8) }, TestContext.Token);

        Assert.Contains("when the window starts", (await AssertProblemAsync(saturday, HttpStatusCode.UnprocessableEntity)).Detail, StringComparison.Ordinal);
        var late = await AssertProblemAsync(pastClosing, HttpStatusCode.UnprocessableEntity);
        Assert.Equal("Lot closed", late.Title);
        Assert.Contains("when the window ends", late.Detail, StringComparison.Ordinal);
        Assert.Equal("Lot closed", (await AssertProblemAsync(quote, HttpStatusCode.UnprocessableEntity)).Title);
        Assert.Empty((await client.GetFromJsonAsync<BookingResponse[]>("/api/v1/bookings", CloudApplication.Json, TestContext.Token))!);
    }

    [Fact]
    public async Task Create_WithinOpeningHours_HeldIncludingStaysOverClosedHoursAndLeavingAtClosing()
    {
        var lot = await cloud.CreateLotAsync(hours: [Weekdays7To19]);
        using var client = cloud.CreateClient(await TestTokens.DriverAsync(cloud));
        var monday = NextBerlinMidnight(DayOfWeek.Monday);

        var morning = await client.PostAsJsonAsync("/api/v1/bookings", Request(lot.LotId, monday.AddHours(8), monday.AddHours(10)), TestContext.Token);
        var untilClosing = await client.PostAsJsonAsync("/api/v1/bookings", Request(lot.LotId, monday.AddHours(17), monday.AddHours(19)), TestContext.Token);
        var overnight = await client.PostAsJsonAsync("/api/v1/bookings", Request(lot.LotId, monday.AddHours(18), monday.AddHours(24 + 8)), TestContext.Token);

        Assert.Equal(
            [HttpStatusCode.Created, HttpStatusCode.Created, HttpStatusCode.Created],
            new[] { morning.StatusCode, untilClosing.StatusCode, overnight.StatusCode });
    }

    private static readonly OpeningHours Weekdays7To19 = new(
        [DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday], new TimeOnly(7, 0), new TimeOnly(19, 0));

    /// <summary>Midnight in Berlin starting the first <paramref name="day"/> at least three days from the test clock's now.</summary>
    internal static DateTimeOffset NextBerlinMidnight(DateTimeOffset now, DayOfWeek day)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
        var local = TimeZoneInfo.ConvertTime(now, zone).Date.AddDays(3);
        while (local.DayOfWeek != day)
        {
            local = local.AddDays(1);
        }

        return new DateTimeOffset(local, zone.GetUtcOffset(local));
    }

    private DateTimeOffset NextBerlinMidnight(DayOfWeek day) => NextBerlinMidnight(Now, day);

    [Fact]
    public async Task Create_HoldNotPaidInTime_ExpiresAndSpotBookableAgain()
    {
        var lot = await cloud.CreateLotAsync(cars: 1, carShare: 1);
        using var client = cloud.CreateClient(await TestTokens.DriverAsync(cloud));
        var window = Window(1, 2);
        var first = await HoldAsync(client, lot.LotId, window);
        var refused = await client.PostAsJsonAsync("/api/v1/bookings", Request(lot.LotId, window), TestContext.Token);

        cloud.Clock.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(1));
        using var later = cloud.CreateClient(await TestTokens.DriverAsync(cloud));
        var second = await HoldAsync(later, lot.LotId, Window(1, 2));

        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Equal(("C1", "C1"), (first.SpotId, second.SpotId));
        var expired = await client.GetFromJsonAsync<BookingResponse>($"/api/v1/bookings/{first.Id}", CloudApplication.Json, TestContext.Token);
        Assert.Equal((BookingStatus.Expired, null), (expired!.Status, expired.ExpiresAt));
    }

    [Fact]
    public async Task Sweeper_ClockPassesExpiry_StoredStatusExpiredAndReservedCountDrops()
    {
        var lot = await cloud.CreateLotAsync(cars: 2, carShare: 2);
        using var client = cloud.CreateClient(await TestTokens.DriverAsync(cloud));
        var booking = await HoldAsync(client, lot.LotId, (Now.AddMinutes(-1), Now.AddHours(2)));
        Assert.Equal(1, await ReservedCarsAsync(lot.LotId));

        cloud.Clock.Advance(TimeSpan.FromMinutes(6));

        await TestContext.WaitUntilAsync(
            async () => (await Store.GetAsync(booking.Id, TestContext.Token))!.Status == BookingStatus.Expired && await ReservedCarsAsync(lot.LotId) == 0,
            TimeSpan.FromSeconds(20),
            "the sweeper to expire the hold and refresh the lot's reserved count");
    }

    [Fact]
    public async Task Cancel_Held_NoRefundSpotFreeAndSecondCancel409()
    {
        var lot = await cloud.CreateLotAsync(cars: 1, carShare: 1);
        using var client = cloud.CreateClient(await TestTokens.DriverAsync(cloud));
        var booking = await HoldAsync(client, lot.LotId, Window(1, 2));

        var cancel = await client.PostAsync($"/api/v1/bookings/{booking.Id}/cancel", null, TestContext.Token);
        var again = await client.PostAsync($"/api/v1/bookings/{booking.Id}/cancel", null, TestContext.Token);
        var rebooked = await HoldAsync(client, lot.LotId, Window(1, 2));

        var cancelled = (await cancel.Content.ReadFromJsonAsync<BookingResponse>(CloudApplication.Json, TestContext.Token))!;
        // Nothing was paid, so nothing is refunded.
        Assert.Equal((BookingStatus.Cancelled, new Money(0, booking.Amount.Currency), 2), (cancelled.Status, cancelled.Refund!.Value, cancelled.Version));
        await AssertProblemAsync(again, HttpStatusCode.Conflict);
        Assert.Equal("C1", rebooked.SpotId);
    }

    [Fact]
    public async Task Pass_Text_VerifiesWithCloudPublicKeyAndAlteredCodeRefused()
    {
        var lot = await cloud.CreateLotAsync();
        using var client = cloud.CreateClient(await TestTokens.DriverAsync(cloud));
        var held = await HoldAsync(client, lot.LotId, Window(1, 2), spotId: "C2");
        await Payments.PaymentSteps.PayAsync(client, held.Id);
        var booking = (await client.GetFromJsonAsync<BookingResponse>($"/api/v1/bookings/{held.Id}", CloudApplication.Json, TestContext.Token))!;
        var signer = cloud.Services.GetRequiredService<PassSigner>();
        using var publicKey = CredentialKeys.ImportPublicKey(signer.PublicKey);
        var verifier = new CredentialVerifier(new Dictionary<string, TrustedKey> { [signer.KeyId] = new(publicKey, CredentialKinds.Cloud) });

        var code = await client.GetStringAsync($"/api/v1/bookings/{booking.Id}/pass", TestContext.Token);
        var check = verifier.Verify(code, lot.LotId, booking.StartTime);
        var lastSignatureChar = code.Length - 2;
        var altered = code[..lastSignatureChar] + (code[lastSignatureChar] == 'A' ? 'B' : 'A') + code[(lastSignatureChar + 1)..];

        Assert.True(check.IsValid, check.Reason);
        Assert.Equal(
            new Credential(CredentialKind.Pass, lot.LotId, booking.Id.ToString("D"), VehicleType.Car, "C2", booking.StartTime, booking.EndTime, booking.Version),
            check.Credential);
        Assert.False(verifier.Verify(altered, lot.LotId, booking.StartTime).IsValid);
        Assert.Equal(CredentialStatus.WrongLot, verifier.Verify(code, "other-lot", booking.StartTime).Status);
    }

    [Fact]
    public async Task Pass_PngAndSvg_QrImages()
    {
        var lot = await cloud.CreateLotAsync();
        using var client = cloud.CreateClient(await TestTokens.DriverAsync(cloud));
        var booking = await HoldAsync(client, lot.LotId, Window(1, 2));
        await Payments.PaymentSteps.PayAsync(client, booking.Id);

        var png = await client.GetAsync($"/api/v1/bookings/{booking.Id}/pass?format=png", TestContext.Token);
        var svg = await client.GetAsync($"/api/v1/bookings/{booking.Id}/pass?format=svg", TestContext.Token);
        var bad = await client.GetAsync($"/api/v1/bookings/{booking.Id}/pass?format=gif", TestContext.Token);

        Assert.Equal("image/png", png.Content.Headers.ContentType!.MediaType);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], (await png.Content.ReadAsByteArrayAsync(TestContext.Token))[..4]);
        Assert.Equal("image/svg+xml", svg.Content.Headers.ContentType!.MediaType);
        Assert.Contains("<svg", await svg.Content.ReadAsStringAsync(TestContext.Token), StringComparison.Ordinal);
        await AssertProblemAsync(bad, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Create_WithIdempotencyKey_RepeatReturnsFirstBooking()
    {
        var lot = await cloud.CreateLotAsync();
        using var client = cloud.CreateClient(await TestTokens.DriverAsync(cloud));
        var body = Request(lot.LotId, Window(1, 2));

        async Task<BookingResponse> PostAsync()
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/bookings") { Content = JsonContent.Create(body, options: CloudApplication.Json) };
            request.Headers.Add("Idempotency-Key", "booking-key-1");
            var response = await client.SendAsync(request, TestContext.Token);
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            return (await response.Content.ReadFromJsonAsync<BookingResponse>(CloudApplication.Json, TestContext.Token))!;
        }

        var first = await PostAsync();
        var second = await PostAsync();

        Assert.Equal(first.Id, second.Id);
        Assert.Single((await client.GetFromJsonAsync<BookingResponse[]>("/api/v1/bookings", CloudApplication.Json, TestContext.Token))!);
    }

    public static TheoryData<string, string, HttpStatusCode> BadRequests() => new()
    {
        { "end before start", """{"lotId":"{lot}","vehicleType":"car","startTime":"{t2}","endTime":"{t1}"}""", HttpStatusCode.BadRequest },
        { "empty window", """{"lotId":"{lot}","vehicleType":"car","startTime":"{t1}","endTime":"{t1}"}""", HttpStatusCode.BadRequest },
        { "window in the past", """{"lotId":"{lot}","vehicleType":"car","startTime":"{past}","endTime":"{t1}"}""", HttpStatusCode.UnprocessableEntity },
        { "window years ahead", """{"lotId":"{lot}","vehicleType":"car","startTime":"{t1}","endTime":"{far}"}""", HttpStatusCode.UnprocessableEntity },
        { "unknown lot", """{"lotId":"no-such-lot","vehicleType":"car","startTime":"{t1}","endTime":"{t2}"}""", HttpStatusCode.NotFound },
        { "malformed lot id", """{"lotId":"bad lot!","vehicleType":"car","startTime":"{t1}","endTime":"{t2}"}""", HttpStatusCode.BadRequest },
        { "unknown spot", """{"lotId":"{lot}","vehicleType":"car","spotId":"Z9","startTime":"{t1}","endTime":"{t2}"}""", HttpStatusCode.NotFound },
        { "spot of another type", """{"lotId":"{lot}","vehicleType":"car","spotId":"E1","startTime":"{t1}","endTime":"{t2}"}""", HttpStatusCode.UnprocessableEntity },
        { "vehicle type the lot lacks", """{"lotId":"{lot}","vehicleType":"truck","startTime":"{t1}","endTime":"{t2}"}""", HttpStatusCode.UnprocessableEntity },
        { "unknown vehicle type", """{"lotId":"{lot}","vehicleType":"spaceship","startTime":"{t1}","endTime":"{t2}"}""", HttpStatusCode.BadRequest },
        { "missing lot id", """{"vehicleType":"car","startTime":"{t1}","endTime":"{t2}"}""", HttpStatusCode.BadRequest },
        { "missing end", """{"lotId":"{lot}","vehicleType":"car","startTime":"{t1}"}""", HttpStatusCode.BadRequest },
        { "time not a time", """{"lotId":"{lot}","vehicleType":"car","startTime":"tomorrow","endTime":"{t2}"}""", HttpStatusCode.BadRequest },
        { "not JSON", "lotId=x", HttpStatusCode.BadRequest },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task Create_BadRequest_4xxProblemAndNothingBooked(string scenario, string template, HttpStatusCode expected)
    {
        var lot = await cloud.CreateLotAsync();
        using var client = cloud.CreateClient(await TestTokens.DriverAsync(cloud));
        var body = template.Replace("{lot}", lot.LotId, StringComparison.Ordinal)
            .Replace("{t1}", Now.AddHours(1).ToString("O"), StringComparison.Ordinal)
            .Replace("{t2}", Now.AddHours(2).ToString("O"), StringComparison.Ordinal)
            .Replace("{past}", Now.AddHours(-3).ToString("O"), StringComparison.Ordinal)
            .Replace("{far}", Now.AddYears(3).ToString("O"), StringComparison.Ordinal);

        var response = await client.PostAsync("/api/v1/bookings", new StringContent(body, System.Text.Encoding.UTF8, "application/json"), TestContext.Token);

        Assert.True(response.StatusCode == expected, $"{scenario}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(TestContext.Token)}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Empty((await client.GetFromJsonAsync<BookingResponse[]>("/api/v1/bookings", CloudApplication.Json, TestContext.Token))!);
    }

    [Fact]
    public async Task Create_NoToken_401()
    {
        var lot = await cloud.CreateLotAsync();
        using var client = cloud.CreateClient();

        var response = await client.PostAsJsonAsync("/api/v1/bookings", Request(lot.LotId, Window(1, 2)), TestContext.Token);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    /// <summary>I1/I2 through the whole HTTP stack on the embedded store: 200 drivers race for 10 spots, all windows overlapping.</summary>
    [Fact]
    public async Task Create_200ConcurrentDrivers_ExactlyTenSucceedRest409()
    {
        var lot = await cloud.CreateLotAsync(cars: 10, carShare: 10);
        var driver = await TestTokens.DriverAsync(cloud);
        using var client = cloud.CreateClient(driver);
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var racers = Enumerable.Range(0, 200).Select(i => Task.Run(async () =>
        {
            await start.Task;
            using var response = await client.PostAsJsonAsync(
                "/api/v1/bookings", Request(lot.LotId, Window(1 + (i % 10) / 10.0, 3 + (i % 7) / 10.0)), TestContext.Token);
            return response.StatusCode;
        })).ToList();
        start.SetResult();
        var codes = await Task.WhenAll(racers);

        Assert.True(codes.Count(c => c == HttpStatusCode.Created) == 10, string.Join(",", codes.GroupBy(c => c).Select(g => $"{g.Key}={g.Count()}")));
        Assert.Equal(190, codes.Count(c => c == HttpStatusCode.Conflict));
        var held = (await client.GetFromJsonAsync<BookingResponse[]>("/api/v1/bookings", CloudApplication.Json, TestContext.Token))!;
        Assert.Equal(10, held.Select(b => b.SpotId).Distinct().Count());
    }

    private IBookingStore Store => cloud.Services.GetRequiredService<IBookingStore>();

    private (DateTimeOffset Start, DateTimeOffset End) Window(double fromHours, double toHours) =>
        (BookingWindow.Truncate(Now.AddHours(fromHours)), BookingWindow.Truncate(Now.AddHours(toHours)));

    private static object Request(string lotId, (DateTimeOffset Start, DateTimeOffset End) window, string? spotId = null, string? plate = null) =>
        Request(lotId, window.Start, window.End, spotId, plate);

    private static object Request(string lotId, DateTimeOffset start, DateTimeOffset end, string? spotId = null, string? plate = null) =>
        new { lotId, vehicleType = "car", spotId, plate, startTime = start, endTime = end };

    private static async Task<BookingResponse> HoldAsync(HttpClient client, string lotId, (DateTimeOffset Start, DateTimeOffset End) window, string? spotId = null)
    {
        var response = await client.PostAsJsonAsync("/api/v1/bookings", Request(lotId, window, spotId), TestContext.Token);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync(TestContext.Token));
        return (await response.Content.ReadFromJsonAsync<BookingResponse>(CloudApplication.Json, TestContext.Token))!;
    }

    private async Task<int> ReservedCarsAsync(string lotId)
    {
        var availability = await cloud.Services.GetRequiredService<AvailabilityService>().GetAsync(lotId, TestContext.Token);
        return availability!.VehicleTypes.Single(t => t.VehicleType == VehicleType.Car).Reserved;
    }

    internal static async Task<ProblemDetails> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        Assert.True(response.StatusCode == expected, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(TestContext.Token)}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        var problem = (await response.Content.ReadFromJsonAsync<ProblemDetails>(TestContext.Token))!;
        Assert.Equal((int)expected, problem.Status);
        return problem;
    }
}
