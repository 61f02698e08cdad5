using ParkingLot.Edge.Control;
using ParkingLot.Edge.Hardware;
using ParkingLot.Edge.Kiosk;
using ParkingLot.Edge.Ledger;
using ParkingLot.Edge.Lots;
using ParkingLot.Edge.Simulation;
using ParkingLot.Edge.Sync;
using ParkingLot.Edge.Time;

namespace ParkingLot.Edge;

internal static class AgentComposition
{
    /// <summary>
    /// Everything the agent runs, after the lot file is loaded: the one composition Program.cs uses and
    /// the tests build, so the production wiring is the one under test. Without <c>--simulate</c> the
    /// devices are opened on the buses <paramref name="buses"/> gives (<see cref="HardwareBuses.Linux"/>
    /// on a Pi; a test passes simulated ones); with it, on the simulated lot.
    /// </summary>
    public static void AddAgent(this IHostApplicationBuilder builder, LotFile lot, Func<HardwareBuses> buses)
    {
        builder.Services.AddSystemd();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<AgentIdentity>();

        // Start order = registration order; stop order is the reverse, so traffic stops first and the
        // outbox flushes last, with the ledger still open.
        builder.AddLedger();
        builder.AddTrustedTime();
        builder.AddSync(lot);
        var simulate = builder.Configuration.GetValue<bool>($"{EdgeOptions.Section}:{nameof(EdgeOptions.Simulate)}");
        HardwareBuses? hardware = null;
        if (simulate)
        {
            builder.AddSimulation(lot);
        }
        else
        {
            hardware = buses();
            builder.AddHardware(lot, hardware);
        }

        // The pay kiosk after the lanes: it starts serving last and stops first.
        builder.AddKiosk(lot, hardware);

        // Last: the control API for parkctl sees every gate driver and device registered above.
        builder.AddControl(lot);
        builder.AddWatchdog();
    }
}
