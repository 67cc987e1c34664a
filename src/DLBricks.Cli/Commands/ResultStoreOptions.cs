using System.CommandLine;
using DLBricks.Storage;
using DLBricks.Storage.Postgres;

namespace DLBricks.Cli.Commands;

/// <summary>
/// The <c>--db FILE</c> and <c>--store URL</c> options every verb that reads or writes results shares: a local SQLite file or
/// a shared PostgreSQL store (<c>postgresql://user@host:port/db</c> or an Npgsql connection string; the password comes from
/// the URL, <c>PGPASSWORD</c> or the pgpass file and is never printed).
/// </summary>
internal sealed class ResultStoreOptions
{
    private readonly string? _defaultDb;

    /// <param name="defaultDb">SQLite file used when neither option is given; null makes one of them required.</param>
    public ResultStoreOptions(string? defaultDb = "dlbricks.db")
    {
        _defaultDb = defaultDb;
        Db = new Option<string?>("--db")
        {
            Description = defaultDb is null ? "Results database file (SQLite)." : $"Results database file (SQLite; default {defaultDb}).",
        };
    }

    public Option<string?> Db { get; }

    public Option<string?> Store { get; } = new("--store")
    {
        Description = "Shared results store: postgresql://USER@HOST:PORT/DB or an Npgsql connection string (password from PGPASSWORD or ~/.pgpass).",
    };

    public void AddTo(Command command)
    {
        command.Options.Add(Db);
        command.Options.Add(Store);
    }

    /// <summary>Checks the options without connecting, so bad input fails before anything is written.</summary>
    /// <exception cref="ArgumentException">Both or neither given (without a default), or a malformed URL.</exception>
    public void Validate(ParseResult result) => _ = Choose(result);

    /// <summary>Opens the chosen store, creating or migrating its schema.</summary>
    /// <exception cref="ArgumentException">Bad options.</exception>
    /// <exception cref="ResultStoreUnavailableException">The server cannot be reached.</exception>
    /// <exception cref="InvalidDataException">Unusable database.</exception>
    /// <param name="result">The parsed command line.</param>
    /// <param name="mustExist">Refuse a SQLite file that does not exist yet (reading verbs), instead of creating an empty one.</param>
    public SqlResultStore Open(ParseResult result, bool mustExist = false)
    {
        var (file, address) = Choose(result);
        if (address is not null)
            return PostgresResultStore.Open(address);
        if (mustExist && !File.Exists(file))
            throw new InvalidDataException($"{file}: no such results database.");
        return new SqliteResultStore(file!);
    }

    /// <summary>True when the chosen store is a shared PostgreSQL store (what <c>bench --worker</c> needs).</summary>
    public bool IsShared(ParseResult result) => Choose(result).Address is not null;

    /// <summary>The chosen store, safe to print (no password).</summary>
    public string Describe(ParseResult result)
    {
        var (file, address) = Choose(result);
        return address?.Display ?? Path.GetFullPath(file!);
    }

    /// <summary>Removes the store's password from <paramref name="message"/>.</summary>
    public string Redact(ParseResult result, string message)
    {
        var (_, address) = Choose(result);
        return address?.Redact(message) ?? message;
    }

    private (string? File, PostgresAddress? Address) Choose(ParseResult result)
    {
        var db = result.GetValue(Db);
        var store = result.GetValue(Store);
        if (db is not null && store is not null)
            throw new ArgumentException("--db and --store name two stores; give one.");
        if (store is not null)
        {
            if (!PostgresAddress.Looks(store))
                throw new ArgumentException("--store expects postgresql://USER@HOST:PORT/DB or an Npgsql connection string; use --db for a SQLite file.");
            return (null, PostgresAddress.Parse(store));
        }
        if (db is not null)
        {
            if (PostgresAddress.Looks(db))
                throw new ArgumentException("--db takes a SQLite file; use --store for a PostgreSQL address.");
            return (db, null);
        }
        return _defaultDb is not null ? (_defaultDb, null) : throw new ArgumentException("give --db FILE or --store URL.");
    }
}
