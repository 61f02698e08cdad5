using System.Data;
using Microsoft.Data.Sqlite;

namespace ParkingLot.Cloud.Storage;

/// <summary>
/// A write transaction on the embedded store: waits for the file's one writer
/// (<see cref="SqliteDatabase.WriteLock"/>), then <c>BEGIN IMMEDIATE</c>, so everything read inside
/// stays true until commit. Disposing without commit rolls back.
/// </summary>
internal sealed class SqliteWriter : IAsyncDisposable
{
    private readonly SqliteDatabase _database;

    private SqliteWriter(SqliteDatabase database, SqliteConnection connection, SqliteTransaction transaction)
    {
        _database = database;
        Connection = connection;
        Transaction = transaction;
    }

    public SqliteConnection Connection { get; }

    public SqliteTransaction Transaction { get; }

    public static async Task<SqliteWriter> BeginAsync(SqliteDatabase database, CancellationToken cancellationToken)
    {
        await database.WriteLock.WaitAsync(cancellationToken);
        SqliteConnection? connection = null;
        try
        {
            connection = await database.OpenAsync(cancellationToken);
            // Serializable and not deferred: Microsoft.Data.Sqlite issues BEGIN IMMEDIATE.
            var transaction = connection.BeginTransaction(IsolationLevel.Serializable, deferred: false);
            return new SqliteWriter(database, connection, transaction);
        }
        catch
        {
            if (connection is not null)
            {
                await connection.DisposeAsync();
            }

            database.WriteLock.Release();
            throw;
        }
    }

    public SqliteCommand Command(string sql)
    {
        var command = Connection.CreateCommand();
        command.Transaction = Transaction;
        command.CommandText = sql;
        return command;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Transaction.DisposeAsync();
            await Connection.DisposeAsync();
        }
        finally
        {
            _database.WriteLock.Release();
        }
    }
}
