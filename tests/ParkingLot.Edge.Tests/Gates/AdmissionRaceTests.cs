using System.Text.Json.Nodes;
using ParkingLot.Edge.Gates;
using ParkingLot.Edge.Ledger;
using ParkingLot.Edge.Tests.Builders;
using ParkingLot.Shared.Contracts;
using ParkingLot.Tests.Common;

namespace ParkingLot.Edge.Tests.Gates;

/// <summary>
/// Anti-passback and the used-ticket check hold across lanes: two lanes of one lot deciding on the
/// same pass at the same instant, each on its own loop over the real ledger, let it through once.
/// </summary>
public sealed class AdmissionRaceTests : IAsyncLifetime
{
    private LaneHarness _h = null!;

    public async Task InitializeAsync()
    {
        var lot = new LotFileBuilder().With(json =>
        {
            var gates = (JsonArray)json["gates"]!;
            gates.Add(new JsonObject { ["id"] = "entry-2", ["direction"] = "entry", ["name"] = "Entry 2" });
            gates.Add(new JsonObject { ["id"] = "exit-2", ["direction"] = "exit", ["name"] = "Exit 2" });
        }).Build();
        _h = await LaneHarness.CreateAsync(lot);
    }

    public async Task DisposeAsync() => await _h.DisposeAsync();

    [Fact]
    public async Task TwoEntryLanes_OnePassAtTheSameInstant_ExactlyOneAdmits()
    {
        var first = await _h.StartAsync("entry-1");
        var second = await _h.StartAsync("entry-2");
        var pass = _h.Cloud.Pass("BK-RACE-IN", VehicleType.Car, _h.Time.GetUtcNow().AddHours(-1), _h.Time.GetUtcNow().AddHours(3));
        var before = _h.Ledger.LastSeq;

        await BothPresentAsync(first, second, pass);

        await AssertOneAdmittedOneRefusedAsync(before, first, second, "BK-RACE-IN", LaneDecisions.AntiPassback);
    }

    [Fact]
    public async Task TwoExitLanes_OnePassAtTheSameInstant_ExactlyOneLetsItOut()
    {
        var entry = await _h.StartAsync("entry-1");
        var pass = _h.Cloud.Pass("BK-RACE-OUT", VehicleType.Car, _h.Time.GetUtcNow().AddHours(-1), _h.Time.GetUtcNow().AddHours(3));
        Assert.True((await _h.VisitAsync(entry, l => l.PresentCode(pass))).Passed);
        var first = await _h.StartAsync("exit-1");
        var second = await _h.StartAsync("exit-2");
        var before = _h.Ledger.LastSeq;

        await BothPresentAsync(first, second, pass);

        await AssertOneAdmittedOneRefusedAsync(before, first, second, "BK-RACE-OUT", LaneDecisions.NotInside);
    }

    private async Task BothPresentAsync(Lane first, Lane second, string code)
    {
        _h.Rig(first.GateId).Loop(true);
        _h.Rig(second.GateId).Loop(true);
        await _h.UntilAsync(() => first.Snapshot.State == LaneState.AwaitingCredential && second.Snapshot.State == LaneState.AwaitingCredential, "both vehicles on their loops");

        // The same instant: both lanes hold the code before either has decided.
        first.PresentCode(code);
        second.PresentCode(code);
        await _h.UntilAsync(
            () => first.Snapshot.State is LaneState.Open or LaneState.Refused && second.Snapshot.State is LaneState.Open or LaneState.Refused,
            "both lanes to decide");
    }

    private async Task AssertOneAdmittedOneRefusedAsync(long before, Lane first, Lane second, string credentialId, string refusal)
    {
        var events = await _h.EventsAfterAsync(before);
        var admitted = Assert.Single(events, e => e.Type == EventTypes.LaneAdmitted && e.Payload.GetProperty("credentialId").GetString() == credentialId);
        var refused = Assert.Single(events, e => e.Type == EventTypes.LaneRefused);
        Assert.Equal(refusal, refused.Payload.GetProperty("reason").GetString());
        Assert.NotEqual(admitted.Payload.GetProperty("gateId").GetString(), refused.Payload.GetProperty("gateId").GetString());
        Assert.Equal([LaneState.Refused, LaneState.Open], new[] { first.Snapshot.State, second.Snapshot.State }.Order());
    }
}
