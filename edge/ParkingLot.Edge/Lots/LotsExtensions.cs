using Microsoft.Extensions.Options;

namespace ParkingLot.Edge.Lots;

internal static class LotsExtensions
{
    /// <summary>
    /// Loads and validates the lot file now, not lazily: a bad file must stop the agent before it
    /// touches the ledger (invariant I9). Throws <see cref="LotFileException"/>.
    /// </summary>
    public static LotFile AddLots(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<EdgeOptions>().BindConfiguration(EdgeOptions.Section).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<EdgeOptions>, EdgeOptionsValidator>();
        var options = builder.Configuration.GetSection(EdgeOptions.Section).Get<EdgeOptions>() ?? new EdgeOptions();
        var path = Path.GetFullPath(options.LotFile);
        var lot = LotFileLoader.Load(path, options.Simulate ? LotFileUse.Simulation : LotFileUse.Hardware);
        builder.Services.AddSingleton(lot);
        builder.Services.AddSingleton(new EdgePaths(Path.GetFullPath(options.DataDirectory ?? Path.Combine(".data", "edge", lot.LotId))));
        return lot;
    }
}
