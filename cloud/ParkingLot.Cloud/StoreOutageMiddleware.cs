using Npgsql;
using StackExchange.Redis;

namespace ParkingLot.Cloud;

/// <summary>
/// A store that went away (PostgreSQL restarted: every pooled connection is dead; Redis down) never
/// answers 500. The pool is cleared, so the next attempt opens fresh connections; a safe request
/// (GET, HEAD) is then run once more; anything else, or a second failure, is a 503 problem with
/// Retry-After, since whether it took effect cannot be known here. Idempotency-Key makes that retry
/// exactly-once.
/// </summary>
internal sealed class StoreOutageMiddleware(RequestDelegate next, ILogger<StoreOutageMiddleware> logger, IServiceProvider services)
{
    /// <summary>Seconds a client is asked to wait before retrying after a 503.</summary>
    public const int RetryAfterSeconds = 1;

    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context);
            return;
        }
        catch (Exception exception) when (IsOutage(exception) && !context.Response.HasStarted)
        {
            ClearPools();
            if (!HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method))
            {
                Log.StoreOutageRefused(logger, context.Request.Method, context.Request.Path, exception);
                await WriteUnavailableAsync(context);
                return;
            }

            Log.StoreOutageRetried(logger, context.Request.Method, context.Request.Path, exception);
            context.Response.Clear();
        }

        try
        {
            await next(context);
        }
        catch (Exception exception) when (IsOutage(exception) && !context.Response.HasStarted)
        {
            ClearPools();
            Log.StoreOutageRefused(logger, context.Request.Method, context.Request.Path, exception);
            await WriteUnavailableAsync(context);
        }
    }

    /// <summary>A connection-level failure of PostgreSQL or Redis, anywhere in the exception chain.</summary>
    internal static bool IsOutage(Exception exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is NpgsqlException { IsTransient: true } or RedisConnectionException or RedisTimeoutException)
            {
                return true;
            }
        }

        return false;
    }

    private void ClearPools()
    {
        // Only registered when PostgreSQL is configured; SQLite has no pool of network connections.
        // Both pools: the main one and the booking-hold pipeline's.
        (services.GetService(typeof(NpgsqlDataSource)) as NpgsqlDataSource)?.Clear();
        (services.GetService(typeof(Storage.Postgres.PostgresHoldPipeline)) as Storage.Postgres.PostgresHoldPipeline)?.DataSource.Clear();
    }

    private static async Task WriteUnavailableAsync(HttpContext context)
    {
        context.Response.Clear();
        context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        context.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails =
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Title = "Store unavailable",
                Detail = $"The database or cache did not answer; retry in {RetryAfterSeconds} s (with the same Idempotency-Key, if you sent one).",
            },
        });
    }
}
