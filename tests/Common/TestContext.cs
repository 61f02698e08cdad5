namespace ParkingLot.Tests.Common;

/// <summary>A cancellation token that ends a hung test instead of hanging the whole run.</summary>
internal static class TestContext
{
    /// <summary>Cancels two minutes after first use in a test; generous, since tests never assert time.</summary>
    public static CancellationToken Token => new CancellationTokenSource(TimeSpan.FromMinutes(2)).Token;

    /// <summary>Polls <paramref name="condition"/> until it holds or <paramref name="timeout"/> passes.</summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (!await condition())
        {
            if (cts.IsCancellationRequested)
            {
                throw new TimeoutException($"Timed out after {timeout.TotalSeconds:0.#} s waiting for {what}.");
            }

            await Task.Delay(25, CancellationToken.None);
        }
    }

    /// <summary>Synchronous-condition overload of <see cref="WaitUntilAsync(Func{Task{bool}}, TimeSpan, string)"/>.</summary>
    public static Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, string what) =>
        WaitUntilAsync(() => Task.FromResult(condition()), timeout, what);
}
