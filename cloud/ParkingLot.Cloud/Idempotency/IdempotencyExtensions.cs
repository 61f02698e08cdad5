using ParkingLot.Cloud.Storage;

namespace ParkingLot.Cloud.Idempotency;

/// <summary>Marks an endpoint that honours <c>Idempotency-Key</c>; <c>UseIdempotency()</c> buffers its request body.</summary>
internal sealed class IdempotencyMetadata
{
    public static IdempotencyMetadata Instance { get; } = new();
}

internal static class IdempotencyExtensions
{
    /// <summary>
    /// The key store (the configured SQL store, also when Redis is configured) and the sweeper of expired keys.
    /// </summary>
    public static IHostApplicationBuilder AddIdempotency(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<IdempotencyOptions>()
            .BindConfiguration(IdempotencyOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        if (string.IsNullOrWhiteSpace(builder.Configuration.GetConnectionString(StorageExtensions.PostgresConnectionStringName)))
        {
            builder.Services.AddSingleton<IIdempotencyStore, SqliteIdempotencyStore>();
        }
        else
        {
            builder.Services.AddSingleton<IIdempotencyStore, PostgresIdempotencyStore>();
        }

        builder.Services.AddHostedService<IdempotencySweeper>();
        return builder;
    }

    /// <summary>
    /// Honours <c>Idempotency-Key</c> on this endpoint: same key, caller and body → the first response
    /// again; same key, other body → 422; concurrent → one runs, the other gets 409.
    /// </summary>
    public static RouteHandlerBuilder WithIdempotency(this RouteHandlerBuilder builder) =>
        builder.WithMetadata(IdempotencyMetadata.Instance)
            .AddEndpointFilter<IdempotencyFilter>()
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);

    /// <summary>
    /// Buffers the body of requests that carry an <c>Idempotency-Key</c> for an endpoint with
    /// <see cref="WithIdempotency"/>, so the filter can hash the raw bytes after model binding read them.
    /// </summary>
    public static IApplicationBuilder UseIdempotency(this IApplicationBuilder app) =>
        app.Use((context, next) =>
        {
            if (context.Request.Headers.ContainsKey(IdempotencyFilter.HeaderName)
                && context.GetEndpoint()?.Metadata.GetMetadata<IdempotencyMetadata>() is not null)
            {
                context.Request.EnableBuffering();
            }

            return next(context);
        });
}

/// <summary>Deletes expired keys from the SQL store every <see cref="IdempotencyOptions.SweepInterval"/>.</summary>
internal sealed class IdempotencySweeper(
    IIdempotencyStore store, Microsoft.Extensions.Options.IOptions<IdempotencyOptions> options,
    TimeProvider timeProvider, ILogger<IdempotencySweeper> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.SweepInterval, timeProvider);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    var purged = await store.PurgeExpiredAsync(timeProvider.GetUtcNow(), stoppingToken);
                    Log.IdempotencyKeysPurged(logger, purged);
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    Log.IdempotencySweepFailed(logger, exception);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }
}
