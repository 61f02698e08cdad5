namespace ParkingLot.Cloud.Storage;

/// <summary>The store chosen at start (embedded SQLite or PostgreSQL): schema migrations and readiness.</summary>
internal interface IStoreDatabase
{
    /// <summary>"sqlite" or "postgres", for logs and tests.</summary>
    string Kind { get; }

    /// <summary>Brings the schema up to date (runs the migrations not applied yet).</summary>
    Task InitializeAsync(CancellationToken cancellationToken);

    /// <summary>True when a trivial query answers (readiness).</summary>
    Task<bool> PingAsync(CancellationToken cancellationToken);
}
