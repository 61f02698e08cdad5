using Microsoft.Extensions.DependencyInjection.Extensions;
using ParkingLot.Cloud;
using ParkingLot.Cloud.Auth;
using ParkingLot.Cloud.Availability;
using ParkingLot.Cloud.Bookings;
using ParkingLot.Cloud.EdgeSync;
using ParkingLot.Cloud.Health;
using ParkingLot.Cloud.Idempotency;
using ParkingLot.Cloud.Lots;
using ParkingLot.Cloud.Loyalty;
using ParkingLot.Cloud.Mqtt;
using ParkingLot.Cloud.Payments;
using ParkingLot.Cloud.Quotes;
using ParkingLot.Cloud.RateLimiting;
using ParkingLot.Cloud.Search;
using ParkingLot.Cloud.Storage;

// appsettings.json and wwwroot sit next to the binaries, wherever the service is started from;
// relative paths in configuration (lot files, data directory) resolve against the working directory.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions
{
    Args = args,
    ContentRootPath = AppContext.BaseDirectory,
});

// The one clock of the service; tests replace it with a FakeTimeProvider.
builder.Services.TryAddSingleton(TimeProvider.System);

// Hosted services start in this order: store schema, lot seeding, broker, MQTT client.
builder.AddStorage();
builder.AddLots();
builder.AddAvailability();
builder.AddBookings();
builder.AddPayments();
builder.AddSearch();
builder.AddAuth();
builder.AddRateLimits();
builder.AddIdempotency();
builder.AddRedis();
builder.AddEdgeSync();
builder.AddMqtt();
builder.AddTelemetry();
builder.AddApiDefaults();
// DataAnnotations on request records (bookings, quotes, search, lot administration) → 400 problems.
builder.Services.AddValidation();

var app = builder.Build();

// Unexpected exceptions become a 500 problem; expected errors are 4xx problems from the handlers.
app.UseExceptionHandler();
// A dead pooled connection (PostgreSQL restarted) or Redis down: retry a GET once, else 503, never 500.
app.UseMiddleware<StoreOutageMiddleware>();
app.UseStatusCodePages();
app.UseDefaultFiles();
app.UseStaticFiles();
app.UseRequestBodyLimit();
app.UseAuthentication();
app.UseRateLimiter();
app.UseAuthorization();
app.UseIdempotency();

app.MapOpenApi();
app.MapHealth();
app.MapLots();
app.MapAvailability();
app.MapQuotes();
app.MapSearch();
app.MapBookings();
app.MapPayments();
app.MapLoyalty();
app.MapLotAdmin();
app.MapAuthEndpoints();

try
{
    await app.RunAsync();
    return 0;
}
catch (LotFileException)
{
    // Already logged with the file's path and line; a stack trace would only bury it.
    return 1;
}

/// <summary>Entry point, public for WebApplicationFactory.</summary>
public partial class Program;
