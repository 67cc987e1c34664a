namespace DLBricks.Storage.Sql;

/// <summary>
/// Every SQL statement of the result stores, in one place. The statements stick to the dialect SQLite and PostgreSQL share
/// (<c>ON CONFLICT ... DO UPDATE</c>, named parameters, no engine-specific types) so a PostgreSQL store can reuse the schema
/// and the queries; only the parameter prefix and the connection differ.
/// </summary>
internal static class ResultStoreSql
{
    /// <summary>Schema version this code writes; stores refuse databases of a newer version.</summary>
    public const int CurrentSchemaVersion = 2;

    public const string CreateSchemaVersionTable =
        "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)";

    public const string SelectSchemaVersion = "SELECT MAX(version) FROM schema_version";

    public const string InsertSchemaVersion = "INSERT INTO schema_version (version) VALUES (@version)";

    /// <summary>
    /// Migration scripts by the version they produce: entry <c>i</c> takes a database from version <c>i</c> to <c>i + 1</c>.
    /// Append only; never edit a script that has shipped.
    /// </summary>
    public static IReadOnlyList<string[]> Migrations { get; } =
    [
        // 0 -> 1: systems, configurations and brick results.
        [
            """
            CREATE TABLE systems (
                system_key TEXT PRIMARY KEY,
                cpu_model TEXT NOT NULL,
                logical_cores INTEGER NOT NULL,
                memory_bytes BIGINT NOT NULL,
                operating_system TEXT NOT NULL,
                dotnet_version TEXT NOT NULL,
                onnxruntime_version TEXT NOT NULL)
            """,
            """
            CREATE TABLE configurations (
                configuration_key TEXT PRIMARY KEY,
                execution_provider TEXT NOT NULL,
                device_id INTEGER NULL,
                intra_op_threads INTEGER NOT NULL,
                inter_op_threads INTEGER NOT NULL,
                execution_mode TEXT NOT NULL,
                optimization_level TEXT NOT NULL,
                job TEXT NOT NULL)
            """,
            """
            CREATE TABLE results (
                brick_hash TEXT NOT NULL,
                system_key TEXT NOT NULL REFERENCES systems (system_key),
                configuration_key TEXT NOT NULL REFERENCES configurations (configuration_key),
                mean_ms DOUBLE PRECISION NULL,
                median_ms DOUBLE PRECISION NULL,
                stddev_ms DOUBLE PRECISION NULL,
                p90_ms DOUBLE PRECISION NULL,
                p95_ms DOUBLE PRECISION NULL,
                ci_lower_ms DOUBLE PRECISION NULL,
                ci_upper_ms DOUBLE PRECISION NULL,
                trimmed_mean_ms DOUBLE PRECISION NULL,
                n INTEGER NULL,
                min_ms DOUBLE PRECISION NULL,
                max_ms DOUBLE PRECISION NULL,
                error TEXT NULL,
                measured_at TEXT NOT NULL,
                PRIMARY KEY (brick_hash, system_key, configuration_key))
            """,
        ],
        // 1 -> 2: the harness's per-call cost measured on an empty model, per system and configuration.
        [
            """
            CREATE TABLE calibrations (
                system_key TEXT NOT NULL REFERENCES systems (system_key),
                configuration_key TEXT NOT NULL REFERENCES configurations (configuration_key),
                mean_ms DOUBLE PRECISION NULL,
                median_ms DOUBLE PRECISION NULL,
                stddev_ms DOUBLE PRECISION NULL,
                p90_ms DOUBLE PRECISION NULL,
                p95_ms DOUBLE PRECISION NULL,
                ci_lower_ms DOUBLE PRECISION NULL,
                ci_upper_ms DOUBLE PRECISION NULL,
                trimmed_mean_ms DOUBLE PRECISION NULL,
                n INTEGER NOT NULL,
                min_ms DOUBLE PRECISION NULL,
                max_ms DOUBLE PRECISION NULL,
                measured_at TEXT NOT NULL,
                PRIMARY KEY (system_key, configuration_key))
            """,
        ],
    ];

    public const string UpsertSystem =
        """
        INSERT INTO systems (system_key, cpu_model, logical_cores, memory_bytes, operating_system, dotnet_version, onnxruntime_version)
        VALUES (@system_key, @cpu_model, @logical_cores, @memory_bytes, @operating_system, @dotnet_version, @onnxruntime_version)
        ON CONFLICT (system_key) DO NOTHING
        """;

