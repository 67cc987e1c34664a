using System.Data.Common;
using System.Net.Sockets;
using DLBricks.Storage.Sql;
using Npgsql;

namespace DLBricks.Storage.Postgres;

/// <summary>
/// <see cref="IResultStore"/> in a PostgreSQL database, shared by every machine of a team: the same schema, migrations and
/// statements as the SQLite store (<see cref="SqlResultStore"/>), plus the work queue of <c>bench --worker</c>
/// (<see cref="OpenQueue"/>). The password never appears in a message: errors name <see cref="SqlResultStore.Location"/>,
/// the address without it.
/// </summary>
public sealed class PostgresResultStore : SqlResultStore, IWorkQueueStore
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly PostgresAddress _address;

    private PostgresResultStore(NpgsqlDataSource dataSource, NpgsqlConnection connection, PostgresAddress address)
        : base(connection, SqlDialect.PostgreSql, address.Display)
    {
        _dataSource = dataSource;
        _address = address;
    }

    /// <summary>Connects to the store at <paramref name="address"/> (URL or connection string) and brings its schema up to date.</summary>
    /// <exception cref="ArgumentException">The address is malformed.</exception>
    /// <exception cref="ResultStoreUnavailableException">The server cannot be reached or refuses the credentials.</exception>
    /// <exception cref="InvalidDataException">The database holds a newer schema or is otherwise unusable.</exception>
    public static PostgresResultStore Open(string address) => Open(PostgresAddress.Parse(address));

    /// <inheritdoc cref="Open(string)"/>
    public static PostgresResultStore Open(PostgresAddress address)
    {
        var dataSource = NpgsqlDataSource.Create(address.ConnectionString);
        NpgsqlConnection? connection = null;
        try
        {
            connection = dataSource.OpenConnection();
        }
        catch (Exception e) when (e is NpgsqlException or SocketException or TimeoutException or InvalidOperationException)
        {
            connection?.Dispose();
            dataSource.Dispose();
            throw new ResultStoreUnavailableException($"{address.Display}: cannot connect ({address.Redact(OneLine(e))}).", e);
        }
        try
        {
            return new PostgresResultStore(dataSource, connection, address);
        }
        catch
        {
            dataSource.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public IBrickWorkQueue OpenQueue(string systemKey, string configurationKey, string workerId, TimeSpan lease, int maxAttempts = 3)
    {
        if (lease <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(lease), "the lease must be positive.");
        if (maxAttempts < 1)
            throw new ArgumentOutOfRangeException(nameof(maxAttempts), "at least one attempt per brick.");
        return new PostgresBrickWorkQueue(this, systemKey, configurationKey, workerId, lease, maxAttempts);
    }

    /// <inheritdoc />
    protected override string Redact(string message) => _address is null ? message : _address.Redact(message);

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
            _dataSource.Dispose();
    }

    internal DbCommand QueueCommand(string sql, DbTransaction? transaction = null) => Command(sql, transaction);

    internal DbTransaction BeginTransaction() => Connection.BeginTransaction();

    internal void SaveResultIn(BrickResult result, DbTransaction transaction) => SaveResult(result, transaction);

    private static string OneLine(Exception e)
    {
        var inner = e.InnerException is { } i && i.Message != e.Message ? $": {i.Message}" : "";
        return (e.Message + inner).ReplaceLineEndings(" ").Trim();
    }
}
