namespace DLBricks.Storage.Sql;

/// <summary>The SQL engines the result stores speak.</summary>
public enum SqlDialect
{
    /// <summary>SQLite (Microsoft.Data.Sqlite).</summary>
    Sqlite,
    /// <summary>PostgreSQL (Npgsql).</summary>
    PostgreSql,
}

/// <summary>One statement in both dialects; most statements are the same text for both.</summary>
/// <param name="Sqlite">The SQLite text.</param>
/// <param name="PostgreSql">The PostgreSQL text.</param>
public readonly record struct DialectSql(string Sqlite, string PostgreSql)
{
    /// <summary>The text for <paramref name="dialect"/>.</summary>
    public string For(SqlDialect dialect) => dialect == SqlDialect.Sqlite ? Sqlite : PostgreSql;

    /// <summary>A statement both engines accept as written.</summary>
    public static implicit operator DialectSql(string shared) => new(shared, shared);
}

/// <summary>
/// Every SQL statement of the result stores, in one place. Most statements stick to the dialect SQLite and PostgreSQL share
/// (<c>ON CONFLICT ... DO UPDATE</c>, named <c>@parameters</c>, no engine-specific types); where the engines differ, the two
/// texts are a <see cref="DialectSql"/> pair written next to each other, so the schemas cannot drift apart. Statements only
/// PostgreSQL runs (the shared work queue) are at the end and say so in their name.
/// </summary>
internal static class ResultStoreSql
{
    /// <summary>Schema version this code writes; stores refuse databases of a newer version.</summary>
    public const int CurrentSchemaVersion = 6;

    public const string CreateSchemaVersionTable =
        "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)";

    public const string SelectSchemaVersion = "SELECT MAX(version) FROM schema_version";

    public const string InsertSchemaVersion = "INSERT INTO schema_version (version) VALUES (@version)";

