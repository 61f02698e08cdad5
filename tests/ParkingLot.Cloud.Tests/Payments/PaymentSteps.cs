using System.Net;
using System.Net.Http.Json;
using ParkingLot.Cloud.Bookings;
using ParkingLot.Cloud.Payments;
using ParkingLot.Tests.Common;

namespace ParkingLot.Cloud.Tests.Payments;

/// <summary>Paying a booking over the API, as the driver app does.</summary>
internal static class PaymentSteps
{
    /// <summary>POST /api/v1/payments, optionally with an Idempotency-Key and a payment method.</summary>
    public static async Task<HttpResponseMessage> PostAsync(HttpClient client, Guid bookingId, string? key = null, string? paymentMethod = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/payments")
        {
            Content = JsonContent.Create(new { bookingId, paymentMethod }, options: CloudApplication.Json),
        };
        if (key is not null)
        {
            request.Headers.Add("Idempotency-Key", key);
        }

        return await client.SendAsync(request, TestContext.Token);
    }

    /// <summary>Pays and expects 200.</summary>
    public static async Task<PaymentResponse> PayAsync(HttpClient client, Guid bookingId, string? key = null, string? paymentMethod = null)
    {
        var response = await PostAsync(client, bookingId, key, paymentMethod);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"POST /payments: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(TestContext.Token)}");
        return (await response.Content.ReadFromJsonAsync<PaymentResponse>(CloudApplication.Json, TestContext.Token))!;
    }

    /// <summary>Holds a car booking of <paramref name="lotId"/> from now + <paramref name="from"/> to now + <paramref name="to"/> and expects 201.</summary>
    public static async Task<BookingResponse> HoldAsync(HttpClient client, string lotId, DateTimeOffset now, TimeSpan from, TimeSpan to)
    {
        var response = await client.PostAsJsonAsync(
            "/api/v1/bookings",
            new { lotId, vehicleType = "car", startTime = BookingWindow.Truncate(now + from), endTime = BookingWindow.Truncate(now + to) },
            TestContext.Token);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync(TestContext.Token));
        return (await response.Content.ReadFromJsonAsync<BookingResponse>(CloudApplication.Json, TestContext.Token))!;
    }

    public static async Task<BookingResponse> GetAsync(HttpClient client, Guid bookingId) =>
        (await client.GetFromJsonAsync<BookingResponse>($"/api/v1/bookings/{bookingId}", CloudApplication.Json, TestContext.Token))!;

    public static async Task<BookingMoneyResponse> MoneyAsync(HttpClient client, Guid bookingId) =>
        (await client.GetFromJsonAsync<BookingMoneyResponse>($"/api/v1/bookings/{bookingId}/payments", CloudApplication.Json, TestContext.Token))!;
}
