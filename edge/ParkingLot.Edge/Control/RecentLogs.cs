using System.Globalization;

namespace ParkingLot.Edge.Control;

/// <summary>
/// The agent's last log lines in memory, for `parkctl diag bundle` (the journal may not be readable by
/// the technician's account, and a bundle should not need root). Bounded; oldest dropped first.
/// </summary>
internal sealed class RecentLogs(TimeProvider time, int capacity = 1000) : ILoggerProvider
{
    private readonly Queue<string> _lines = new();
    private readonly Lock _lock = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public IReadOnlyList<string> Snapshot()
    {
        lock (_lock)
        {
            return [.. _lines];
        }
    }

    public void Dispose()
    {
    }

    private void Add(string line)
    {
        lock (_lock)
        {
            _lines.Enqueue(line);
            while (_lines.Count > capacity)
            {
                _lines.Dequeue();
            }
        }
    }

    private sealed class Logger(RecentLogs owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            var at = owner.Now().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
            var line = $"{at} {logLevel} {category}[{eventId.Id}] {formatter(state, exception)}";
            owner.Add(exception is null ? line : $"{line}{Environment.NewLine}{exception.GetType().Name}: {exception.Message}");
        }
    }

    private DateTimeOffset Now() => time.GetUtcNow();
}
