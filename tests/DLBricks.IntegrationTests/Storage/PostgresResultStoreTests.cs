using DLBricks.Benchmarking;
using DLBricks.Storage;
using DLBricks.Storage.Postgres;
using DLBricks.Storage.Sql;
using Npgsql;

namespace DLBricks.Tests.Storage;

[Collection(PostgresCollection.Name)]
public sealed class PostgresResultStoreTests(PostgresServer server)
{
    private static readonly SystemFingerprint System1 = new("Test CPU @ 1 GHz", 2, 4L << 30, "Linux test", ".NET 10.0.0", "1.31.1");
    private static readonly SystemFingerprint System2 = System1 with { CpuModel = "Other CPU" };
    private static readonly RunConfiguration Cpu = BenchmarkJob.Quick.Configuration("cpu", null, 1, 0, "sequential", "all");
    private static readonly RunConfiguration Cuda = BenchmarkJob.Default.Configuration("cuda", 1, 0, 0, "parallel", "basic");
    private static readonly LatencyStatistics Stats = new(1.5, 1.4, 0.1, 1.7, 1.8, 1.45, 1.55, 1.42, 100, 1.2, 2.5);
    private static readonly LatencyStatistics Sampled = Stats with { Distribution = LatencyDistribution.FromSamples([1.4, 1.2, 1.5, 2.5, 1.45]) };

    [Fact]
    public void ResultsAndCalibrationsRoundTripLikeSqlite()
    {
        var database = server.CreateDatabase();
        var measuredAt = new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);
        using (var store = PostgresResultStore.Open(database))
        {
            Assert.Equal(ResultStoreSql.CurrentSchemaVersion, store.SchemaVersion);
            store.RegisterSystem(System1);
            store.RegisterSystem(System2);
            store.RegisterSystem(System1); // idempotent
            store.RegisterConfiguration(Cpu);
            store.RegisterConfiguration(Cuda);
            store.Save(new BrickResult("aaa", System1.Key, Cpu.Key, Sampled, null, measuredAt));
            store.Save(new BrickResult("bbb", System1.Key, Cpu.Key, null, "Protobuf parsing failed.", measuredAt));
            store.Save(new BrickResult("aaa", System2.Key, Cuda.Key, Stats with { Mean = double.NaN }, null, measuredAt));
            store.Save(new BrickResult("bbb", System1.Key, Cpu.Key, Stats, null, measuredAt)); // replaces the failure
            store.SaveCalibration(System1.Key, Cpu.Key, Sampled with { Median = 0.003 });
        }

