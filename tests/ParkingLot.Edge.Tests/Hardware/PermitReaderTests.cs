using ParkingLot.Edge.Hardware.Nfc;
using ParkingLot.Tests.Common;

namespace ParkingLot.Edge.Tests.Hardware;

public sealed class PermitReaderTests
{
    private static readonly Dictionary<string, string> Permits = new() { ["04A1B2C3D4E5F6"] = "permit-0042" };

    [Fact]
    public async Task ReadCardsAsync_CardHeldThenRemovedThenPresentedAgain_ReportsTwice()
    {
        using var kit = new HardwareTestKit();
        var reader = new SimulatedPermitReader("E1.nfc", Permits, kit.Time, TimeSpan.FromMilliseconds(250));
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Token);
        var seen = new List<PermitCard>();
        var reading = Task.Run(async () =>
        {
            await foreach (var card in reader.ReadCardsAsync(stop.Token))
            {
                lock (seen)
                {
                    seen.Add(card);
                }
            }
        });

        reader.Present([0x04, 0xA1, 0xB2, 0xC3, 0xD4, 0xE5, 0xF6]);
        await Poll(kit, 8);
        reader.Remove();
        await Poll(kit, 3);
        reader.Present([0x04, 0xA1, 0xB2, 0xC3, 0xD4, 0xE5, 0xF6]);
        await Poll(kit, 2);
        reader.Present([0xDE, 0xAD, 0xBE, 0xEF]);
        await Poll(kit, 2);
        await stop.CancelAsync();
        await reading.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(
        [
            new PermitCard("04A1B2C3D4E5F6", "permit-0042"),
            new PermitCard("04A1B2C3D4E5F6", "permit-0042"),
            new PermitCard("DEADBEEF", null),
        ], seen);
    }

    private static async Task Poll(HardwareTestKit kit, int polls)
    {
        for (var i = 0; i < polls; i++)
        {
            // Give the reader loop time to reach its next tick before the clock moves.
            await Task.Delay(10, CancellationToken.None);
            kit.Advance(250);
        }

        await Task.Delay(10, CancellationToken.None);
    }
}
