using System.Data;
using System.Data.Common;
using System.Globalization;
using DLBricks.Benchmarking;
using DLBricks.Storage.Sql;

namespace DLBricks.Storage;

/// <summary>
/// The <see cref="IResultStore"/> logic every SQL engine shares: migrations, reads, writes, export and import through ADO.NET,
/// with the statements of <see cref="ResultStoreSql"/>. An engine only opens the connection and names its dialect, so the SQLite
/// and PostgreSQL stores cannot behave differently. Every value travels as a parameter; no statement is built from data.
/// </summary>
public abstract class SqlResultStore : IResultStore
{
    private readonly DbConnection _connection;

    /// <summary>Takes ownership of an open connection and brings its schema up to date.</summary>
    /// <param name="connection">An open connection; disposed with the store, or at once when the schema cannot be used.</param>
    /// <param name="dialect">The engine behind <paramref name="connection"/>.</param>
    /// <param name="location">Where the store is, for messages (a file path, or a URL without its password).</param>
    /// <exception cref="InvalidDataException">The database is unusable or was written by a newer version; the message names <paramref name="location"/>.</exception>
    protected SqlResultStore(DbConnection connection, SqlDialect dialect, string location)
    {
        _connection = connection;
        Dialect = dialect;
        Location = location;
        try
        {
            SchemaVersion = Migrate();
        }
        catch (DbException e)
        {
            _connection.Dispose();
            throw new InvalidDataException($"{location}: not a usable results database ({Redact(e.Message)}).", e);
        }
        catch
        {
            _connection.Dispose();
            throw;
        }
    }

    /// <summary>The engine.</summary>
    public SqlDialect Dialect { get; }

    /// <summary>Where the store is, safe to print: a file path, or a connection URL without its password.</summary>
    public string Location { get; }

    /// <summary>Schema version of the open database (always <see cref="ResultStoreSql.CurrentSchemaVersion"/> once opened).</summary>
    public int SchemaVersion { get; }

    /// <summary>The open connection, for engine-specific features of derived stores.</summary>
    protected DbConnection Connection => _connection;

    /// <inheritdoc />
    public void RegisterSystem(SystemFingerprint system)
    {
        using var command = Command(ResultStoreSql.UpsertSystem);
        AddSystem(command, system);
        command.ExecuteNonQuery();
    }

    /// <inheritdoc />
    public void RegisterConfiguration(RunConfiguration configuration)
    {
        using var command = Command(ResultStoreSql.UpsertConfiguration);
        AddConfiguration(command, configuration);
        command.ExecuteNonQuery();
    }

    /// <inheritdoc />
    public RunConfiguration? FindConfiguration(string configurationKey)
    {
        using var command = Command(ResultStoreSql.SelectConfiguration);
        Add(command, "@configuration_key", configurationKey);
        using var reader = command.ExecuteReader();
        return reader.Read() ? ReadConfiguration(reader, 1) : null;
    }

    /// <inheritdoc />
    public bool HasResult(string brickHash, string systemKey, string configurationKey)
    {
        using var command = Command(ResultStoreSql.HasResult);
        Add(command, "@brick_hash", brickHash);
        Add(command, "@system_key", systemKey);
        Add(command, "@configuration_key", configurationKey);
        return command.ExecuteScalar() is not (null or DBNull);
    }

    /// <inheritdoc />
    public void Save(BrickResult result)
    {
        using var transaction = _connection.BeginTransaction();
        SaveResult(result, transaction);
        transaction.Commit();
    }

