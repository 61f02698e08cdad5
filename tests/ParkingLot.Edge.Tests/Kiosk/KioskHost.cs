using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using ParkingLot.Edge.Gates;
using ParkingLot.Edge.Hardware.Payment;
using ParkingLot.Edge.Hardware.Printing;
using ParkingLot.Edge.Kiosk;
using ParkingLot.Edge.Ledger;
using ParkingLot.Edge.Lots;
using ParkingLot.Edge.Payments;
using ParkingLot.Edge.Tests.Builders;
using ParkingLot.Edge.Tests.Hardware;
using ParkingLot.Edge.Tests.Lots;
using ParkingLot.Shared;
using ParkingLot.Shared.Contracts;
using ParkingLot.Shared.Credentials;
using ParkingLot.Tests.Common;

namespace ParkingLot.Edge.Tests.Kiosk;

/// <summary>
/// The kiosk as the agent runs it, on a real Kestrel at a free loopback port, over a real ledger, a
/// fake clock and simulated devices that go through the real drivers: the coin line on a simulated
/// GPIO under a real GpioController and PulseAcceptor, the ESC/POS printer driver writing to a
/// simulated printer that parses the bytes, and the simulated card terminal.
/// </summary>
internal sealed class KioskHost : IAsyncDisposable
{
    public const int CoinPin = 16;

    /// <summary>The coin acceptor's inhibit line (high = coins rejected).</summary>
    public const int InhibitPin = 1;

    private readonly TempDirectory _directory = new();
    private readonly HardwareTestKit _kit = new();
    private LedgerStore _ledger = null!;
    private TicketSigner _signer = null!;
    private PulseAcceptor _acceptor = null!;
    private EscPosTicketPrinter _printerDriver = null!;
    private PaymentRecorder _payments = null!;
    private CashDesk _cash = null!;
    private KioskServer _server = null!;

    private readonly string? _ledgerDirectory;

    private KioskHost(string? ledgerDirectory)
    {
        _ledgerDirectory = ledgerDirectory;
    }

    public LotFile Lot { get; } = new LotFileBuilder(cars: 4, evs: 2).With(LotDevices.Add).Build();

    public HardwareTestKit Kit => _kit;

    public LedgerStore Ledger => _ledger;

    public SimulatedCardTerminal Terminal { get; } = new();

    public SimulatedEscPosPrinter Printer { get; } = new();

    public HttpClient Http { get; private set; } = null!;

    /// <summary>Starts the kiosk; its ledger lives in <paramref name="ledgerDirectory"/> when given (e.g. on powercutfs), else in a temporary directory.</summary>
    public static async Task<KioskHost> StartAsync(string? ledgerDirectory = null)
    {
        var host = new KioskHost(ledgerDirectory);
        await host.InitializeAsync();
        return host;
    }

    /// <summary>A ticket issued at the entry <paramref name="ago"/> before now (fake clock), vehicle inside; returns its code.</summary>
    public async Task<(string TicketId, string Code)> IssueTicketAsync(TimeSpan ago, VehicleType vehicleType = VehicleType.Car)
    {
        var ticketId = "T" + Convert.ToHexString(RandomNumberGenerator.GetBytes(6));
        var issuedAt = _kit.Time.GetUtcNow();
        var code = _signer.Sign(ticketId, vehicleType, issuedAt);
        await _ledger.AppendAsync(EventTypes.TicketIssued, new TicketIssued(ticketId, "entry-1", vehicleType, issuedAt, code), TestContext.Token);
        await _ledger.AppendAsync(EventTypes.VehicleEntered, new VehicleEntered("entry-1", ticketId, vehicleType, CredentialKind.Ticket, null), TestContext.Token);
        _kit.Time.Advance(ago);
        return (ticketId, code);
    }

    /// <summary>A genuine code of this lot for a ticket the ledger never recorded.</summary>
    public string SignUnrecordedTicket() => _signer.Sign("T000000000000", VehicleType.Car, _kit.Time.GetUtcNow());

    public async Task<IReadOnlyList<PaymentState>> PaymentsAsync() => await _ledger.GetPaymentsAsync(TestContext.Token);

