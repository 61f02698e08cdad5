using System.Globalization;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Logging;

namespace ParkingLot.Cloud.Tests.Auth;

/// <summary>
/// A cloud host of its own with extra settings (low rate limits, a configured admin, Redis …): its own
/// store folder and broker port, so it never touches the shared <see cref="CloudApplication"/>.
/// </summary>
public sealed class ConfiguredCloud(IReadOnlyDictionary<string, string?> settings) : WebApplicationFactory<Program>
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("parkinglot-cloud-configured-");

    public string DataDirectory => Path.Combine(_directory.FullName, "store");

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Storage:DataDirectory", DataDirectory);
        builder.UseSetting("Mqtt:ListenPort", CloudApplication.FreeTcpPort().ToString(CultureInfo.InvariantCulture));
        builder.UseSetting("Mqtt:ClientId", $"cloud-configured-{Guid.NewGuid():N}");
        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        try
        {
            _directory.Delete(recursive: true);
        }
        catch (IOException)
        {
            // A file still held by a finalising connection; the temp folder is cleaned by the OS.
        }
    }
}
