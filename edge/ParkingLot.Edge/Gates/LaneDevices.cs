using System.Runtime.CompilerServices;
using System.Text;
using System.Threading.Channels;
using ParkingLot.Edge.Hardware.Barriers;
using ParkingLot.Edge.Hardware.Display;
using ParkingLot.Edge.Hardware.Inputs;
using ParkingLot.Edge.Hardware.Nfc;
using ParkingLot.Edge.Hardware.Printing;

namespace ParkingLot.Edge.Gates;

/// <summary>
/// The devices of one lane, as the hardware drivers present them. <see cref="Loop"/> is the arming
/// loop in front of the barrier (a vehicle waiting); <see cref="Passage"/> is the sensor in the
/// barrier's line (IR beam or safety loop): it is active while a vehicle is going through.
/// <see cref="PassedLoop"/> is loop B, past the arm (null where none is fitted: the beam alone then
/// guards the arm). A normal passage reads loop on → (open) → passage on → loop off → passage off
/// (→ loop B on → loop B off); the arm closes once the beam and loop B have been clear for the hold time.
/// </summary>
internal sealed record LaneDevices(
    IDigitalInput Loop,
    IDigitalInput Passage,
    IBarrierDriver Barrier,
    IGateDisplay Display,
    ITicketPrinter? Printer = null,
    IPermitReader? PermitReader = null,
    ICodeScanner? Scanner = null,
    IDigitalInput? PassedLoop = null);

/// <summary>A 2D-code reader at a lane (reservation passes, paper tickets, permit codes): one item per scan.</summary>
internal interface ICodeScanner
{
    IAsyncEnumerable<string> ReadCodesAsync(CancellationToken cancellationToken);
}

/// <summary>
/// A scanner in serial mode (USB CDC-ACM or UART, e.g. /dev/ttyACM0): most 2D gate scanners send each
/// code as one line of ASCII ending in CR or LF. Blank lines are skipped. A code is a credential: it
/// goes to the lane, never to a log.
/// </summary>
internal sealed class SerialCodeScanner(Stream stream) : ICodeScanner
{
    public async IAsyncEnumerable<string> ReadCodesAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var line = new StringBuilder();
        var buffer = new byte[256];
        while (!cancellationToken.IsCancellationRequested)
        {
            var read = await stream.ReadAsync(buffer, cancellationToken);
            if (read == 0)
            {
                yield break;
            }

            for (var i = 0; i < read; i++)
            {
                var c = (char)buffer[i];
                if (c is '\r' or '\n')
                {
                    if (line.Length > 0)
                    {
                        yield return line.ToString();
                        line.Clear();
                    }
                }
                else if (line.Length < 4096)
                {
                    line.Append(c);
                }
            }
        }
    }
}

/// <summary>A scanner the simulator and tests hold codes to.</summary>
internal sealed class SimulatedCodeScanner : ICodeScanner
{
    private readonly Channel<string> _codes = Channel.CreateUnbounded<string>();

    public void Scan(string code) => _codes.Writer.TryWrite(code);

    public IAsyncEnumerable<string> ReadCodesAsync(CancellationToken cancellationToken) => _codes.Reader.ReadAllAsync(cancellationToken);
}
