using System.Text;
using ParkingLot.Edge.Hardware;
using ParkingLot.Edge.Hardware.Printing;
using ParkingLot.Tests.Common;

namespace ParkingLot.Edge.Tests.Hardware;

public sealed class EscPosTicketPrinterTests
{
    private const string Code = "PL1.T9F3A2C.eyJ0IjoiVDlGM0EyQyJ9.MEUCIQDx-sig_Z9";

    private static readonly TicketPrintJob Job = new(
        "Central Garage",
        ["Ticket T9F3A2C", "Entry 2025-03-01 08:00", "Gate E1  Car"],
        Code,
        ["Keep this ticket", "Lost ticket: day rate"]);

    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(50);

    [Fact]
    public void Render_ContainsQrStoreWithExactCodeAndPrintAndCut()
    {
        var bytes = EscPosTicketPrinter.Render(Job, 32);

        var data = Encoding.ASCII.GetBytes(Code);
        var storeLength = data.Length + 3;
        byte[] store = [0x1D, 0x28, 0x6B, (byte)(storeLength & 0xFF), (byte)(storeLength >> 8), 0x31, 0x50, 0x30, .. data];
        byte[] model2 = [0x1D, 0x28, 0x6B, 0x04, 0x00, 0x31, 0x41, 0x32, 0x00];
        byte[] print = [0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x51, 0x30];
        byte[] cut = [0x1D, 0x56, 0x42, 0x00];
        Assert.Equal([0x1B, 0x40], bytes[..2]);
        var modelAt = IndexOf(bytes, model2);
        var storeAt = IndexOf(bytes, store);
        var printAt = IndexOf(bytes, print);
        Assert.True(modelAt >= 0 && storeAt > modelAt && printAt > storeAt, $"model {modelAt}, store {storeAt}, print {printAt}");
        Assert.Equal(bytes.Length - cut.Length, IndexOf(bytes, cut));
    }

    [Fact]
    public void Render_NonAsciiText_IsReplacedNotSentRaw()
    {
        var bytes = EscPosTicketPrinter.Render(Job with { Title = "Garáž" }, 32);

        Assert.True(IndexOf(bytes, "Gar??"u8.ToArray()) >= 0);
        Assert.DoesNotContain(bytes, b => b > 0x7E && b != 0xFF);
    }

    [Fact]
    public async Task PrintAsync_ReadyPrinter_SimulatedPrinterSeesTextQrAndCut()
    {
        using var kit = new HardwareTestKit();
        var paper = new SimulatedEscPosPrinter();
        using var printer = new EscPosTicketPrinter("E1.printer", paper, new EscPosPrinterOptions(), kit.Time);

        var outcome = await printer.PrintAsync(Job, TestContext.Token);

        Assert.Equal(new PrintOutcome(true, PrinterStatus.Ready), outcome);
        var ticket = Assert.Single(paper.Tickets);
        Assert.Equal(["Central Garage", .. Job.Lines, .. Job.Footer], ticket.Lines);
        Assert.Equal([Code], ticket.QrCodes);
        Assert.Equal(["Central Garage"], ticket.BoldLines);
        Assert.Empty(paper.UnknownCommands);
        Assert.Equal(DeviceState.Ok, printer.GetHealth().State);
    }

    [Fact]
    public async Task GetStatusAsync_PaperOut_DetectedFromDleEotReply()
    {
        using var kit = new HardwareTestKit();
        var paper = new SimulatedEscPosPrinter { PaperOut = true };
        using var printer = new EscPosTicketPrinter("E1.printer", paper, new EscPosPrinterOptions(), kit.Time);

        Assert.Equal(PrinterStatus.PaperOut, await printer.GetStatusAsync(TestContext.Token));
        Assert.Equal(DeviceState.Faulted, printer.GetHealth().State);
        Assert.Contains("paper", printer.GetHealth().LikelyFix, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new byte[] { 0x12, 0x72 }, "PaperOut")]
    [InlineData(new byte[] { 0x12, 0x12 }, "Ready")]
    [InlineData(new byte[] { 0x1A, 0x12, 0x32 }, "PaperOut")]
    [InlineData(new byte[] { 0x1A, 0x12, 0x16 }, "Offline")]
    [InlineData(new byte[] { 0x1A, 0x12, 0x52 }, "Error")]
    [InlineData(new byte[] { 0xFF }, "Error")]
    public async Task GetStatusAsync_RawReplies_MapToStatus(byte[] replies, string expected)
    {
        using var kit = new HardwareTestKit();
        using var stream = new ScriptedReplyStream(replies);
        using var printer = new EscPosTicketPrinter("E1.printer", stream, new EscPosPrinterOptions(), kit.Time, shouldDispose: false);

        Assert.Equal(Enum.Parse<PrinterStatus>(expected), await printer.GetStatusAsync(TestContext.Token));
    }