    /// <inheritdoc />
    public IReadOnlyDictionary<string, BrickResult> GetResults(string systemKey, string configurationKey)
    {
        using var command = Command(ResultStoreSql.SelectResults);
        Add(command, "@system_key", systemKey);
        Add(command, "@configuration_key", configurationKey);
        using var reader = command.ExecuteReader();
        var results = new Dictionary<string, BrickResult>(StringComparer.Ordinal);
        while (reader.Read())
        {
            var result = ReadResult(reader, systemKey, configurationKey, harnessVersion: 14, samples: 15);
            results[result.BrickHash] = result;
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
            pairs.Add((ReadSystem(reader, 1, gpu: 16), ReadConfiguration(reader, 8)));
        return pairs;
    }

    /// <inheritdoc />
    public void SaveCalibration(string systemKey, string configurationKey, LatencyStatistics overhead)
    {
        using var transaction = _connection.BeginTransaction();
        using var command = Command(ResultStoreSql.UpsertCalibration, transaction);
        Add(command, "@system_key", systemKey);
        Add(command, "@configuration_key", configurationKey);
        AddStatistics(command, overhead);
        Add(command, "@measured_at", Timestamp(DateTimeOffset.UtcNow));
        command.ExecuteNonQuery();
        transaction.Commit();
    }

    /// <inheritdoc />
    public LatencyStatistics? GetCalibration(string systemKey, string configurationKey)
    {
        using var command = Command(ResultStoreSql.SelectCalibration);
        Add(command, "@system_key", systemKey);
        Add(command, "@configuration_key", configurationKey);
        using var reader = command.ExecuteReader();
        return reader.Read() ? ReadStatistics(reader, 0, samples: 11) : null;
    }

    /// <summary>Everything the store holds: systems, configurations, results and calibrations (<c>dlbricks results export</c>).</summary>
    internal ResultsArchive Export()
    {
        var systems = new List<SystemFingerprint>();
        using (var command = Command(ResultStoreSql.SelectAllSystems))
        using (var reader = command.ExecuteReader())
            while (reader.Read())
                systems.Add(ReadSystem(reader, 1, gpu: 7));

        var configurations = new List<RunConfiguration>();
        using (var command = Command(ResultStoreSql.SelectAllConfigurations))
        using (var reader = command.ExecuteReader())
            while (reader.Read())
                configurations.Add(ReadConfiguration(reader, 1));

        var results = new List<BrickResult>();
        using (var command = Command(ResultStoreSql.SelectAllResults))
        using (var reader = command.ExecuteReader())
            while (reader.Read())
                results.Add(ReadResult(reader, reader.GetString(14), reader.GetString(15), harnessVersion: 16, samples: 17));

        var calibrations = new List<StoredCalibration>();
        using (var command = Command(ResultStoreSql.SelectAllCalibrations))
        using (var reader = command.ExecuteReader())
            while (reader.Read())
                calibrations.Add(new StoredCalibration(reader.GetString(12), reader.GetString(13), ReadStatistics(reader, 0, samples: 14),
                    ParseTimestamp(reader.GetString(11))));

        return new ResultsArchive(ResultsArchive.CurrentFormatVersion, DateTimeOffset.UtcNow, systems, configurations, results, calibrations);
    }

    /// <summary>
    /// Adds an archive's systems, configurations, results and calibrations in one transaction: what is missing is added, an
    /// older result or calibration is replaced by a newer one, and the rest is left alone, so importing twice adds nothing.
    /// </summary>
    /// <exception cref="InvalidDataException">The archive refers to a system or configuration it does not carry; nothing is written.</exception>
    internal ImportCounts Import(ResultsArchive archive)
    {
        archive.Validate();
        using var transaction = _connection.BeginTransaction();
        int systems = 0, configurations = 0, results = 0, calibrations = 0;
        foreach (var system in archive.Systems)
        {
            using var command = Command(ResultStoreSql.UpsertSystem, transaction);
            AddSystem(command, system);
            systems += command.ExecuteNonQuery();
        }
        foreach (var configuration in archive.Configurations)
        {
            using var command = Command(ResultStoreSql.UpsertConfiguration, transaction);
            AddConfiguration(command, configuration);
            configurations += command.ExecuteNonQuery();
        }
        foreach (var result in archive.Results)
            results += WriteResult(ResultStoreSql.ImportResult, result, transaction);
        foreach (var calibration in archive.Calibrations)
        {
            using var command = Command(ResultStoreSql.ImportCalibration, transaction);
            Add(command, "@system_key", calibration.SystemKey);
            Add(command, "@configuration_key", calibration.ConfigurationKey);
            AddStatistics(command, calibration.Statistics);
            Add(command, "@measured_at", Timestamp(calibration.MeasuredAt));
            calibrations += command.ExecuteNonQuery();
        }
        transaction.Commit();
        return new ImportCounts(systems, configurations, results, calibrations);
    }

    /// <summary>Closes the connection.</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases the connection; derived stores release their own resources first.</summary>
    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
            _connection.Dispose();
    }

    /// <summary>Removes secrets from a message before it reaches a log or the user; the base removes nothing.</summary>
    protected virtual string Redact(string message) => message;

