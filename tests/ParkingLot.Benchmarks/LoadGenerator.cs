using System.Diagnostics;
using System.Net;

namespace ParkingLot.Benchmarks;

/// <summary>What one load run measured: requests that got the expected status, others, time, latencies in ms.</summary>
internal sealed record LoadResult(int Succeeded, int Failed, TimeSpan Elapsed, IReadOnlyList<double> LatenciesMs, IReadOnlyDictionary<HttpStatusCode, int> Statuses)
{
    public double PerSecond => Succeeded / Elapsed.TotalSeconds;

    public double P50 => Measure.Percentile(LatenciesMs, 50);

    public double P99 => Measure.Percentile(LatenciesMs, 99);

    public string StatusSummary => string.Join(", ", Statuses.OrderBy(s => s.Key).Select(s => $"{(int)s.Key}×{s.Value}"));
}

/// <summary>
/// A closed-loop HTTP load generator on loopback: <c>concurrency</c> workers share one
/// <see cref="SocketsHttpHandler"/> with a connection each and send back to back until the request
/// budget or the time budget is spent, whichever comes first (both bounded, so a run always ends).
/// </summary>
internal static class LoadGenerator
{
    public static HttpClient CreateClient(Uri baseAddress, int connections) => new(new SocketsHttpHandler
    {
        MaxConnectionsPerServer = connections,
        UseProxy = false,
        UseCookies = false,
        AutomaticDecompression = DecompressionMethods.None,
        PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
    })
    {
        BaseAddress = baseAddress,
        Timeout = TimeSpan.FromSeconds(30),
    };

    public static async Task<LoadResult> RunAsync(
        HttpClient client, int concurrency, int maxRequests, TimeSpan maxDuration,
        Func<int, HttpRequestMessage> request, HttpStatusCode expected, CancellationToken cancellationToken)
    {
        var issued = -1;
        var succeeded = 0;
        var failed = 0;
        var latencies = new List<double>[concurrency];
        var statuses = new Dictionary<HttpStatusCode, int>[concurrency];
        var stopwatch = Stopwatch.StartNew();

        async Task WorkerAsync(int worker)
        {
            var mine = latencies[worker] = new List<double>(maxRequests / concurrency + 1);
            var codes = statuses[worker] = [];
            int n;
            while ((n = Interlocked.Increment(ref issued)) < maxRequests && stopwatch.Elapsed < maxDuration && !cancellationToken.IsCancellationRequested)
            {
                using var message = request(n);
                var start = Stopwatch.GetTimestamp();
                using var response = await client.SendAsync(message, HttpCompletionOption.ResponseContentRead, cancellationToken);
                mine.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                codes[response.StatusCode] = codes.GetValueOrDefault(response.StatusCode) + 1;
                if (response.StatusCode == expected)
                {
                    Interlocked.Increment(ref succeeded);
                }
                else
                {
                    Interlocked.Increment(ref failed);
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(w => Task.Run(() => WorkerAsync(w), cancellationToken)));
        var elapsed = stopwatch.Elapsed;
        var merged = new Dictionary<HttpStatusCode, int>();
        foreach (var (code, count) in statuses.SelectMany(s => s))
        {
            merged[code] = merged.GetValueOrDefault(code) + count;
        }

        return new LoadResult(succeeded, failed, elapsed, [.. latencies.SelectMany(l => l)], merged);
    }

    /// <summary>
    /// An open-loop run: request n is due at <c>n / perSecond</c> seconds from the start and is sent then,
    /// whether or not earlier ones have answered, so the latency of a slow answer does not slow the
    /// offered load down (no coordinated omission). Latency counts from the due time, so time spent
    /// waiting for a free connection is part of it.
    /// </summary>
    public static async Task<LoadResult> RunPacedAsync(
        HttpClient client, double perSecond, int requests,
        Func<int, HttpRequestMessage> request, HttpStatusCode expected, CancellationToken cancellationToken)
    {
        var latencies = new double[requests];
        var codes = new HttpStatusCode[requests];
        var start = Stopwatch.GetTimestamp();
        var pending = new List<Task>(requests);

        async Task SendAsync(int n, long due)
        {
            using var message = request(n);
            using var response = await client.SendAsync(message, HttpCompletionOption.ResponseContentRead, cancellationToken);
            latencies[n] = Stopwatch.GetElapsedTime(due).TotalMilliseconds;
            codes[n] = response.StatusCode;
        }

        for (var n = 0; n < requests && !cancellationToken.IsCancellationRequested; n++)
        {
            var due = start + (long)(n / perSecond * Stopwatch.Frequency);
            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
            if (wait > TimeSpan.FromMilliseconds(1))
            {
                await Task.Delay(wait, cancellationToken);
            }

            pending.Add(SendAsync(n, due));
        }

        await Task.WhenAll(pending);
        var elapsed = Stopwatch.GetElapsedTime(start);
        var statuses = codes.GroupBy(c => c).ToDictionary(g => g.Key, g => g.Count());
        var succeeded = statuses.GetValueOrDefault(expected);
        return new LoadResult(succeeded, requests - succeeded, elapsed, latencies, statuses);
    }
}
