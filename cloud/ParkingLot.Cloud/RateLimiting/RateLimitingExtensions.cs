using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using ParkingLot.Cloud.Auth;

namespace ParkingLot.Cloud.RateLimiting;

internal static class RateLimitingExtensions
{
    /// <summary>The stricter per-IP policy of the auth routes.</summary>
    public const string AuthPolicy = "auth";

    // Probes and the metrics scraper poll on their own schedule and must never be refused.
    private static readonly string[] ExemptPaths = ["/healthz", "/readyz", "/metrics"];

    /// <summary>
    /// Per-user (signed in) and per-IP (anonymous) fixed-window limits on every route, a stricter per-IP
    /// limit on /auth, and the request body cap; a refusal is a 429 problem with Retry-After.
    /// </summary>
    public static IHostApplicationBuilder AddRateLimits(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<RateLimitOptions>()
            .BindConfiguration(RateLimitOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddOptions<RequestLimitOptions>()
            .BindConfiguration(RequestLimitOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        // A body that cannot be read as the endpoint's type (bad JSON, wrong content type, over the size
        // cap while reading) is the client's fault: its status (400/413/415), never a 500, also in
        // Development where minimal APIs throw instead of answering.
        builder.Services.Configure<ExceptionHandlerOptions>(options =>
            options.StatusCodeSelector = exception => exception is Microsoft.AspNetCore.Http.BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status500InternalServerError);
        builder.Services.AddOptions<KestrelServerOptions>()
            .Configure<IOptions<RequestLimitOptions>>((kestrel, limits) => kestrel.Limits.MaxRequestBodySize = limits.Value.MaxBodyBytes);

        builder.Services.AddRateLimiter(_ => { });
        builder.Services.AddOptions<RateLimiterOptions>()
            .Configure<IOptions<RateLimitOptions>>((limiter, configured) =>
            {
                var limits = configured.Value;
                limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
                limiter.OnRejected = WriteRejectionAsync;
                limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
                {
                    if (!limits.Enabled || ExemptPaths.Any(p => context.Request.Path.StartsWithSegments(p, StringComparison.OrdinalIgnoreCase)))
                    {
                        return RateLimitPartition.GetNoLimiter(string.Empty);
                    }

                    return context.User.TryGetUserId(out var userId)
                        ? RateLimitPartition.GetFixedWindowLimiter("user:" + userId.ToString("D"), _ => Window(limits.PerUserPerMinute))
                        : RateLimitPartition.GetFixedWindowLimiter("ip:" + ClientAddress(context), _ => Window(limits.PerIpPerMinute));
                });
                limiter.AddPolicy(AuthPolicy, context => limits.Enabled
                    ? RateLimitPartition.GetFixedWindowLimiter("auth-ip:" + ClientAddress(context), _ => Window(limits.AuthPerIpPerMinute))
                    : RateLimitPartition.GetNoLimiter(string.Empty));
            });
        return builder;
    }

    /// <summary>
    /// Refuses a body larger than the cap by its Content-Length before anything reads it (Kestrel cuts
    /// a chunked one at the same size through <c>MaxRequestBodySize</c>).
    /// </summary>
    public static IApplicationBuilder UseRequestBodyLimit(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            var limit = context.GetEndpoint()?.Metadata.GetMetadata<IRequestSizeLimitMetadata>()?.MaxRequestBodySize
                ?? context.RequestServices.GetRequiredService<IOptions<RequestLimitOptions>>().Value.MaxBodyBytes;
            if (context.Request.ContentLength > limit)
            {
                context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
                await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = context,
                    ProblemDetails =
                    {
                        Status = StatusCodes.Status413PayloadTooLarge,
                        Title = "Request body too large",
                        Detail = string.Create(CultureInfo.InvariantCulture, $"The body may be at most {limit} bytes."),
                    },
                });
                return;
            }

            if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature && limit is { } max)
            {
                feature.MaxRequestBodySize = max;
            }

            await next(context);
        });

    private static FixedWindowRateLimiterOptions Window(int permits) => new()
    {
        PermitLimit = permits,
        Window = TimeSpan.FromMinutes(1),
        QueueLimit = 0,
        AutoReplenishment = true,
    };

    private static string ClientAddress(HttpContext context) => context.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    private static async ValueTask WriteRejectionAsync(OnRejectedContext rejected, CancellationToken cancellationToken)
    {
        var context = rejected.HttpContext;
        var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromMinutes(1);
        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails =
            {
                Status = StatusCodes.Status429TooManyRequests,
                Title = "Too many requests",
                Detail = string.Create(CultureInfo.InvariantCulture, $"Rate limit reached; retry in {seconds} s."),
            },
        });
    }
}