    /// <summary>The cash payment <paramref name="sessionId"/> as the page polls it.</summary>
    public async Task<JsonElement> CashAsync(string sessionId) =>
        await JsonAsync(await Http.GetAsync(new Uri($"/kiosk/api/pay/cash/{sessionId}", UriKind.Relative), TestContext.Token));

    /// <summary>The state of the cash payment <paramref name="sessionId"/> (waiting, paid, cancelled, failed).</summary>
    public async Task<string?> CashStateAsync(string sessionId) => (await CashAsync(sessionId)).GetProperty("state").GetString();

    /// <summary>The stray coins on record, in ledger order.</summary>
    public async Task<IReadOnlyList<StrayCoins>> StrayCoinsAsync() =>
        [.. (await _ledger.ReadAfterAsync(0, 10_000, TestContext.Token))
            .Where(e => e.Type == EventTypes.KioskStrayCoins)
            .Select(e => e.Payload.Deserialize(ParkingLotJsonContext.Default.StrayCoins)!)];

    /// <summary>The cash desk under test.</summary>
    public CashDesk Cash => _cash;

    /// <summary>Whether the acceptor's inhibit line is high (coins rejected).</summary>
    public bool Inhibited => _kit.Driver.GetLevel(InhibitPin) == System.Device.Gpio.PinValue.High;

    public Task<HttpResponseMessage> PostAsync<T>(string path, T body) => Http.PostAsJsonAsync(path, body, TestContext.Token);

    public static async Task<JsonElement> JsonAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Token)).RootElement.Clone();

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _server.StopAsync(TestContext.Token);
        await _server.DisposeAsync();
        await _cash.StopAsync(TestContext.Token);
        _cash.Dispose();
        _payments.Dispose();
        _acceptor.Dispose();
        _printerDriver.Dispose();
        await Printer.DisposeAsync();
        _signer.Dispose();
        await _ledger.DisposeAsync();
        _kit.Dispose();
        _directory.Dispose();
    }

    private async Task InitializeAsync()
    {
        var time = _kit.Time;
        _ledger = await LedgerStore.OpenAsync(Path.Combine(_ledgerDirectory ?? _directory.Path, "ledger.db"), Lot.LotId, time, TestContext.Token);
        _signer = TicketSigner.LoadOrCreate(_directory.Path, Lot.LotId, out _);
        var verifier = new CredentialVerifier(new Dictionary<string, TrustedKey>(StringComparer.Ordinal) { [_signer.KeyId] = new(CredentialKeys.ImportPublicKey(_signer.PublicKey), CredentialKinds.Ticket) });
        var coins = Lot.Kiosk!.CoinAcceptor!;
        _acceptor = new PulseAcceptor("kiosk.coins", _kit.Controller, new PulseAcceptorOptions { Pin = coins.Pin, ValuePerPulse = new Money(coins.PulseValue, Lot.Currency), InhibitPin = InhibitPin }, time, shouldDispose: false);
        _printerDriver = new EscPosTicketPrinter("kiosk.printer", Printer, new EscPosPrinterOptions(), time, shouldDispose: false);
        _payments = new PaymentRecorder(_ledger, Lot, time, NullLogger<PaymentRecorder>.Instance);
        var receipts = new ReceiptPrinter(_printerDriver, Lot, 32, NullLogger<ReceiptPrinter>.Instance);
        var kiosk = new KioskService(Lot, _ledger, verifier, _payments, receipts, Terminal, time, NullLogger<KioskService>.Instance);
        _cash = new CashDesk(_acceptor, kiosk, _payments, receipts, time, NullLogger<CashDesk>.Instance);
        var simulation = new KioskSimulation(new SimulatedPulseSource(_kit.Driver, CoinPin, time), Terminal);
        _server = new KioskServer(new IPEndPoint(IPAddress.Loopback, 0), Lot, kiosk, _cash, receipts, simulation, NullLoggerFactory.Instance);
        await _cash.StartAsync(TestContext.Token);
        await _server.StartAsync(TestContext.Token);
        Http = new HttpClient { BaseAddress = _server.BaseAddress ?? throw new InvalidOperationException("The kiosk did not start.") };
    }
}
