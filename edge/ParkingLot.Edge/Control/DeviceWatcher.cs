using Microsoft.Extensions.Options;

namespace ParkingLot.Edge.Control;

/// <summary>
/// Asks every gate and kiosk printer for its status at start and then periodically: a printer's
/// health is only as fresh as its last DLE EOT answer, and `parkctl status` must show paper-out
/// before a driver does.
/// </summary>
internal sealed class DeviceWatcher(IEnumerable<ControlledGate> gates, IOptions<ControlOptions> options, TimeProvider time, ILogger<DeviceWatcher> logger, Kiosk.KioskDevices? kiosk = null) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var printers = gates.Select(g => g.Printer)
            .Concat(ControlService.KioskDevicesOf(kiosk).OfType<Hardware.Printing.ITicketPrinter>())
            .OfType<Hardware.Printing.ITicketPrinter>()
            .Distinct()
            .ToList();
        if (printers.Count == 0)
        {
            return;
        }

        using var timer = new PeriodicTimer(options.Value.DeviceCheckInterval, time);
        try
        {
            do
            {
                foreach (var printer in printers)
                {
                    try
                    {
                        await printer.GetStatusAsync(stoppingToken);
                    }
                    catch (IOException ex)
                    {
                        Log.PrinterCheckFailed(logger, printer.GetHealth().DeviceId, ex.Message);
                    }
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }
}