        using var reopened = PostgresResultStore.Open(database);
        var results = reopened.GetResults(System1.Key, Cpu.Key);
        Assert.Equal(["aaa", "bbb"], results.Keys.Order());
        Assert.Equal(Sampled, results["aaa"].Statistics);
        Assert.Null(results["bbb"].Statistics!.Distribution);
        Assert.Equal(measuredAt, results["aaa"].MeasuredAt);
        Assert.True(results["bbb"].Succeeded);
        Assert.True(double.IsNaN(reopened.GetResults(System2.Key, Cuda.Key)["aaa"].Statistics!.Mean));
        Assert.True(reopened.HasResult("bbb", System1.Key, Cpu.Key));
        Assert.False(reopened.HasResult("bbb", System2.Key, Cuda.Key));
        Assert.Equal(Sampled with { Median = 0.003 }, reopened.GetCalibration(System1.Key, Cpu.Key));
        Assert.Null(reopened.GetCalibration(System2.Key, Cuda.Key));
        var systems = reopened.ListSystems();
        Assert.Equal(2, systems.Count);
        Assert.Contains((System1, Cpu), systems);
        Assert.Contains((System2, Cuda), systems);
    }

    [Fact]
    public void WorkersOpeningAFreshDatabaseTogetherMigrateItOnce()
    {
        var database = server.CreateDatabase();
        Parallel.For(0, 6, new ParallelOptions { MaxDegreeOfParallelism = 6 }, _ =>
        {
            using var store = PostgresResultStore.Open(database);
            Assert.Equal(ResultStoreSql.CurrentSchemaVersion, store.SchemaVersion);
        });
        Assert.Equal(ResultStoreSql.CurrentSchemaVersion, PostgresServer.Scalar(database, "SELECT COUNT(*) FROM schema_version"));
    }

    [Fact]
    public void NewerSchemaIsRefusedWithTheAddressButNotThePassword()
    {
        var database = server.CreateDatabase();
        using (PostgresResultStore.Open(database)) { }
        PostgresServer.Scalar(database, "INSERT INTO schema_version (version) VALUES (99) RETURNING version");
        var error = Assert.Throws<InvalidDataException>(() => PostgresResultStore.Open(database));
        Assert.Contains("99", error.Message);
        Assert.Contains("postgresql://", error.Message);
        AssertNoPassword(database, error.Message);
    }

    [Fact]
    public void WrongPasswordFailsWithoutPrintingIt()
    {
        var builder = new NpgsqlConnectionStringBuilder(server.CreateDatabase()) { Password = "not-the-Secret-4711" };
        var url = $"postgresql://{builder.Username}:{builder.Password}@{builder.Host}:{builder.Port}/{builder.Database}";
        foreach (var address in new[] { builder.ConnectionString, url })
        {
            var error = Assert.Throws<ResultStoreUnavailableException>(() => PostgresResultStore.Open(address));
            Assert.DoesNotContain("not-the-Secret-4711", error.Message);
            Assert.Contains($"{builder.Host}:{builder.Port}/{builder.Database}", error.Message);
        }
    }

    [Fact]
    public void PasswordComesFromPgpasswordWhenTheUrlHasNone()
    {
        var builder = new NpgsqlConnectionStringBuilder(server.CreateDatabase());
        var url = $"postgresql://{builder.Username}@{builder.Host}:{builder.Port}/{builder.Database}";
        var saved = Environment.GetEnvironmentVariable("PGPASSWORD");
        try
        {
            Environment.SetEnvironmentVariable("PGPASSWORD", builder.Password);
            using var store = PostgresResultStore.Open(url);
            Assert.Equal(url, store.Location);
        }
        finally
        {
            Environment.SetEnvironmentVariable("PGPASSWORD", saved);
        }
    }

    [Fact]
    public void QueueHandsEachWorkerADifferentBrickAndTakesUpADeadWorkersBrickAfterItsLease()
    {
        var database = server.CreateDatabase();
        using var store1 = PostgresResultStore.Open(database);
        using var store2 = PostgresResultStore.Open(database);
        store1.RegisterSystem(System1);
        store1.RegisterConfiguration(Cpu);
        string[] hashes = ["h1", "h2", "h3"];
        var lease = TimeSpan.FromSeconds(1.5);
        var dead = store1.OpenQueue(System1.Key, Cpu.Key, "dead", lease);
        using var alive = store2.OpenQueue(System1.Key, Cpu.Key, "alive", lease);
        dead.Enqueue(hashes);
        alive.Enqueue(hashes);

        var lost = dead.ClaimNext();
        Assert.Equal(("h1", 1), (lost.Hash, lost.Attempt));
        dead.Dispose(); // the worker dies holding h1: its heartbeat stops

        var measuredBy = new Dictionary<string, int>();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var claim = alive.ClaimNext();
            if (claim.IsDrained)
                break;
            if (claim.Hash is null)
            {
                Thread.Sleep(claim.RetryAfter!.Value);
                continue;
            }
            if (claim.Hash == "h1")
                Assert.True(clock.Elapsed >= lease * 0.9, $"h1 was taken after {clock.Elapsed}, before its lease of {lease} ran out");
            measuredBy[claim.Hash] = claim.Attempt;
            Assert.True(alive.Complete(new BrickResult(claim.Hash, System1.Key, Cpu.Key, Stats, null, DateTimeOffset.UtcNow)));
        }
        Assert.Equal(hashes, measuredBy.Keys.Order());
        Assert.Equal(2, measuredBy["h1"]);
        Assert.Equal(3, store1.GetResults(System1.Key, Cpu.Key).Count);

        // The dead worker's late result is refused: the brick keeps the one result of the worker that took it over.
        using var late = store1.OpenQueue(System1.Key, Cpu.Key, "dead", lease);
        late.Enqueue(hashes);
        Assert.False(late.Complete(new BrickResult("h1", System1.Key, Cpu.Key, Stats with { Median = 99 }, null, DateTimeOffset.UtcNow)));
        Assert.Equal(Stats.Median, store1.GetResults(System1.Key, Cpu.Key)["h1"].Statistics!.Median);
    }

    [Fact]
    public void WorkersOfDifferentSystemsDoNotBlockEachOther()
    {
        var database = server.CreateDatabase();
        using var store1 = PostgresResultStore.Open(database);
        using var store2 = PostgresResultStore.Open(database);
        store1.RegisterSystem(System1);
        store1.RegisterSystem(System2);
        store1.RegisterConfiguration(Cpu);
        var lease = TimeSpan.FromMinutes(1);
        using var first = store1.OpenQueue(System1.Key, Cpu.Key, "a", lease);
        using var second = store2.OpenQueue(System2.Key, Cpu.Key, "b", lease);
        first.Enqueue(["shared"]);
        second.Enqueue(["shared"]);
        // The same brick is claimed on both systems at once: their rows differ, so neither waits for the other.
        Assert.Equal("shared", first.ClaimNext().Hash);
        Assert.Equal("shared", second.ClaimNext().Hash);
        Assert.True(second.Complete(new BrickResult("shared", System2.Key, Cpu.Key, Stats, null, DateTimeOffset.UtcNow)));
        Assert.True(first.Complete(new BrickResult("shared", System1.Key, Cpu.Key, Stats, null, DateTimeOffset.UtcNow)));
        Assert.True(first.ClaimNext().IsDrained);
        Assert.True(second.ClaimNext().IsDrained);
    }

    [Fact]
    public void ProgressRenewsTheLeaseAndAHungWorkerLosesItToATokenItCannotReuse()
    {
        var database = server.CreateDatabase();
        using var store1 = PostgresResultStore.Open(database);
        using var store2 = PostgresResultStore.Open(database);
        using var store3 = PostgresResultStore.Open(database);
        store1.RegisterSystem(System1);
        store1.RegisterConfiguration(Cpu);
        var lease = TimeSpan.FromSeconds(2);
        using var slow = store1.OpenQueue(System1.Key, Cpu.Key, "slow", lease);
        using var other = store2.OpenQueue(System1.Key, Cpu.Key, "other", lease);
        slow.Enqueue(["only"]);
        other.Enqueue(["only"]);
        Assert.Equal("only", slow.ClaimNext().Hash);

        // While it makes progress, the worker keeps its brick well past the first lease.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (clock.Elapsed < lease * 2.5)
        {
            Assert.True(slow.Renew("only"));
            Thread.Sleep(lease / 4);
        }
        var waiting = other.ClaimNext();
        Assert.Null(waiting.Hash);
        Assert.NotNull(waiting.RetryAfter);

        // Then it hangs: nothing renews its lease (no timer does it behind its back), and the brick goes to the other worker.
        Thread.Sleep(lease * 1.2);
        var takeover = other.ClaimNext();
        Assert.Equal(("only", 2), (takeover.Hash, takeover.Attempt));
        Assert.False(slow.Renew("only"));
        Assert.False(slow.Complete(new BrickResult("only", System1.Key, Cpu.Key, Stats with { Median = 99 }, null, DateTimeOffset.UtcNow)));
        // Claims are matched by token, not worker name: a new queue under the old name cannot finish the other's claim either.
        using var sameName = store3.OpenQueue(System1.Key, Cpu.Key, "other", lease);
        sameName.Enqueue(["only"]);
        Assert.False(sameName.Complete(new BrickResult("only", System1.Key, Cpu.Key, Stats with { Median = 98 }, null, DateTimeOffset.UtcNow)));
        Assert.True(other.Complete(new BrickResult("only", System1.Key, Cpu.Key, Stats, null, DateTimeOffset.UtcNow)));
        Assert.Equal(Stats.Median, store1.GetResults(System1.Key, Cpu.Key)["only"].Statistics!.Median);
        Assert.True(other.ClaimNext().IsDrained);
    }

    [Fact]
    public void Version3DatabaseMigratesInPlace()
    {
        var database = server.CreateDatabase();
        var legacy = new RunConfiguration("cpu", null, 1, 0, "sequential", "all", "quick", "");
        foreach (var sql in new[]
                 {
                     "CREATE TABLE schema_version (version INTEGER NOT NULL)",
                     "CREATE TABLE systems (system_key TEXT PRIMARY KEY, cpu_model TEXT NOT NULL, logical_cores INTEGER NOT NULL, memory_bytes BIGINT NOT NULL, operating_system TEXT NOT NULL, dotnet_version TEXT NOT NULL, onnxruntime_version TEXT NOT NULL)",
                     "CREATE TABLE configurations (configuration_key TEXT PRIMARY KEY, execution_provider TEXT NOT NULL, device_id INTEGER NULL, intra_op_threads INTEGER NOT NULL, inter_op_threads INTEGER NOT NULL, execution_mode TEXT NOT NULL, optimization_level TEXT NOT NULL, job TEXT NOT NULL)",
                     "CREATE TABLE results (brick_hash TEXT NOT NULL, system_key TEXT NOT NULL REFERENCES systems (system_key), configuration_key TEXT NOT NULL REFERENCES configurations (configuration_key), mean_ms DOUBLE PRECISION NULL, median_ms DOUBLE PRECISION NULL, stddev_ms DOUBLE PRECISION NULL, p90_ms DOUBLE PRECISION NULL, p95_ms DOUBLE PRECISION NULL, ci_lower_ms DOUBLE PRECISION NULL, ci_upper_ms DOUBLE PRECISION NULL, trimmed_mean_ms DOUBLE PRECISION NULL, n INTEGER NULL, min_ms DOUBLE PRECISION NULL, max_ms DOUBLE PRECISION NULL, error TEXT NULL, measured_at TEXT NOT NULL, PRIMARY KEY (brick_hash, system_key, configuration_key))",
                     "CREATE TABLE calibrations (system_key TEXT NOT NULL REFERENCES systems (system_key), configuration_key TEXT NOT NULL REFERENCES configurations (configuration_key), mean_ms DOUBLE PRECISION NULL, median_ms DOUBLE PRECISION NULL, stddev_ms DOUBLE PRECISION NULL, p90_ms DOUBLE PRECISION NULL, p95_ms DOUBLE PRECISION NULL, ci_lower_ms DOUBLE PRECISION NULL, ci_upper_ms DOUBLE PRECISION NULL, trimmed_mean_ms DOUBLE PRECISION NULL, n INTEGER NOT NULL, min_ms DOUBLE PRECISION NULL, max_ms DOUBLE PRECISION NULL, measured_at TEXT NOT NULL, PRIMARY KEY (system_key, configuration_key))",
                     "CREATE TABLE claims (brick_hash TEXT NOT NULL, system_key TEXT NOT NULL REFERENCES systems (system_key), configuration_key TEXT NOT NULL REFERENCES configurations (configuration_key), worker_id TEXT NULL, lease_expires_at TIMESTAMP WITH TIME ZONE NULL, attempts INTEGER NOT NULL DEFAULT 0, completed_at TIMESTAMP WITH TIME ZONE NULL, PRIMARY KEY (brick_hash, system_key, configuration_key))",
                     "CREATE INDEX claims_open ON claims (system_key, configuration_key, brick_hash) WHERE completed_at IS NULL",
                     "INSERT INTO schema_version (version) VALUES (1), (2), (3)",
                     $"INSERT INTO systems VALUES ('{System1.Key}', 'Test CPU @ 1 GHz', 2, {4L << 30}, 'Linux test', '.NET 10.0.0', '1.31.1')",
                     $"INSERT INTO configurations VALUES ('{legacy.Key}', 'cpu', NULL, 1, 0, 'sequential', 'all', 'quick')",
                     $"INSERT INTO results (brick_hash, system_key, configuration_key, median_ms, n, measured_at) VALUES ('aaaa', '{System1.Key}', '{legacy.Key}', 1.25, 5, '2026-11-01T00:00:00.0000000+00:00')",
                     $"INSERT INTO claims (brick_hash, system_key, configuration_key, worker_id, attempts) VALUES ('bbbb', '{System1.Key}', '{legacy.Key}', 'w1', 1)",
                 })
            PostgresServer.Execute(database, sql); // keys are hex digests made here, not input

        using var store = PostgresResultStore.Open(database);
        Assert.Equal(ResultStoreSql.CurrentSchemaVersion, store.SchemaVersion);
        var (system, configuration) = Assert.Single(store.ListSystems());
        Assert.Equal(System1, system);
        Assert.True(configuration.IsLegacy);
        Assert.Equal(legacy.Key, configuration.Key);
        Assert.Equal(1.25, store.GetResults(System1.Key, legacy.Key)["aaaa"].Statistics!.Median);
        Assert.Null(store.GetResults(System1.Key, legacy.Key)["aaaa"].Statistics!.Distribution);
        Assert.False(store.HasResult("aaaa", System1.Key, Cpu.Key));
        Assert.Equal(1, PostgresServer.Scalar(database, "SELECT COUNT(*) FROM claims WHERE claim_token IS NULL"));
    }

    private static void AssertNoPassword(string connectionString, string message)
    {
        var password = new NpgsqlConnectionStringBuilder(connectionString).Password;
        if (!string.IsNullOrEmpty(password))
            Assert.DoesNotContain(password, message);
    }
}

