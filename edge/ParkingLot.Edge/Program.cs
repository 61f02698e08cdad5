using Microsoft.Extensions.Options;
using ParkingLot.Edge;
using ParkingLot.Edge.Hardware;
using ParkingLot.Edge.Lots;

var commandLine = EdgeCommandLine.Parse(args);
if (commandLine.Help)
{
    Console.WriteLine(EdgeCommandLine.Usage);
    return 0;
}

if (commandLine.Error is not null)
{
    await Console.Error.WriteLineAsync($"{commandLine.Error} See --help.");
    return 2;
}

var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = commandLine.Passthrough });
builder.Configuration.AddInMemoryCollection(commandLine.Settings);

LotFile lot;
try
{
    lot = builder.AddLots();
}
catch (LotFileException ex)
{
    await Console.Error.WriteLineAsync(ex.Message);
    return 2;
}

builder.AddAgent(lot, HardwareBuses.Linux);

using var host = builder.Build();
try
{
    Log.LotLoaded(host.Services.GetRequiredService<ILogger<LotFile>>(), lot.LotId, Path.GetFullPath(host.Services.GetRequiredService<IOptions<EdgeOptions>>().Value.LotFile), lot.Spots.Count, lot.Gates.Count, lot.Tariff.Version);
    await host.RunAsync();
    return 0;
}
catch (Exception ex) when (ex is OptionsValidationException or InvalidDataException or InvalidOperationException)
{
    // Expected start-up refusals (bad option, bad scenario, ledger of another lot): the host has logged
    // the details; end with one line a technician can act on and a non-zero exit code for systemd.
    await Console.Error.WriteLineAsync($"The edge agent cannot start: {ex.Message}");
    return 2;
}