    /// <summary>Writes a result inside <paramref name="transaction"/> (replacing an earlier one).</summary>
    protected void SaveResult(BrickResult result, DbTransaction transaction)
        => WriteResult(ResultStoreSql.UpsertResult, result, transaction);

    /// <summary>A command on the store's connection, in <paramref name="transaction"/> when given.</summary>
    protected DbCommand Command(string sql, DbTransaction? transaction = null)
    {
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        return command;
    }

    /// <summary>Binds a named parameter (<c>@name</c>); null becomes SQL NULL.</summary>
    protected static void Add(DbCommand command, string name, object? value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value ?? DBNull.Value;
        if (value is null)
            parameter.DbType = DbType.String; // NULLs need a type for PostgreSQL to plan the statement
        command.Parameters.Add(parameter);
    }

    /// <summary>Round-trip UTC text, the form every timestamp column holds (it sorts as time).</summary>
    protected static string Timestamp(DateTimeOffset time) => time.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);

    private int WriteResult(string sql, BrickResult result, DbTransaction transaction)
    {
        using var command = Command(sql, transaction);
        Add(command, "@brick_hash", result.BrickHash);
        Add(command, "@system_key", result.SystemKey);
        Add(command, "@configuration_key", result.ConfigurationKey);
        AddStatistics(command, result.Statistics);
        Add(command, "@error", result.Error);
        Add(command, "@measured_at", Timestamp(result.MeasuredAt));
        AddTyped(command, "@harness_version", result.HarnessVersion, DbType.Int32);
        return command.ExecuteNonQuery();
    }

    private int Migrate()
    {
        while (true)
        {
            // One transaction per step, under the engine's schema lock: a crash mid-migration leaves the previous version
            // intact, and processes opening a fresh database together do not race to create the same tables.
            using var transaction = _connection.BeginTransaction();
            var lockSql = ResultStoreSql.LockSchema.For(Dialect);
            if (lockSql.Length > 0)
                Execute(lockSql, transaction);
            Execute(ResultStoreSql.CreateSchemaVersionTable, transaction);
            var version = ReadVersion(transaction);
            if (version > ResultStoreSql.CurrentSchemaVersion)
                throw new InvalidDataException(
                    $"{Location}: results database has schema version {version}, newer than this dlbricks understands ({ResultStoreSql.CurrentSchemaVersion}); upgrade dlbricks.");
            if (version == ResultStoreSql.CurrentSchemaVersion)
            {
                transaction.Commit();
                return version;
            }
            foreach (var statement in ResultStoreSql.Migrations[version])
                Execute(statement.For(Dialect), transaction);
            using (var bump = Command(ResultStoreSql.InsertSchemaVersion, transaction))
            {
                Add(bump, "@version", version + 1);
                bump.ExecuteNonQuery();
            }
            transaction.Commit();
        }
    }

    private int ReadVersion(DbTransaction transaction)
    {
        using var command = Command(ResultStoreSql.SelectSchemaVersion, transaction);
        return command.ExecuteScalar() is { } v and not DBNull ? Convert.ToInt32(v, CultureInfo.InvariantCulture) : 0;
    }

    private void Execute(string sql, DbTransaction transaction)
    {
        using var command = Command(sql, transaction);
        command.ExecuteNonQuery();
    }

    private static void AddSystem(DbCommand command, SystemFingerprint system)
    {
        Add(command, "@system_key", system.Key);
        Add(command, "@cpu_model", system.CpuModel);
        Add(command, "@logical_cores", system.LogicalCores);
        Add(command, "@memory_bytes", system.MemoryBytes);
        Add(command, "@operating_system", system.OperatingSystem);
        Add(command, "@dotnet_version", system.DotNetVersion);
        Add(command, "@onnxruntime_version", system.OnnxRuntimeVersion);
        AddTyped(command, "@gpu", system.Gpu, DbType.String);
    }

    private static void AddConfiguration(DbCommand command, RunConfiguration configuration)
    {
        Add(command, "@configuration_key", configuration.Key);
        Add(command, "@execution_provider", configuration.ExecutionProvider);
        AddTyped(command, "@device_id", configuration.DeviceId, DbType.Int32);
        Add(command, "@intra_op_threads", configuration.IntraOpThreads);
        Add(command, "@inter_op_threads", configuration.InterOpThreads);
        Add(command, "@execution_mode", configuration.ExecutionMode);
        Add(command, "@optimization_level", configuration.OptimizationLevel);
        Add(command, "@job", configuration.Job);
        Add(command, "@measurement", configuration.Measurement ?? "");
    }

    private static void AddStatistics(DbCommand command, LatencyStatistics? s)
    {
        AddTyped(command, "@mean_ms", s?.Mean, DbType.Double);
        AddTyped(command, "@median_ms", s?.Median, DbType.Double);
        AddTyped(command, "@stddev_ms", s?.StdDev, DbType.Double);
        AddTyped(command, "@p90_ms", s?.P90, DbType.Double);
        AddTyped(command, "@p95_ms", s?.P95, DbType.Double);
        AddTyped(command, "@ci_lower_ms", s?.CiLower, DbType.Double);
        AddTyped(command, "@ci_upper_ms", s?.CiUpper, DbType.Double);
        AddTyped(command, "@trimmed_mean_ms", s?.TrimmedMean, DbType.Double);
        AddTyped(command, "@n", s?.N, DbType.Int32);
        AddTyped(command, "@min_ms", s?.Min, DbType.Double);
        AddTyped(command, "@max_ms", s?.Max, DbType.Double);
        AddTyped(command, "@samples", s?.Distribution?.Encode(), DbType.String);
    }

    private static void AddTyped(DbCommand command, string name, object? value, DbType type)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.DbType = type;
        // SQLite cannot store NaN; both engines store it as NULL and read NULL back as NaN, so exports match.
        parameter.Value = value is null or double.NaN ? DBNull.Value : value;
        command.Parameters.Add(parameter);
    }

    private static SystemFingerprint ReadSystem(DbDataReader reader, int first, int gpu)
        => new(reader.GetString(first), reader.GetInt32(first + 1), reader.GetInt64(first + 2), reader.GetString(first + 3),
            reader.GetString(first + 4), reader.GetString(first + 5)) { Gpu = reader.IsDBNull(gpu) ? null : reader.GetString(gpu) };

    private static RunConfiguration ReadConfiguration(DbDataReader reader, int first)
        => new(reader.GetString(first), reader.IsDBNull(first + 1) ? null : reader.GetInt32(first + 1), reader.GetInt32(first + 2),
            reader.GetInt32(first + 3), reader.GetString(first + 4), reader.GetString(first + 5), reader.GetString(first + 6),
            reader.GetString(first + 7));

    /// <summary>
    /// Reads the columns of <see cref="ResultStoreSql.SelectResults"/> (hash, 11 statistics, error, measured_at), the harness version
    /// at <paramref name="harnessVersion"/> and the encoded samples at <paramref name="samples"/>.
    /// </summary>
    private static BrickResult ReadResult(DbDataReader reader, string systemKey, string configurationKey, int harnessVersion, int samples)
    {
        var hash = reader.GetString(0);
        // n is set exactly when the brick was measured; single statistics may be NULL where SQLite stored a NaN.
        var statistics = reader.IsDBNull(9) ? null : ReadStatistics(reader, 1, samples);
        var error = reader.IsDBNull(12) ? null : reader.GetString(12);
        int? version = reader.IsDBNull(harnessVersion) ? null : reader.GetInt32(harnessVersion);
        return new BrickResult(hash, systemKey, configurationKey, statistics, error, ParseTimestamp(reader.GetString(13)), version);
    }

    private static LatencyStatistics ReadStatistics(DbDataReader reader, int first, int samples)
    {
        // SQLite stores NaN as NULL; read it back as NaN.
        double D(int i) => reader.IsDBNull(first + i) ? double.NaN : reader.GetDouble(first + i);
        return new LatencyStatistics(Mean: D(0), Median: D(1), StdDev: D(2), P90: D(3), P95: D(4), CiLower: D(5), CiUpper: D(6),
            TrimmedMean: D(7), N: reader.GetInt32(first + 8), Min: D(9), Max: D(10))
        {
            // Rows written before schema version 6 have no samples: their statistics stand, without a distribution.
            Distribution = reader.IsDBNull(samples) ? null : LatencyDistribution.Decode(reader.GetString(samples)),
        };
    }

    private static DateTimeOffset ParseTimestamp(string text)
        => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);
}
