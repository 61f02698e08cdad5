using System.Text.Json;
using Microsoft.Data.Sqlite;
using ParkingLot.Edge.Ledger;
using ParkingLot.Edge.Tests.Builders;
using ParkingLot.Shared.Contracts;
using ParkingLot.Tests.Common;

namespace ParkingLot.Edge.Tests.Cli;

/// <summary>parkctl against an agent (no simulated lot) started on a ledger a test wrote: tickets and a hand-edited ledger.</summary>
[Collection(ParkctlProcessCollection.Name)]
public sealed class ParkctlLedgerTests
{
    [Fact]
    public async Task TicketsShow_ByIdAndByPrintedCode_ShowsEntryFeeSoFarAndPayments()
    {
        using var directory = new TempDirectory();
        var data = directory.File("data");
        const string code = "PL1.eyJ0IjoiVEFBQTEifQ.sig";
        await using (var ledger = await LedgerStore.OpenAsync(Path.Combine(data, "ledger.db"), "demo-lot", TimeProvider.System, TestContext.Token))
        {
            await ledger.AppendAsync(EventTypes.TicketIssued, new TicketIssued("TAAA1", "entry-1", VehicleType.Truck, TimeProvider.System.GetUtcNow().AddHours(-3), code), TestContext.Token);
            await ledger.AppendAsync(EventTypes.VehicleEntered, new VehicleEntered("entry-1", "TAAA1", VehicleType.Truck, CredentialKind.Ticket, null), TestContext.Token);
            await ledger.AppendAsync(EventTypes.PaymentRecorded, new PaymentRecorded("pay-1", "TAAA1", new ParkingLot.Shared.Money(250, "EUR"), PaymentMethod.Cash, "t1"), TestContext.Token);
        }

        await using var agent = await AgentProcess.StartAsync(data, simulate: false);
        var byId = await ParkctlProcess.RunAsync(["--data", data, "tickets", "show", "TAAA1", "--json"]);
        var byCode = await ParkctlProcess.RunAsync(["--data", data, "tickets", "show", code, "--json"]);
        var human = await ParkctlProcess.RunAsync(["--data", data, "tickets", "show", "TAAA1"]);

        Assert.Equal(0, byId.ExitCode);
        Assert.Equal(0, byCode.ExitCode);
        using (var found = JsonDocument.Parse(byCode.Output))
        {
            Assert.Equal("TAAA1", found.RootElement.GetProperty("ticketId").GetString());
        }

        using var json = JsonDocument.Parse(byId.Output);
        var ticket = json.RootElement;
        Assert.Equal("TAAA1", ticket.GetProperty("ticketId").GetString());
        Assert.Equal("entry-1", ticket.GetProperty("entryGate").GetString());
        Assert.Equal("truck", ticket.GetProperty("vehicleType").GetString());
        Assert.True(ticket.GetProperty("feeSoFar").GetProperty("minor").GetInt64() > 0, ticket.ToString());
        Assert.Equal(250, ticket.GetProperty("payments")[0].GetProperty("amount").GetProperty("minor").GetInt64());
        Assert.Equal(0, human.ExitCode);
        Assert.Contains("TAAA1", human.Output, StringComparison.Ordinal);
        Assert.Contains("still inside", human.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LedgerVerify_LedgerEditedByHand_ExitsOneNamingTheFirstBadEvent()
    {
        using var directory = new TempDirectory();
        var data = directory.File("data");
        var ledgerPath = Path.Combine(data, "ledger.db");
        long edited;
        await using (var ledger = await LedgerStore.OpenAsync(ledgerPath, "demo-lot", TimeProvider.System, TestContext.Token))
        {
            await LedgerBuilder.AppendBarrierMovesAsync(ledger, 3);
            var park = await ledger.AppendAsync(EventTypes.OccupancyChanged, new OccupancyChanged("A001", VehicleType.Car, true, "sensor-A001"), TestContext.Token);
            await LedgerBuilder.AppendBarrierMovesAsync(ledger, 3);
            edited = park.Seq;
        }

        // As a tamperer with sqlite3 would, on the stopped agent's ledger: drop the guards, edit a row.
        await using (var connection = new SqliteConnection(LedgerStore.ConnectionString(ledgerPath, SqliteOpenMode.ReadWrite)))
        {
            await connection.OpenAsync(TestContext.Token);
            await using var command = connection.CreateCommand();
            command.CommandText = """
                DROP TRIGGER events_no_update;
                DROP TRIGGER events_no_delete;
                UPDATE events SET payload = replace(payload, '"occupied":true', '"occupied":false') WHERE seq = $seq;
                """;
            command.Parameters.AddWithValue("$seq", edited);
            Assert.Equal(1, await command.ExecuteNonQueryAsync(TestContext.Token));
        }

        await using var agent = await AgentProcess.StartAsync(data, simulate: false);
        var json = await ParkctlProcess.RunAsync(["--data", data, "ledger", "verify", "--json"]);
        var human = await ParkctlProcess.RunAsync(["--data", data, "ledger", "verify"]);

        Assert.Equal(1, json.ExitCode);
        using var doc = JsonDocument.Parse(json.Output);
        Assert.False(doc.RootElement.GetProperty("valid").GetBoolean());
        Assert.Equal(edited, doc.RootElement.GetProperty("firstBadSeq").GetInt64());
        Assert.Equal(EventTypes.OccupancyChanged, doc.RootElement.GetProperty("firstBadType").GetString());
        Assert.Contains("edited", doc.RootElement.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, human.ExitCode);
        Assert.Contains($"seq {edited} ({EventTypes.OccupancyChanged}", human.Output, StringComparison.Ordinal);
    }
}
