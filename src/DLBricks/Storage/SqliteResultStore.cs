using DLBricks.Storage.Sql;
using Microsoft.Data.Sqlite;

namespace DLBricks.Storage;

/// <summary>
/// <see cref="IResultStore"/> in a SQLite file. Opening creates or migrates the schema (table <c>schema_version</c>);
/// each write is its own transaction, so a killed process leaves either the whole result or none of it. Only one <c>bench</c>
/// at a time measures a system and configuration of the file (<see cref="LockBench"/>).
/// </summary>
public sealed class SqliteResultStore : SqlResultStore, IBenchLockingStore
{
    /// <summary>Opens (creating if needed) the database at <paramref name="path"/> and brings its schema up to date.</summary>
    /// <exception cref="InvalidDataException">The file is not a SQLite database or was written by a newer version; the message names the file.</exception>
    public SqliteResultStore(string path)
        : base(Open(System.IO.Path.GetFullPath(path)), SqlDialect.Sqlite, System.IO.Path.GetFullPath(path))
    {
    }

    /// <summary>Full path of the database file.</summary>
    public string Path => Location;

    /// <inheritdoc />
    /// <remarks>The lock file is <c>FILE.locks/SYSTEM-CONFIGURATION.lock</c> next to the database; it stays after the bench ends.</remarks>
    public IDisposable LockBench(string systemKey, string configurationKey)
        => BenchLock.Acquire(System.IO.Path.Combine(Location + ".locks", $"{systemKey}-{configurationKey}.lock"), Location);

    private static SqliteConnection Open(string path)
    {
        var directory = System.IO.Path.GetDirectoryName(path);
        if (!string.IsNullOrEmpty(directory))
            Directory.CreateDirectory(directory);
        // Pooling would keep the file open after Dispose, which breaks deleting or reopening it in the same process.
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        try
        {
            connection.Open();
            Execute(connection, "PRAGMA foreign_keys = ON");
            Execute(connection, "PRAGMA busy_timeout = 10000");
            // WAL with NORMAL sync keeps every committed result across a killed process (only a power cut can lose the
            // last commits) and avoids several fsyncs per brick.
            Execute(connection, "PRAGMA journal_mode = WAL");
            Execute(connection, "PRAGMA synchronous = NORMAL");
            return connection;
        }
        catch (SqliteException e)
        {
            connection.Dispose();
            throw new InvalidDataException($"{path}: not a usable results database ({e.Message}).", e);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
