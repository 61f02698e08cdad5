using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using ParkingLot.Cloud.Storage;
using ParkingLot.Cloud.Tests.Auth;
using ParkingLot.Cloud.Tests.StripeStandIn;
using ParkingLot.Tests.Common;

namespace ParkingLot.Cloud.Tests.Payments;

/// <summary>
/// I8, no card data: after payments, a decline and a refund, neither a dump of the whole database nor
/// any log line of the host holds a digit run that could be a card number (14–19 digits with a payment
/// network's first digit 2–6, or 13 digits starting with 4 as old Visa numbers do; passing the Luhn
/// check). The first-digit rules keep Unix-millisecond timestamps (13 digits starting with 1) and
/// other 13-digit runs of random ids from counting.
/// </summary>
[Collection(StripeCloudCollection.Name)]
public sealed partial class NoCardDataTests(StripeCloud cloud)
{
    [Fact]
    public async Task DatabaseDumpAndLogs_AfterPaymentsDeclineAndRefund_NoLuhnValidCardNumber()
    {
        var lot = await cloud.CreateLotAsync();
        using var client = cloud.CreateClient(await TestTokens.DriverAsync(cloud));
        var now = cloud.Clock.GetUtcNow();
        var paid = await PaymentSteps.HoldAsync(client, lot.LotId, now, TimeSpan.FromDays(2), TimeSpan.FromDays(2) + TimeSpan.FromHours(2));
        var declined = await PaymentSteps.HoldAsync(client, lot.LotId, now, TimeSpan.FromDays(4), TimeSpan.FromDays(4) + TimeSpan.FromHours(2));
        await PaymentSteps.PayAsync(client, paid.Id, paymentMethod: "pm_card_visa");
        await PaymentSteps.PostAsync(client, declined.Id, paymentMethod: "pm_card_chargeDeclined");
        await cloud.Stripe.DrainWebhooksAsync();
        await client.PostAsync($"/api/v1/bookings/{paid.Id}/cancel", null, TestContext.Token);

        var dump = await DumpDatabaseAsync();
        var logs = string.Join('\n', cloud.Logs.Lines);

        Assert.Contains(paid.Id.ToString("D"), dump, StringComparison.Ordinal); // the dump is of the database that took the payments
        Assert.Contains("[9002]", logs, StringComparison.Ordinal); // and the logs include the payment's own lines
        Assert.Empty(CardNumbers(dump));
        Assert.Empty(CardNumbers(logs));
    }

    [Theory]
    [InlineData("card 4242424242424242 in a log line", "4242424242424242")]
    [InlineData("amex 378282246310005;", "378282246310005")]
    [InlineData("2026-12-02 1764696000000 5555555555554444", "5555555555554444")]
    public void CardNumbers_TestCardsInText_Found(string text, string card) => Assert.Equal([card], CardNumbers(text));

    [Theory]
    [InlineData("4242424242424241")] // Luhn fails
    [InlineData("1764696000000")] // Unix milliseconds
    [InlineData("424242424242")] // too short
    public void CardNumbers_LookalikesAndTimestamps_NotFound(string text) => Assert.Empty(CardNumbers(text));

    internal static IReadOnlyList<string> CardNumbers(string text) =>
        [.. DigitRuns().Matches(text).Select(m => m.Value).Where(run => (run.Length >= 14 ? run[0] is >= '2' and <= '6' : run[0] == '4') && Luhn(run))];

    private static bool Luhn(string digits)
    {
        var sum = 0;
        for (var i = 0; i < digits.Length; i++)
        {
            var d = digits[digits.Length - 1 - i] - '0';
            if (i % 2 == 1)
            {
                d = d * 2 > 9 ? d * 2 - 9 : d * 2;
            }

            sum += d;
        }

        return sum % 10 == 0;
    }

    /// <summary>Every value of every row of every table, as text.</summary>
    private async Task<string> DumpDatabaseAsync()
    {
        await using var connection = await cloud.Services.GetRequiredService<SqliteDatabase>().OpenAsync(TestContext.Token);
        var tables = new List<string>();
        await using (var list = connection.CreateCommand())
        {
            list.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table'";
            await using var reader = await list.ExecuteReaderAsync(TestContext.Token);
            while (await reader.ReadAsync(TestContext.Token))
            {
                tables.Add(reader.GetString(0));
            }
        }

        var dump = new StringBuilder();
        foreach (var table in tables)
        {
            await using var select = connection.CreateCommand();
            select.CommandText = $"SELECT * FROM \"{table}\"";
            await using var reader = await select.ExecuteReaderAsync(TestContext.Token);
            while (await reader.ReadAsync(TestContext.Token))
            {
                for (var i = 0; i < reader.FieldCount; i++)
                {
                    dump.Append(reader.GetValue(i) switch { byte[] bytes => Encoding.UTF8.GetString(bytes), var v => Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture) }).Append('\t');
                }

                dump.Append('\n');
            }
        }

        Assert.Contains("payments", tables);
        return dump.ToString();
    }

    [GeneratedRegex(@"(?<!\d)\d{13,19}(?!\d)")]
    private static partial Regex DigitRuns();
}