    [Fact]
    public async Task PrintAsync_PaperNearEnd_PrintsAndReportsDegraded()
    {
        using var kit = new HardwareTestKit();
        var paper = new SimulatedEscPosPrinter { PaperNearEnd = true };
        using var printer = new EscPosTicketPrinter("E1.printer", paper, new EscPosPrinterOptions(), kit.Time);

        var outcome = await printer.PrintAsync(Job, TestContext.Token);

        Assert.True(outcome.Printed);
        Assert.Single(paper.Tickets);
        Assert.Equal(DeviceState.Degraded, printer.GetHealth().State);
    }

    [Fact]
    public async Task PrintAsync_PaperOut_PrintsNothing()
    {
        using var kit = new HardwareTestKit();
        var paper = new SimulatedEscPosPrinter { PaperOut = true };
        using var printer = new EscPosTicketPrinter("E1.printer", paper, new EscPosPrinterOptions(), kit.Time);

        var outcome = await printer.PrintAsync(Job, TestContext.Token);

        Assert.Equal(new PrintOutcome(false, PrinterStatus.PaperOut), outcome);
        Assert.Empty(paper.Tickets);
    }

    [Fact]
    public async Task GetStatusAsync_NoReply_IsOfflineAfterTheTimeout()
    {
        using var kit = new HardwareTestKit();
        var paper = new SimulatedEscPosPrinter { Unresponsive = true };
        using var printer = new EscPosTicketPrinter("E1.printer", paper, new EscPosPrinterOptions { StatusTimeout = TimeSpan.FromMilliseconds(500) }, kit.Time);
        var started = kit.Time.GetUtcNow();

        var status = await kit.RunAsync(printer.GetStatusAsync(TestContext.Token), Step, TimeSpan.FromSeconds(10));

        Assert.Equal(PrinterStatus.Offline, status);
        Assert.True(kit.Time.GetUtcNow() - started >= TimeSpan.FromMilliseconds(500));
    }

    [Fact]
    public async Task GetStatusAsync_ReadThatIgnoresCancellation_IsOfflineAndTheNextQueryDoesNotQueueBehindIt()
    {
        using var kit = new HardwareTestKit();
        using var dead = new DeadPrinterStream(blockWrites: false);
        using var printer = new EscPosTicketPrinter("E1.printer", dead, new EscPosPrinterOptions { StatusTimeout = TimeSpan.FromMilliseconds(500) }, kit.Time);

        var first = await kit.RunAsync(printer.GetStatusAsync(TestContext.Token), Step, TimeSpan.FromSeconds(10));
        var second = await kit.RunAsync(printer.GetStatusAsync(TestContext.Token), Step, TimeSpan.FromSeconds(10));

        Assert.Equal(PrinterStatus.Offline, first);
        Assert.Equal(PrinterStatus.Offline, second);

        // One read stuck in the "driver", not one per query.
        Assert.Equal(1, dead.ReadsStarted);
    }

    [Fact]
    public async Task PrintAsync_WriteThatNeverReturns_IsOfflineWithinTheWriteTimeoutAndLaterJobsAnswerAtOnce()
    {
        using var kit = new HardwareTestKit();
        using var dead = new DeadPrinterStream(blockWrites: true);
        using var printer = new EscPosTicketPrinter("E1.printer", dead, new EscPosPrinterOptions { WriteTimeout = TimeSpan.FromSeconds(5) }, kit.Time);
        var started = kit.Time.GetUtcNow();

        var outcome = await kit.RunAsync(printer.PrintAsync(Job, TestContext.Token), Step, TimeSpan.FromSeconds(30));
        var elapsed = kit.Time.GetUtcNow() - started;
        var again = await kit.RunAsync(printer.PrintAsync(Job, TestContext.Token), Step, TimeSpan.FromSeconds(1));

        Assert.Equal(new PrintOutcome(false, PrinterStatus.Offline), outcome);
        Assert.InRange(elapsed, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10));
        Assert.Equal(new PrintOutcome(false, PrinterStatus.Offline), again);
        Assert.Equal(1, dead.WritesStarted);
        Assert.Equal(DeviceState.Faulted, printer.GetHealth().State);
    }

    private static int IndexOf(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle);

    /// <summary>Answers each status query with the next scripted byte, whatever it asked.</summary>
    private sealed class ScriptedReplyStream(byte[] replies) : Stream
    {
        private readonly Queue<byte> _replies = new(replies);
        private int _queries;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => 0;

        public override long Position { get; set; }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (_queries == 0 || _replies.Count == 0)
            {
                throw new InvalidOperationException("Read without a pending query.");
            }

            _queries--;
            buffer[offset] = _replies.Dequeue();
            return 1;
        }

        public override void Write(byte[] buffer, int offset, int count)
        {
            for (var i = offset; i + 2 < offset + count; i++)
            {
                if (buffer[i] == 0x10 && buffer[i + 1] == 0x04)
                {
                    _queries++;
                }
            }
        }

        public override long Seek(long offset, SeekOrigin origin) => 0;

        public override void SetLength(long value)
        {
        }
    }
}