    public const string UpsertConfiguration =
        """
        INSERT INTO configurations (configuration_key, execution_provider, device_id, intra_op_threads, inter_op_threads,
                                    execution_mode, optimization_level, job)
        VALUES (@configuration_key, @execution_provider, @device_id, @intra_op_threads, @inter_op_threads,
                @execution_mode, @optimization_level, @job)
        ON CONFLICT (configuration_key) DO NOTHING
        """;

    public const string HasResult =
        """
        SELECT 1 FROM results
        WHERE brick_hash = @brick_hash AND system_key = @system_key AND configuration_key = @configuration_key
        """;

    public const string UpsertResult =
        """
        INSERT INTO results (brick_hash, system_key, configuration_key, mean_ms, median_ms, stddev_ms, p90_ms, p95_ms,
                             ci_lower_ms, ci_upper_ms, trimmed_mean_ms, n, min_ms, max_ms, error, measured_at)
        VALUES (@brick_hash, @system_key, @configuration_key, @mean_ms, @median_ms, @stddev_ms, @p90_ms, @p95_ms,
                @ci_lower_ms, @ci_upper_ms, @trimmed_mean_ms, @n, @min_ms, @max_ms, @error, @measured_at)
        ON CONFLICT (brick_hash, system_key, configuration_key) DO UPDATE SET
            mean_ms = excluded.mean_ms, median_ms = excluded.median_ms, stddev_ms = excluded.stddev_ms,
            p90_ms = excluded.p90_ms, p95_ms = excluded.p95_ms, ci_lower_ms = excluded.ci_lower_ms,
            ci_upper_ms = excluded.ci_upper_ms, trimmed_mean_ms = excluded.trimmed_mean_ms, n = excluded.n,
            min_ms = excluded.min_ms, max_ms = excluded.max_ms, error = excluded.error, measured_at = excluded.measured_at
        """;

    public const string SelectResults =
        """
        SELECT brick_hash, mean_ms, median_ms, stddev_ms, p90_ms, p95_ms, ci_lower_ms, ci_upper_ms, trimmed_mean_ms, n,
               min_ms, max_ms, error, measured_at
        FROM results
        WHERE system_key = @system_key AND configuration_key = @configuration_key
        ORDER BY brick_hash
        """;

    public const string SelectSystemsWithResults =
        """
        SELECT s.system_key, s.cpu_model, s.logical_cores, s.memory_bytes, s.operating_system, s.dotnet_version,
               s.onnxruntime_version, c.configuration_key, c.execution_provider, c.device_id, c.intra_op_threads,
               c.inter_op_threads, c.execution_mode, c.optimization_level, c.job
        FROM systems s
        JOIN configurations c ON EXISTS (
            SELECT 1 FROM results r WHERE r.system_key = s.system_key AND r.configuration_key = c.configuration_key)
        ORDER BY s.system_key, c.configuration_key
        """;

    public const string UpsertCalibration =
        """
        INSERT INTO calibrations (system_key, configuration_key, mean_ms, median_ms, stddev_ms, p90_ms, p95_ms,
                                  ci_lower_ms, ci_upper_ms, trimmed_mean_ms, n, min_ms, max_ms, measured_at)
        VALUES (@system_key, @configuration_key, @mean_ms, @median_ms, @stddev_ms, @p90_ms, @p95_ms,
                @ci_lower_ms, @ci_upper_ms, @trimmed_mean_ms, @n, @min_ms, @max_ms, @measured_at)
        ON CONFLICT (system_key, configuration_key) DO UPDATE SET
            mean_ms = excluded.mean_ms, median_ms = excluded.median_ms, stddev_ms = excluded.stddev_ms,
            p90_ms = excluded.p90_ms, p95_ms = excluded.p95_ms, ci_lower_ms = excluded.ci_lower_ms,
            ci_upper_ms = excluded.ci_upper_ms, trimmed_mean_ms = excluded.trimmed_mean_ms, n = excluded.n,
            min_ms = excluded.min_ms, max_ms = excluded.max_ms, measured_at = excluded.measured_at
        """;

    public const string SelectCalibration =
        """
        SELECT mean_ms, median_ms, stddev_ms, p90_ms, p95_ms, ci_lower_ms, ci_upper_ms, trimmed_mean_ms, n, min_ms, max_ms
        FROM calibrations
        WHERE system_key = @system_key AND configuration_key = @configuration_key
        """;
}
