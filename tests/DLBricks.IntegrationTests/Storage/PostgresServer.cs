using System.Diagnostics;
using Npgsql;

namespace DLBricks.Tests.Storage;

/// <summary>
/// The PostgreSQL server of the tests: the one named by <c>DLBRICKS_TEST_PG</c> (CI sources <c>.ci/services</c>, which starts
/// it), or else one this fixture starts with the same script and stops at the end. When neither works the tests fail with
/// the reason: a PostgreSQL test never passes without a server.
/// </summary>
public sealed class PostgresServer : IDisposable
{
    public const string Variable = "DLBRICKS_TEST_PG";

    private readonly string? _startedDir;
    private int _databases;

    public PostgresServer()
    {
        var configured = Environment.GetEnvironmentVariable(Variable);
        if (!string.IsNullOrWhiteSpace(configured))
        {
            ConnectionString = configured;
            return;
        }
        (ConnectionString, _startedDir) = Start();
    }

    /// <summary>Connection string of the server's test database (has a password: never assert it into messages).</summary>
    public string ConnectionString { get; }

    /// <summary>Creates an empty database for one test and returns its connection string.</summary>
    public string CreateDatabase()
    {
        var name = $"t_{Environment.ProcessId}_{Interlocked.Increment(ref _databases)}_{Guid.NewGuid():N}"[..40];
        using var connection = new NpgsqlConnection(ConnectionString);
        connection.Open();
        using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection); // name made here, not input
        command.ExecuteNonQuery();
        return new NpgsqlConnectionStringBuilder(ConnectionString) { Database = name, Pooling = false }.ConnectionString;
    }

    /// <summary>Runs one scalar query on a test database.</summary>
    public static long Scalar(string connectionString, string sql)
    {
        using var connection = new NpgsqlConnection(connectionString);
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(command.ExecuteScalar());
    }

    /// <summary>Runs one statement on a test database.</summary>
    public static void Execute(string connectionString, string sql)
    {
        using var connection = new NpgsqlConnection(connectionString);
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }

    public void Dispose()
    {
        NpgsqlConnection.ClearAllPools();
        if (_startedDir is not null)
            Script("stop", _startedDir);
    }

    private static (string ConnectionString, string Dir) Start()
    {
        var (exit, output) = Script("start");
        string? Value(string key) => output.Split('\n').Select(l => l.Trim())
            .FirstOrDefault(l => l.StartsWith(key + "=", StringComparison.Ordinal))?[(key.Length + 1)..];
        var connection = Value(Variable);
        var dir = Value("DLBRICKS_PG_DIR");
        if (exit != 0 || connection is null || dir is null)
            throw new InvalidOperationException(
                $"{Variable} is not set and `.ci/services start` could not start PostgreSQL (exit {exit}): {output.Trim()}. " +
                "Install PostgreSQL or source .ci/services before running the tests.");
        return (connection, dir);
    }

    private static (int Exit, string Output) Script(params string[] args)
    {
        var script = Path.Combine(TestPaths.RepoRoot, ".ci", "services");
        var info = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(script);
        foreach (var a in args)
            info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            return (-1, "timed out");
        }
        return (process.ExitCode, stdout.Result + stderr.Result);
    }
}

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServer>
{
    public const string Name = "PostgreSQL";
}