    /// <summary>
    /// Migration scripts by the version they produce: entry <c>i</c> takes a database from version <c>i</c> to <c>i + 1</c>.
    /// Append only; never edit a script that has shipped.
    /// </summary>
    public static IReadOnlyList<DialectSql[]> Migrations { get; } =
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
        // 2 -> 3: the shared work queue of `bench --worker`: one row per brick to measure on a system and configuration,
        // leased by one worker at a time. Lease times are the server's clock (PostgreSQL), so machines need not agree on time.
        // SQLite stores never run the queue; they carry the table so both engines have one schema.
        [
            new DialectSql(
                Sqlite: """
                CREATE TABLE claims (
                    brick_hash TEXT NOT NULL,
                    system_key TEXT NOT NULL REFERENCES systems (system_key),
                    configuration_key TEXT NOT NULL REFERENCES configurations (configuration_key),
                    worker_id TEXT NULL,
                    lease_expires_at TEXT NULL,
                    attempts INTEGER NOT NULL DEFAULT 0,
                    completed_at TEXT NULL,
                    PRIMARY KEY (brick_hash, system_key, configuration_key))
                """,
                PostgreSql: """
                CREATE TABLE claims (
                    brick_hash TEXT NOT NULL,
                    system_key TEXT NOT NULL REFERENCES systems (system_key),
                    configuration_key TEXT NOT NULL REFERENCES configurations (configuration_key),
                    worker_id TEXT NULL,
                    lease_expires_at TIMESTAMP WITH TIME ZONE NULL,
                    attempts INTEGER NOT NULL DEFAULT 0,
                    completed_at TIMESTAMP WITH TIME ZONE NULL,
                    PRIMARY KEY (brick_hash, system_key, configuration_key))
                """),
            // Claims scan only the open bricks of one system and configuration: done ones would make each claim O(catalog).
            """
            CREATE INDEX claims_open ON claims (system_key, configuration_key, brick_hash) WHERE completed_at IS NULL
            """,
        ],
        // 3 -> 4: provenance and safe claiming. A configuration records its measurement settings (harness version, job
        // parameters, rotation, clock); rows migrated from version 3 get '' and keep their old keys, which no new measurement
        // produces, so they are kept for export but never reused. A result records the harness version that measured it. A claim
        // carries a token of its own, so only the holder of this very claim can renew, complete or release it.
        [
            "ALTER TABLE configurations ADD COLUMN measurement TEXT NOT NULL DEFAULT ''",
            "ALTER TABLE results ADD COLUMN harness_version INTEGER NULL",
            "ALTER TABLE claims ADD COLUMN claim_token TEXT NULL",
        ],
        // 4 -> 5: the GPUs of systems measured with a GPU provider (NULL for CPU runs and older rows).
        [
            "ALTER TABLE systems ADD COLUMN gpu TEXT NULL",
        ],
        // 5 -> 6: the per-iteration latencies behind a result or calibration (LatencyDistribution.Encode), for tail-latency
        // estimates. Rows of older versions keep NULL: they have statistics but no distribution.
        [
            "ALTER TABLE results ADD COLUMN samples TEXT NULL",
            "ALTER TABLE calibrations ADD COLUMN samples TEXT NULL",
        ],
    ];

    /// <summary>
    /// Serializes schema migrations between processes opening the same database at once (several workers starting together).
    /// SQLite takes its write lock with the first write of the transaction, so it needs nothing; PostgreSQL takes a
    /// transaction-scoped advisory lock (the number is arbitrary but fixed: "DLBr" in ASCII).
    /// </summary>
    public static readonly DialectSql LockSchema = new(
        Sqlite: "",
        PostgreSql: "SELECT pg_advisory_xact_lock(1145848434)");

    public const string UpsertSystem =
        """
        INSERT INTO systems (system_key, cpu_model, logical_cores, memory_bytes, operating_system, dotnet_version, onnxruntime_version, gpu)
        VALUES (@system_key, @cpu_model, @logical_cores, @memory_bytes, @operating_system, @dotnet_version, @onnxruntime_version, @gpu)
        ON CONFLICT (system_key) DO NOTHING
        """;

    public const string UpsertConfiguration =
        """
        INSERT INTO configurations (configuration_key, execution_provider, device_id, intra_op_threads, inter_op_threads,
                                    execution_mode, optimization_level, job, measurement)
        VALUES (@configuration_key, @execution_provider, @device_id, @intra_op_threads, @inter_op_threads,
                @execution_mode, @optimization_level, @job, @measurement)
        ON CONFLICT (configuration_key) DO NOTHING
        """;

    /// <summary>Every system, whether or not it has results (export).</summary>
    public const string SelectAllSystems =
        """
        SELECT system_key, cpu_model, logical_cores, memory_bytes, operating_system, dotnet_version, onnxruntime_version, gpu
        FROM systems ORDER BY system_key
        """;

    /// <summary>Every configuration, whether or not it has results (export).</summary>
    public const string SelectAllConfigurations =
        """
        SELECT configuration_key, execution_provider, device_id, intra_op_threads, inter_op_threads, execution_mode,
               optimization_level, job, measurement
        FROM configurations ORDER BY configuration_key
        """;

    /// <summary>One configuration by key.</summary>
    public const string SelectConfiguration =
        """
        SELECT configuration_key, execution_provider, device_id, intra_op_threads, inter_op_threads, execution_mode,
               optimization_level, job, measurement
        FROM configurations WHERE configuration_key = @configuration_key
        """;

    /// <summary>Every result of every system and configuration (export).</summary>
    public const string SelectAllResults =
        """
        SELECT brick_hash, mean_ms, median_ms, stddev_ms, p90_ms, p95_ms, ci_lower_ms, ci_upper_ms, trimmed_mean_ms, n,
               min_ms, max_ms, error, measured_at, system_key, configuration_key, harness_version, samples
        FROM results
        ORDER BY system_key, configuration_key, brick_hash
        """;

    /// <summary>Every calibration (export).</summary>
    public const string SelectAllCalibrations =
        """
        SELECT mean_ms, median_ms, stddev_ms, p90_ms, p95_ms, ci_lower_ms, ci_upper_ms, trimmed_mean_ms, n, min_ms, max_ms,
               measured_at, system_key, configuration_key, samples
        FROM calibrations
        ORDER BY system_key, configuration_key
        """;

    public const string HasResult =
        """
        SELECT 1 FROM results
        WHERE brick_hash = @brick_hash AND system_key = @system_key AND configuration_key = @configuration_key
        """;

    public const string UpsertResult =
        """
        INSERT INTO results (brick_hash, system_key, configuration_key, mean_ms, median_ms, stddev_ms, p90_ms, p95_ms,
                             ci_lower_ms, ci_upper_ms, trimmed_mean_ms, n, min_ms, max_ms, error, measured_at, harness_version, samples)
        VALUES (@brick_hash, @system_key, @configuration_key, @mean_ms, @median_ms, @stddev_ms, @p90_ms, @p95_ms,
                @ci_lower_ms, @ci_upper_ms, @trimmed_mean_ms, @n, @min_ms, @max_ms, @error, @measured_at, @harness_version, @samples)
        ON CONFLICT (brick_hash, system_key, configuration_key) DO UPDATE SET
            mean_ms = excluded.mean_ms, median_ms = excluded.median_ms, stddev_ms = excluded.stddev_ms,
            p90_ms = excluded.p90_ms, p95_ms = excluded.p95_ms, ci_lower_ms = excluded.ci_lower_ms,
            ci_upper_ms = excluded.ci_upper_ms, trimmed_mean_ms = excluded.trimmed_mean_ms, n = excluded.n,
            min_ms = excluded.min_ms, max_ms = excluded.max_ms, error = excluded.error, measured_at = excluded.measured_at,
            harness_version = excluded.harness_version, samples = excluded.samples
        """;

    /// <summary>
    /// Import of a result from another store: adds it when missing and replaces only an older one, so importing the same
    /// file twice changes nothing (timestamps are UTC round-trip strings, which sort as times).
    /// </summary>
    public const string ImportResult =
        """
        INSERT INTO results (brick_hash, system_key, configuration_key, mean_ms, median_ms, stddev_ms, p90_ms, p95_ms,
                             ci_lower_ms, ci_upper_ms, trimmed_mean_ms, n, min_ms, max_ms, error, measured_at, harness_version, samples)
        VALUES (@brick_hash, @system_key, @configuration_key, @mean_ms, @median_ms, @stddev_ms, @p90_ms, @p95_ms,
                @ci_lower_ms, @ci_upper_ms, @trimmed_mean_ms, @n, @min_ms, @max_ms, @error, @measured_at, @harness_version, @samples)
        ON CONFLICT (brick_hash, system_key, configuration_key) DO UPDATE SET
            mean_ms = excluded.mean_ms, median_ms = excluded.median_ms, stddev_ms = excluded.stddev_ms,
            p90_ms = excluded.p90_ms, p95_ms = excluded.p95_ms, ci_lower_ms = excluded.ci_lower_ms,
            ci_upper_ms = excluded.ci_upper_ms, trimmed_mean_ms = excluded.trimmed_mean_ms, n = excluded.n,
            min_ms = excluded.min_ms, max_ms = excluded.max_ms, error = excluded.error, measured_at = excluded.measured_at,
            harness_version = excluded.harness_version, samples = excluded.samples
        WHERE results.measured_at < excluded.measured_at
        """;

    public const string SelectResults =
        """
        SELECT brick_hash, mean_ms, median_ms, stddev_ms, p90_ms, p95_ms, ci_lower_ms, ci_upper_ms, trimmed_mean_ms, n,
               min_ms, max_ms, error, measured_at, harness_version, samples
        FROM results
        WHERE system_key = @system_key AND configuration_key = @configuration_key
        ORDER BY brick_hash
        """;

    public const string SelectSystemsWithResults =
        """
        SELECT s.system_key, s.cpu_model, s.logical_cores, s.memory_bytes, s.operating_system, s.dotnet_version,
               s.onnxruntime_version, c.configuration_key, c.execution_provider, c.device_id, c.intra_op_threads,
               c.inter_op_threads, c.execution_mode, c.optimization_level, c.job, c.measurement, s.gpu
        FROM systems s
        JOIN configurations c ON EXISTS (
            SELECT 1 FROM results r WHERE r.system_key = s.system_key AND r.configuration_key = c.configuration_key)
        ORDER BY s.system_key, c.configuration_key
        """;

    public const string UpsertCalibration =
        """
        INSERT INTO calibrations (system_key, configuration_key, mean_ms, median_ms, stddev_ms, p90_ms, p95_ms,
                                  ci_lower_ms, ci_upper_ms, trimmed_mean_ms, n, min_ms, max_ms, measured_at, samples)
        VALUES (@system_key, @configuration_key, @mean_ms, @median_ms, @stddev_ms, @p90_ms, @p95_ms,
                @ci_lower_ms, @ci_upper_ms, @trimmed_mean_ms, @n, @min_ms, @max_ms, @measured_at, @samples)
        ON CONFLICT (system_key, configuration_key) DO UPDATE SET
            mean_ms = excluded.mean_ms, median_ms = excluded.median_ms, stddev_ms = excluded.stddev_ms,
            p90_ms = excluded.p90_ms, p95_ms = excluded.p95_ms, ci_lower_ms = excluded.ci_lower_ms,
            ci_upper_ms = excluded.ci_upper_ms, trimmed_mean_ms = excluded.trimmed_mean_ms, n = excluded.n,
            min_ms = excluded.min_ms, max_ms = excluded.max_ms, measured_at = excluded.measured_at, samples = excluded.samples
        """;

    /// <summary>Import of a calibration: like <see cref="ImportResult"/>, only a newer one replaces what is stored.</summary>
    public const string ImportCalibration =
        """
        INSERT INTO calibrations (system_key, configuration_key, mean_ms, median_ms, stddev_ms, p90_ms, p95_ms,
                                  ci_lower_ms, ci_upper_ms, trimmed_mean_ms, n, min_ms, max_ms, measured_at, samples)
        VALUES (@system_key, @configuration_key, @mean_ms, @median_ms, @stddev_ms, @p90_ms, @p95_ms,
                @ci_lower_ms, @ci_upper_ms, @trimmed_mean_ms, @n, @min_ms, @max_ms, @measured_at, @samples)
        ON CONFLICT (system_key, configuration_key) DO UPDATE SET
            mean_ms = excluded.mean_ms, median_ms = excluded.median_ms, stddev_ms = excluded.stddev_ms,
            p90_ms = excluded.p90_ms, p95_ms = excluded.p95_ms, ci_lower_ms = excluded.ci_lower_ms,
            ci_upper_ms = excluded.ci_upper_ms, trimmed_mean_ms = excluded.trimmed_mean_ms, n = excluded.n,
            min_ms = excluded.min_ms, max_ms = excluded.max_ms, measured_at = excluded.measured_at, samples = excluded.samples
        WHERE calibrations.measured_at < excluded.measured_at
        """;

    public const string SelectCalibration =
        """
        SELECT mean_ms, median_ms, stddev_ms, p90_ms, p95_ms, ci_lower_ms, ci_upper_ms, trimmed_mean_ms, n, min_ms, max_ms, samples
        FROM calibrations
        WHERE system_key = @system_key AND configuration_key = @configuration_key
        """;

    // ---- PostgreSQL only: the shared work queue of `bench --worker`. Lease times use the server's clock. ----

    /// <summary>Adds the catalog's bricks to the queue of a system and configuration (idempotent; PostgreSQL only).</summary>
    public const string PostgreSqlEnqueue =
        """
        INSERT INTO claims (brick_hash, system_key, configuration_key)
        SELECT h, @system_key, @configuration_key FROM unnest(@hashes) AS h
        ON CONFLICT (brick_hash, system_key, configuration_key) DO NOTHING
        """;

    /// <summary>Marks queued bricks that already have a result (from an earlier, non-queued run) as done (PostgreSQL only).</summary>
    public const string PostgreSqlCompleteMeasured =
        """
        UPDATE claims c SET completed_at = clock_timestamp(), lease_expires_at = NULL
        WHERE c.system_key = @system_key AND c.configuration_key = @configuration_key AND c.completed_at IS NULL
          AND EXISTS (SELECT 1 FROM results r
                      WHERE r.brick_hash = c.brick_hash AND r.system_key = c.system_key AND r.configuration_key = c.configuration_key)
        """;

    /// <summary>
    /// Claims the next brick nobody holds: not done, below the attempt limit, and never leased or leased by a worker whose lease
    /// ran out. The claim gets a fresh token; rows other workers are claiming at this instant are skipped, not waited for
    /// (PostgreSQL only).
    /// </summary>
    public const string PostgreSqlClaimNext =
        """
        UPDATE claims c
        SET worker_id = @worker_id, claim_token = @claim_token,
            lease_expires_at = clock_timestamp() + make_interval(secs => @lease_seconds), attempts = c.attempts + 1
        WHERE (c.brick_hash, c.system_key, c.configuration_key) IN (
            SELECT q.brick_hash, q.system_key, q.configuration_key FROM claims q
            WHERE q.system_key = @system_key AND q.configuration_key = @configuration_key AND q.brick_hash = ANY(@hashes)
              AND q.completed_at IS NULL AND q.attempts < @max_attempts
              AND (q.lease_expires_at IS NULL OR q.lease_expires_at < clock_timestamp())
            ORDER BY q.brick_hash
            LIMIT 1
            FOR UPDATE SKIP LOCKED)
        RETURNING c.brick_hash, c.attempts
        """;

    /// <summary>
    /// Gives up on poisoned bricks: open bricks whose last lease ran out after <c>@max_attempts</c> claims (every worker that took
    /// them stopped without a result: a native crash, a kill or a hang) are marked done and stored as failed with that reason, in
    /// one statement, so they stop taking workers down (PostgreSQL only). Returns the bricks given up.
    /// </summary>
    public const string PostgreSqlGiveUpPoisoned =
        """
        WITH poisoned AS (
            UPDATE claims c SET completed_at = clock_timestamp(), lease_expires_at = NULL, claim_token = NULL
            WHERE c.system_key = @system_key AND c.configuration_key = @configuration_key AND c.brick_hash = ANY(@hashes)
              AND c.completed_at IS NULL AND c.attempts >= @max_attempts
              AND (c.lease_expires_at IS NULL OR c.lease_expires_at < clock_timestamp())
            RETURNING c.brick_hash, c.attempts, c.worker_id)
        INSERT INTO results (brick_hash, system_key, configuration_key, error, measured_at, harness_version)
        SELECT p.brick_hash, @system_key, @configuration_key,
               'gave up after ' || p.attempts || ' attempts: every worker that claimed the brick stopped before storing a result '
               || '(native crash, kill or hang; last worker ' || COALESCE(p.worker_id, '?') || '); measure it alone with '
               || 'dlbricks bench (without --worker) to see the error',
               @measured_at, @harness_version
        FROM poisoned p
        ON CONFLICT (brick_hash, system_key, configuration_key) DO NOTHING
        RETURNING brick_hash
        """;

    /// <summary>Bricks of the catalog not done yet, and seconds until the first running lease ends (PostgreSQL only).</summary>
    public const string PostgreSqlPending =
        """
        SELECT COUNT(*), EXTRACT(EPOCH FROM MIN(lease_expires_at) - clock_timestamp())::DOUBLE PRECISION
        FROM claims
        WHERE system_key = @system_key AND configuration_key = @configuration_key AND brick_hash = ANY(@hashes)
          AND completed_at IS NULL
        """;

    /// <summary>Extends the lease of a claim this worker still holds, found by its token (PostgreSQL only).</summary>
    public const string PostgreSqlRenewLease =
        """
        UPDATE claims SET lease_expires_at = clock_timestamp() + make_interval(secs => @lease_seconds)
        WHERE brick_hash = @brick_hash AND system_key = @system_key AND configuration_key = @configuration_key
          AND claim_token = @claim_token AND completed_at IS NULL
        """;

    /// <summary>
    /// Marks a brick done, in the transaction that stores its result; no row means another worker took the brick over
    /// after this worker's lease ran out, and the result is rolled back so the brick keeps exactly one (PostgreSQL only).
    /// </summary>
    public const string PostgreSqlCompleteClaim =
        """
        UPDATE claims SET completed_at = clock_timestamp(), lease_expires_at = NULL
        WHERE brick_hash = @brick_hash AND system_key = @system_key AND configuration_key = @configuration_key
          AND claim_token = @claim_token AND completed_at IS NULL
        """;

    /// <summary>Gives a brick back unmeasured (cancelled worker) so the next claim takes it at once; the attempt is not counted (PostgreSQL only).</summary>
    public const string PostgreSqlReleaseClaim =
        """
        UPDATE claims SET worker_id = NULL, claim_token = NULL, lease_expires_at = NULL, attempts = attempts - 1
        WHERE brick_hash = @brick_hash AND system_key = @system_key AND configuration_key = @configuration_key
          AND claim_token = @claim_token AND completed_at IS NULL
        """;
}