public sealed class PostgresAddressTests
{
    [Theory]
    [InlineData("postgresql://bench:s3cr%40t@db.example:6543/results?sslmode=require", "postgresql://bench@db.example:6543/results")]
    [InlineData("postgres://bench@db.example/results", "postgresql://bench@db.example/results")]
    [InlineData("Host=db.example;Port=6543;Username=bench;Password=s3cr@t;Database=results", "postgresql://bench@db.example:6543/results")]
    public void AddressesParseAndDisplayWithoutThePassword(string text, string display)
    {
        Assert.True(PostgresAddress.Looks(text));
        var address = PostgresAddress.Parse(text);
        Assert.Equal(display, address.Display);
        Assert.DoesNotContain("s3cr", address.Display);
        if (text.Contains("s3cr", StringComparison.Ordinal))
        {
            var builder = new NpgsqlConnectionStringBuilder(address.ConnectionString);
            Assert.Equal("s3cr@t", builder.Password);
            Assert.Equal("connect failed: *** rejected; URL postgresql://bench:***@h; Password=***",
                address.Redact("connect failed: s3cr@t rejected; URL postgresql://bench:s3cr%40t@h; Password=s3cr@t"));
        }
    }

    [Fact]
    public void FilePathsAreNotAddresses()
    {
        Assert.False(PostgresAddress.Looks("results/dlbricks.db"));
        Assert.False(PostgresAddress.Looks("/tmp/x.db"));
    }

    [Fact]
    public void BadUrlParameterIsRefusedWithoutThePassword()
    {
        var error = Assert.Throws<ArgumentException>(() => PostgresAddress.Parse("postgresql://u:hunter2@h/db?frobnicate=1"));
        Assert.Contains("frobnicate", error.Message);
        Assert.DoesNotContain("hunter2", error.Message);
    }
}
