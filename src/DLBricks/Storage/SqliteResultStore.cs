using System.Globalization;
using DLBricks.Benchmarking;
using DLBricks.Storage.Sql;
using Microsoft.Data.Sqlite;

namespace DLBricks.Storage;

/// <summary>
/// <see cref="IResultStore"/> in a SQLite file. Opening creates or migrates the schema (table <c>schema_version</c>);
/// each write is its own transaction, so a killed process leaves either the whole result or none of it.
/// </summary>
public sealed class SqliteResultStore : IResultStore
{
    private readonly SqliteConnection _connection;

    /// <summary>Opens (creating if needed) the database at <paramref name="path"/> and brings its schema up to date.</summary>
    /// <exception cref="InvalidDataException">The file is not a SQLite database or was written by a newer version; the message names the file.</exception>
    public SqliteResultStore(string path)
    {
        Path = System.IO.Path.GetFullPath(path);
        var directory = System.IO.Path.GetDirectoryName(Path);
        if (!string.IsNullOrEmpty(directory))
            Directory.CreateDirectory(directory);
        // Pooling would keep the file open after Dispose, which breaks deleting or reopening it in the same process.
        _connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path, Pooling = false }.ToString());
        try
        {
            _connection.Open();
            Execute("PRAGMA foreign_keys = ON");
            Execute("PRAGMA busy_timeout = 10000");
            // WAL with NORMAL sync keeps every committed result across a killed process (only a power cut can lose the
            // last commits) and avoids several fsyncs per brick.
            Execute("PRAGMA journal_mode = WAL");
            Execute("PRAGMA synchronous = NORMAL");
            SchemaVersion = Migrate();
        }
        catch (SqliteException e)
        {
            _connection.Dispose();
            throw new InvalidDataException($"{Path}: not a usable results database ({e.Message}).", e);
        }
        catch
        {
            _connection.Dispose();
            throw;
        }
    }

    /// <summary>Full path of the database file.</summary>
    public string Path { get; }

    /// <summary>Schema version of the open database (always <see cref="ResultStoreSql.CurrentSchemaVersion"/> once opened).</summary>
    public int SchemaVersion { get; }

    /// <inheritdoc />
    public void RegisterSystem(SystemFingerprint system)
    {
        using var command = Command(ResultStoreSql.UpsertSystem);
        command.Parameters.AddWithValue("@system_key", system.Key);
        command.Parameters.AddWithValue("@cpu_model", system.CpuModel);
        command.Parameters.AddWithValue("@logical_cores", system.LogicalCores);
        command.Parameters.AddWithValue("@memory_bytes", system.MemoryBytes);
        command.Parameters.AddWithValue("@operating_system", system.OperatingSystem);
        command.Parameters.AddWithValue("@dotnet_version", system.DotNetVersion);
        command.Parameters.AddWithValue("@onnxruntime_version", system.OnnxRuntimeVersion);
        command.ExecuteNonQuery();
    }

    /// <inheritdoc />
    public void RegisterConfiguration(RunConfiguration configuration)
    {
        using var command = Command(ResultStoreSql.UpsertConfiguration);
        command.Parameters.AddWithValue("@configuration_key", configuration.Key);
        command.Parameters.AddWithValue("@execution_provider", configuration.ExecutionProvider);
        command.Parameters.AddWithValue("@device_id", (object?)configuration.DeviceId ?? DBNull.Value);
        command.Parameters.AddWithValue("@intra_op_threads", configuration.IntraOpThreads);
        command.Parameters.AddWithValue("@inter_op_threads", configuration.InterOpThreads);
        command.Parameters.AddWithValue("@execution_mode", configuration.ExecutionMode);
        command.Parameters.AddWithValue("@optimization_level", configuration.OptimizationLevel);
        command.Parameters.AddWithValue("@job", configuration.Job);
        command.ExecuteNonQuery();
    }

    /// <inheritdoc />
    public bool HasResult(string brickHash, string systemKey, string configurationKey)
    {
        using var command = Command(ResultStoreSql.HasResult);
        command.Parameters.AddWithValue("@brick_hash", brickHash);
        command.Parameters.AddWithValue("@system_key", systemKey);
        command.Parameters.AddWithValue("@configuration_key", configurationKey);
        return command.ExecuteScalar() is not null;
    }

    /// <inheritdoc />
    public void Save(BrickResult result)
    {
        using var transaction = _connection.BeginTransaction();
        using var command = Command(ResultStoreSql.UpsertResult);
        command.Transaction = transaction;
        command.Parameters.AddWithValue("@brick_hash", result.BrickHash);
        command.Parameters.AddWithValue("@system_key", result.SystemKey);
        command.Parameters.AddWithValue("@configuration_key", result.ConfigurationKey);
        AddStatistics(command, result.Statistics);
        command.Parameters.AddWithValue("@error", (object?)result.Error ?? DBNull.Value);
        command.Parameters.AddWithValue("@measured_at", result.MeasuredAt.ToString("O", CultureInfo.InvariantCulture));
        command.ExecuteNonQuery();
        transaction.Commit();
    }

    /// <inheritdoc />
    public IReadOnlyDictionary<string, BrickResult> GetResults(string systemKey, string configurationKey)
    {
        using var command = Command(ResultStoreSql.SelectResults);
        command.Parameters.AddWithValue("@system_key", systemKey);
        command.Parameters.AddWithValue("@configuration_key", configurationKey);
        using var reader = command.ExecuteReader();
        var results = new Dictionary<string, BrickResult>(StringComparer.Ordinal);
        while (reader.Read())
        {
            var hash = reader.GetString(0);
            // n is set exactly when the brick was measured; single statistics may be NULL where SQLite stored a NaN.
            var statistics = reader.IsDBNull(9) ? null : ReadStatistics(reader, 1);
            var error = reader.IsDBNull(12) ? null : reader.GetString(12);
            var measuredAt = DateTimeOffset.Parse(reader.GetString(13), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);
            results[hash] = new BrickResult(hash, systemKey, configurationKey, statistics, error, measuredAt);
        }
        return results;
    }

    /// <inheritdoc />
    public IReadOnlyList<(SystemFingerprint System, RunConfiguration Configuration)> ListSystems()
    {
        using var command = Command(ResultStoreSql.SelectSystemsWithResults);
        using var reader = command.ExecuteReader();
        var pairs = new List<(SystemFingerprint, RunConfiguration)>();
        while (reader.Read())
        {
            var system = new SystemFingerprint(reader.GetString(1), reader.GetInt32(2), reader.GetInt64(3), reader.GetString(4),
                reader.GetString(5), reader.GetString(6));
            var configuration = new RunConfiguration(reader.GetString(8), reader.IsDBNull(9) ? null : reader.GetInt32(9),
                reader.GetInt32(10), reader.GetInt32(11), reader.GetString(12), reader.GetString(13), reader.GetString(14));
            pairs.Add((system, configuration));
        }
        return pairs;
    }

    /// <inheritdoc />
    public void SaveCalibration(string systemKey, string configurationKey, LatencyStatistics overhead)
    {
        using var transaction = _connection.BeginTransaction();
        using var command = Command(ResultStoreSql.UpsertCalibration);
        command.Transaction = transaction;
        command.Parameters.AddWithValue("@system_key", systemKey);
        command.Parameters.AddWithValue("@configuration_key", configurationKey);
        AddStatistics(command, overhead);
        command.Parameters.AddWithValue("@measured_at", DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture));
        command.ExecuteNonQuery();
        transaction.Commit();
    }

    /// <inheritdoc />
    public LatencyStatistics? GetCalibration(string systemKey, string configurationKey)
    {
        using var command = Command(ResultStoreSql.SelectCalibration);
        command.Parameters.AddWithValue("@system_key", systemKey);
        command.Parameters.AddWithValue("@configuration_key", configurationKey);
        using var reader = command.ExecuteReader();
        return reader.Read() ? ReadStatistics(reader, 0) : null;
    }

    /// <summary>Closes the database.</summary>
    public void Dispose() => _connection.Dispose();

    private int Migrate()
    {
        Execute(ResultStoreSql.CreateSchemaVersionTable);
        var version = ReadVersion();
        if (version > ResultStoreSql.CurrentSchemaVersion)
            throw new InvalidDataException(
                $"{Path}: results database has schema version {version}, newer than this dlbricks understands ({ResultStoreSql.CurrentSchemaVersion}); upgrade dlbricks.");
        while (version < ResultStoreSql.CurrentSchemaVersion)
        {
            // One transaction per step: a crash mid-migration leaves the previous version intact.
            using var transaction = _connection.BeginTransaction();
            foreach (var statement in ResultStoreSql.Migrations[version])
            {
                using var command = Command(statement);
                command.Transaction = transaction;
                command.ExecuteNonQuery();
            }
            using (var bump = Command(ResultStoreSql.InsertSchemaVersion))
            {
                bump.Transaction = transaction;
                bump.Parameters.AddWithValue("@version", version + 1);
                bump.ExecuteNonQuery();
            }
            transaction.Commit();
            version++;
        }
        return version;
    }

    private int ReadVersion()
    {
        using var command = Command(ResultStoreSql.SelectSchemaVersion);
        return command.ExecuteScalar() is long v ? (int)v : 0;
    }

    private static void AddStatistics(SqliteCommand command, LatencyStatistics? s)
    {
        command.Parameters.AddWithValue("@mean_ms", (object?)s?.Mean ?? DBNull.Value);
        command.Parameters.AddWithValue("@median_ms", (object?)s?.Median ?? DBNull.Value);
        command.Parameters.AddWithValue("@stddev_ms", (object?)s?.StdDev ?? DBNull.Value);
        command.Parameters.AddWithValue("@p90_ms", (object?)s?.P90 ?? DBNull.Value);
        command.Parameters.AddWithValue("@p95_ms", (object?)s?.P95 ?? DBNull.Value);
        command.Parameters.AddWithValue("@ci_lower_ms", (object?)s?.CiLower ?? DBNull.Value);
        command.Parameters.AddWithValue("@ci_upper_ms", (object?)s?.CiUpper ?? DBNull.Value);
        command.Parameters.AddWithValue("@trimmed_mean_ms", (object?)s?.TrimmedMean ?? DBNull.Value);
        command.Parameters.AddWithValue("@n", (object?)s?.N ?? DBNull.Value);
        command.Parameters.AddWithValue("@min_ms", (object?)s?.Min ?? DBNull.Value);
        command.Parameters.AddWithValue("@max_ms", (object?)s?.Max ?? DBNull.Value);
    }

    private static LatencyStatistics ReadStatistics(SqliteDataReader reader, int first)
    {
        // SQLite stores NaN as NULL; read it back as NaN.
        double D(int i) => reader.IsDBNull(first + i) ? double.NaN : reader.GetDouble(first + i);
        return new LatencyStatistics(Mean: D(0), Median: D(1), StdDev: D(2), P90: D(3), P95: D(4), CiLower: D(5), CiUpper: D(6),
            TrimmedMean: D(7), N: reader.GetInt32(first + 8), Min: D(9), Max: D(10));
    }

    private SqliteCommand Command(string sql)
    {
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        return command;
    }

    private void Execute(string sql)
    {
        using var command = Command(sql);
        command.ExecuteNonQuery();
    }
}
