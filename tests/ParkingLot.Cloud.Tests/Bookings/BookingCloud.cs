using System.Globalization;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using ParkingLot.Cloud.Availability;
using ParkingLot.Cloud.Lots;
using ParkingLot.Cloud.Tests.Builders;
using ParkingLot.Shared.Contracts;
using ParkingLot.Tests.Common;

namespace ParkingLot.Cloud.Tests.Bookings;

/// <summary>
/// A cloud on its embedded store whose clock is a <see cref="FakeTimeProvider"/> (holds expire when a
/// test advances it). Started at the real time, so the tokens it mints validate. Tests create their
/// own lots (unique ids) through <see cref="CreateLotAsync"/>, with a tariff and a capacity split.
/// </summary>
public class BookingCloud : WebApplicationFactory<Program>, IAsyncLifetime
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("parkinglot-booking-tests-");

    public FakeTimeProvider Clock { get; } = new(TimeProvider.System.GetUtcNow());

    public virtual Task InitializeAsync()
    {
        // Starting the host runs the migrations and the seeding.
        _ = Services;
        return Task.CompletedTask;
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();
        await DisposeMoreAsync();
        try
        {
            _directory.Delete(recursive: true);
        }
        catch (IOException)
        {
            // A pooled SQLite handle still closing; the OS cleans temp folders.
        }
    }

    /// <summary>
    /// A lot with cars C1–C{cars} and EVs, the test tariff, and the cloud's share of cars; open always,
    /// or in <paramref name="hours"/> (time zone Europe/Berlin) when given.
    /// </summary>
    internal async Task<LotDescription> CreateLotAsync(
        int cars = 3, int carShare = 3, int evs = 1, double lat = 52.5, double lng = 13.4, IReadOnlyList<OpeningHours>? hours = null)
    {
        var lot = new LotFileBuilder().WithLotId($"b-{Guid.NewGuid():N}"[..18]).WithLocation(lat, lng)
            .WithSpots(VehicleType.Car, cars).WithSpots(VehicleType.Ev, evs).Build();
        var store = Services.GetRequiredService<ILotStore>();
        await store.UpsertAsync(lot, TestContext.Token);
        if (hours is not null)
        {
            var update = await store.UpdateAsync(
                new LotDefinition(lot.LotId, lot.Name, "Europe/Berlin", lot.Location!, hours, [VehicleType.Car, VehicleType.Ev]), TestContext.Token);
            Assert.Equal(LotWriteStatus.Done, update.Status);
        }

        await store.PublishTariffAsync(lot.LotId, TestTariffs.Simple(), Clock.GetUtcNow(), TestContext.Token);
        await store.SetCapacityAsync(lot.LotId, new Dictionary<VehicleType, int> { [VehicleType.Car] = carShare }, Clock.GetUtcNow(), TestContext.Token);
        Services.GetRequiredService<LotCatalog>().Invalidate();
        await Services.GetRequiredService<AvailabilityService>().RefreshAsync(lot.LotId, TestContext.Token);
        return lot;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Storage:DataDirectory", Path.Combine(_directory.FullName, "store"));
        builder.UseSetting("Mqtt:ListenPort", CloudApplication.FreeTcpPort().ToString(CultureInfo.InvariantCulture));
        builder.UseSetting("Mqtt:ClientId", $"cloud-bookings-{Guid.NewGuid():N}");
        builder.UseSetting("RateLimits:PerUserPerMinute", "1000000");
        builder.UseSetting("RateLimits:PerIpPerMinute", "1000000");
        builder.UseSetting("RateLimits:AuthPerIpPerMinute", "1000000");
        builder.ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        // The one clock of the service: holds expire and tokens are minted and validated against it.
        builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(Clock));
        ConfigureMore(builder);
    }

    /// <summary>Further settings of a derived cloud (e.g. Stripe pointed at a stand-in).</summary>
    protected virtual void ConfigureMore(IWebHostBuilder builder)
    {
    }

    /// <summary>Disposes what a derived cloud started beside the host.</summary>
    protected virtual ValueTask DisposeMoreAsync() => ValueTask.CompletedTask;
}

[CollectionDefinition(Name)]
public sealed class BookingCloudCollection : ICollectionFixture<BookingCloud>
{
    public const string Name = "Booking cloud";
}
