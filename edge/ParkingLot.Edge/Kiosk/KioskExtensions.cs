using System.Net;
using Microsoft.Extensions.DependencyInjection.Extensions;
using ParkingLot.Edge.Gates;
using ParkingLot.Edge.Hardware;
using ParkingLot.Edge.Ledger;
using ParkingLot.Edge.Lots;
using ParkingLot.Edge.Payments;
using ParkingLot.Shared.Credentials;

namespace ParkingLot.Edge.Kiosk;

/// <summary>Kiosk settings beside the lot file (configuration section <c>Kiosk</c>).</summary>
internal sealed class KioskOptions
{
    public const string Section = "Kiosk";

    /// <summary>Serve the kiosk when the lot file has one. Default true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Overrides the lot file's <c>kiosk.listen</c> (ip:port; port 0 picks a free one). Default: the lot file's.</summary>
    public string? Listen { get; set; }
}

internal static class KioskExtensions
{
    /// <summary>
    /// The pay kiosk of the lot file's <c>kiosk</c> section: devices, payment recording, the cash desk,
    /// and the Kestrel server for the page. Nothing when the lot has no kiosk or <c>Kiosk:Enabled</c> is false.
    /// The devices are opened on <paramref name="hardware"/>, or simulated when it is null (<c>--simulate</c>).
    /// </summary>
    public static void AddKiosk(this IHostApplicationBuilder builder, LotFile lot, HardwareBuses? hardware)
    {
        var options = builder.Configuration.GetSection(KioskOptions.Section).Get<KioskOptions>() ?? new KioskOptions();
        if (lot.Kiosk is not { } kiosk || !options.Enabled)
        {
            return;
        }

        // Kestrel and routing log every request at Information; the kiosk logs its own outcomes.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);

        var listenText = options.Listen ?? kiosk.Listen;
        if (!LotFileLoader.TryParseListen(listenText, out var listen) && !IPEndPoint.TryParse(listenText, out listen!))
        {
            throw new InvalidOperationException($"Kiosk:Listen '{listenText}' is not ip:port.");
        }

        // The ticket key: the lanes register the signer when they run; the kiosk loads the same key
        // file otherwise, so it verifies the codes the entry printed.
        builder.Services.TryAddSingleton(sp => TicketSigner.LoadOrCreate(sp.GetRequiredService<EdgePaths>().DataDirectory, lot.LotId, out _));
        builder.Services.AddSingleton(sp =>
        {
            var signer = sp.GetRequiredService<TicketSigner>();
            return new KioskVerifier(new CredentialVerifier(new Dictionary<string, TrustedKey>(StringComparer.Ordinal)
            {
                [signer.KeyId] = new TrustedKey(CredentialKeys.ImportPublicKey(signer.PublicKey), CredentialKinds.Ticket),
            }));
        });
        builder.Services.AddSingleton(sp => KioskDevices.Open(kiosk, lot.Currency, hardware, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<KioskDevices>>()));
        builder.Services.AddSingleton<PaymentRecorder>();
        builder.Services.AddSingleton(sp => new ReceiptPrinter(
            sp.GetRequiredService<KioskDevices>().Printer, lot, sp.GetRequiredService<KioskDevices>().Columns, sp.GetRequiredService<ILogger<ReceiptPrinter>>()));
        builder.Services.AddSingleton(sp => new KioskService(
            lot,
            sp.GetRequiredService<LedgerStore>(),
            sp.GetRequiredService<KioskVerifier>().Verifier,
            sp.GetRequiredService<PaymentRecorder>(),
            sp.GetRequiredService<ReceiptPrinter>(),
            sp.GetRequiredService<KioskDevices>().Terminal,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<KioskService>>()));
        builder.Services.AddSingleton(sp => new CashDesk(
            sp.GetRequiredService<KioskDevices>().Acceptor,
            sp.GetRequiredService<KioskService>(),
            sp.GetRequiredService<PaymentRecorder>(),
            sp.GetRequiredService<ReceiptPrinter>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<CashDesk>>()));
        builder.Services.AddHostedService(sp => sp.GetRequiredService<CashDesk>());
        builder.Services.AddSingleton(sp => new KioskServer(
            listen,
            lot,
            sp.GetRequiredService<KioskService>(),
            sp.GetRequiredService<CashDesk>(),
            sp.GetRequiredService<ReceiptPrinter>(),
            sp.GetRequiredService<KioskDevices>().Simulation,
            sp.GetRequiredService<ILoggerFactory>()));
        builder.Services.AddHostedService(sp => sp.GetRequiredService<KioskServer>());
    }
}

/// <summary>The verifier of this lot's ticket codes, as its own type so it is not mistaken for the lanes' (which also trust cloud keys).</summary>
internal sealed record KioskVerifier(CredentialVerifier Verifier);
