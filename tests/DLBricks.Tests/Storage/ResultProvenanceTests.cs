using DLBricks.Benchmarking;
using DLBricks.Shared;
using DLBricks.Storage;
using DLBricks.Storage.Sql;
using DLBricks.Tests.Benchmarking;
using Microsoft.Data.Sqlite;

namespace DLBricks.Tests.Storage;

/// <summary>
/// Results are keyed by everything that changes a timing: a new harness version or changed job parameters measure again
/// without --force, bricks are stored under the level they really ran with, a version-3 database migrates in place, and two
/// benches on one SQLite file never measure the same bricks at once.
/// </summary>
public sealed class ResultProvenanceTests : IDisposable
{
    private readonly BrickFolderBuilder _bricks = new();
    private string DbPath => Path.Combine(_bricks.Folder, "results.db");

    private static RunConfiguration Cpu(BenchmarkJob job) => job.Configuration("cpu", null, 1, 1, "sequential", "all");

    [Fact]
    public void UpgradedHarnessOrChangedJobMeasuresAgainInsteadOfReusing()
    {
        _bricks.AddRelu(16);
        _bricks.AddGather([3, 1]);
        var folder = _bricks.WriteCatalog();
        using var store = new SqliteResultStore(DbPath);

        var older = BenchmarkJob.Quick with { HarnessVersion = MeasurementHarness.Version - 1 };
        var first = new BrickBenchmarkRunner(store, Cpu(older), older).Run(folder);
        Assert.Equal(2, first.Measured);

        // Same job name, same session options, newer harness: nothing of the older run is reused.
        var current = BenchmarkJob.Quick;
        var upgraded = new BrickBenchmarkRunner(store, Cpu(current), current).Run(folder);
        Assert.Equal(2, upgraded.Measured);
        Assert.Equal(0, upgraded.Skipped);
        Assert.NotEqual(Cpu(older).Key, Cpu(current).Key);
        var system = upgraded.System.Key;
        Assert.All(store.GetResults(system, Cpu(current).Key).Values, r => Assert.Equal(MeasurementHarness.Version, r.HarnessVersion));
        Assert.All(store.GetResults(system, Cpu(older).Key).Values, r => Assert.Equal(MeasurementHarness.Version - 1, r.HarnessVersion));

        // Rotation is a job parameter: changing it under the same name is a different configuration too.
        var rotated = current with { RotationBytes = 1 << 20 };
        Assert.Equal(current.Name, rotated.Name);
        Assert.Equal(2, new BrickBenchmarkRunner(store, Cpu(rotated), rotated).Run(folder).Measured);

        // And an unchanged harness and job reuses everything.
        var again = new BrickBenchmarkRunner(store, Cpu(current), current).Run(folder);
        Assert.Equal(0, again.Measured);
        Assert.Equal(2, again.Skipped);

        // The stored configuration says how the bricks were measured.
        var stored = store.ListSystems().Single(p => p.Configuration.Key == Cpu(current).Key).Configuration;
        Assert.Equal(current.Provenance, stored.Measurement);
        Assert.Contains($"harness={MeasurementHarness.Version};", stored.Measurement);
    }

    [Fact]
    public void ConfigurationWhoseMeasurementDoesNotMatchTheJobIsRefused()
    {
        using var store = new SqliteResultStore(DbPath);
        var error = Assert.Throws<ArgumentException>(() => new BrickBenchmarkRunner(store, Cpu(BenchmarkJob.Default), BenchmarkJob.Quick));
        Assert.Contains("BenchmarkJob.Configuration", error.Message);
    }

    [Fact]
    public void BricksOfAnOptimizedSourceAreStoredUnderTheLevelTheyRanWith()
    {
        _bricks.AddRelu(8);
        var folder = _bricks.WriteCatalog(new LayerSourceInfo("optimized", "all"));
        using var store = new SqliteResultStore(DbPath);
        var asked = Cpu(BenchmarkJob.Quick);
        var summary = new BrickBenchmarkRunner(store, asked, BenchmarkJob.Quick).Run(folder);

        Assert.Equal(1, summary.Measured);
        Assert.Equal("disabled", summary.Configuration.OptimizationLevel);
        Assert.Equal(asked with { OptimizationLevel = "disabled" }, summary.Configuration);
        Assert.Empty(store.GetResults(summary.System.Key, asked.Key));
        Assert.Single(store.GetResults(summary.System.Key, summary.Configuration.Key));
        Assert.NotNull(store.GetCalibration(summary.System.Key, summary.Configuration.Key));
    }

    [Fact]
    public async Task SecondBenchOnTheSameFileIsRefusedWhileTheFirstRunsAndFindsEverythingMeasuredAfter()
    {
        _bricks.AddRelu(16);
        _bricks.AddConvRelu();
        var folder = _bricks.WriteCatalog();
        var configuration = Cpu(BenchmarkJob.Quick);
        using var gate = new HoldFirstBrick();

        var first = Task.Run(() =>
        {
            using var store = new SqliteResultStore(DbPath);
            return new BrickBenchmarkRunner(store, configuration, BenchmarkJob.Quick) { Faults = gate }.Run(folder);
        });
        Assert.True(gate.Reached.Wait(TimeSpan.FromMinutes(2)), "the first bench never reached its first brick");

        using (var store = new SqliteResultStore(DbPath))
        {
            var busy = Assert.Throws<ResultStoreBusyException>(() => new BrickBenchmarkRunner(store, configuration, BenchmarkJob.Quick).Run(folder));
            Assert.Contains($"pid={Environment.ProcessId}", busy.Message);
            Assert.Contains($"host={Environment.MachineName}", busy.Message);
            Assert.Contains("started=", busy.Message);
            Assert.Contains(DbPath, busy.Message);
            Assert.Empty(store.GetResults(new BrickBenchmarkRunner(store, configuration, BenchmarkJob.Quick).System.Key, configuration.Key));

            // Another configuration of the same file is not blocked.
            var other = BenchmarkJob.Quick.Configuration("cpu", null, 1, 1, "sequential", "basic");
            Assert.Equal(2, new BrickBenchmarkRunner(store, other, BenchmarkJob.Quick).Run(folder).Measured);
        }

        gate.Release.Set();
        Assert.Equal(2, (await first.WaitAsync(TimeSpan.FromMinutes(2))).Measured);

        using (var store = new SqliteResultStore(DbPath))
        {
            var second = new BrickBenchmarkRunner(store, configuration, BenchmarkJob.Quick).Run(folder);
            Assert.Equal(0, second.Measured);
            Assert.Equal(2, second.Skipped);
        }
    }

    [Fact]
    public void Version3DatabaseMigratesKeepsItsRowsAndNeverReusesThem()
    {
        var system = new SystemFingerprint("Old CPU", 2, 4L << 30, "Linux", ".NET 10", "1.31.1");
        // A configuration as version 3 stored it: no measurement settings, key from the old formula (with the job name).
        var legacy = new RunConfiguration("cpu", null, 1, 1, "sequential", "all", "quick", "");
        CreateVersion3Database(DbPath, system, legacy);

        using var store = new SqliteResultStore(DbPath);
        Assert.Equal(ResultStoreSql.CurrentSchemaVersion, store.SchemaVersion);
        var (listedSystem, listedConfiguration) = Assert.Single(store.ListSystems());
        Assert.Equal(system, listedSystem);
        Assert.True(listedConfiguration.IsLegacy);
        Assert.Equal(legacy.Key, listedConfiguration.Key);
        var old = Assert.Single(store.GetResults(system.Key, legacy.Key).Values);
        Assert.Equal(1.25, old.Statistics!.Median);
        Assert.Null(old.HarnessVersion);

        // Today's quick job under the same session options is a different configuration: the old row is not reused.
        var current = Cpu(BenchmarkJob.Quick);
        Assert.NotEqual(legacy.Key, current.Key);
        Assert.False(store.HasResult("aaaa", system.Key, current.Key));

        // The migrated file takes new results, and exports both generations.
        store.RegisterConfiguration(current);
        store.Save(new BrickResult("aaaa", system.Key, current.Key, old.Statistics, null, DateTimeOffset.UtcNow, MeasurementHarness.Version));
        var archive = store.Export();
        Assert.Equal(2, archive.Configurations.Count);
        Assert.Equal(2, archive.Results.Count);
        Assert.Contains(archive.Results, r => r.HarnessVersion == MeasurementHarness.Version);
    }

    /// <summary>The DDL of schema versions 1-3 as shipped, with one system, configuration, result and claim.</summary>
    private static void CreateVersion3Database(string path, SystemFingerprint system, RunConfiguration configuration)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        connection.Open();
        foreach (var sql in new[]
                 {
                     "CREATE TABLE schema_version (version INTEGER NOT NULL)",
                     "CREATE TABLE systems (system_key TEXT PRIMARY KEY, cpu_model TEXT NOT NULL, logical_cores INTEGER NOT NULL, memory_bytes BIGINT NOT NULL, operating_system TEXT NOT NULL, dotnet_version TEXT NOT NULL, onnxruntime_version TEXT NOT NULL)",
                     "CREATE TABLE configurations (configuration_key TEXT PRIMARY KEY, execution_provider TEXT NOT NULL, device_id INTEGER NULL, intra_op_threads INTEGER NOT NULL, inter_op_threads INTEGER NOT NULL, execution_mode TEXT NOT NULL, optimization_level TEXT NOT NULL, job TEXT NOT NULL)",
                     "CREATE TABLE results (brick_hash TEXT NOT NULL, system_key TEXT NOT NULL REFERENCES systems (system_key), configuration_key TEXT NOT NULL REFERENCES configurations (configuration_key), mean_ms DOUBLE PRECISION NULL, median_ms DOUBLE PRECISION NULL, stddev_ms DOUBLE PRECISION NULL, p90_ms DOUBLE PRECISION NULL, p95_ms DOUBLE PRECISION NULL, ci_lower_ms DOUBLE PRECISION NULL, ci_upper_ms DOUBLE PRECISION NULL, trimmed_mean_ms DOUBLE PRECISION NULL, n INTEGER NULL, min_ms DOUBLE PRECISION NULL, max_ms DOUBLE PRECISION NULL, error TEXT NULL, measured_at TEXT NOT NULL, PRIMARY KEY (brick_hash, system_key, configuration_key))",
                     "CREATE TABLE calibrations (system_key TEXT NOT NULL REFERENCES systems (system_key), configuration_key TEXT NOT NULL REFERENCES configurations (configuration_key), mean_ms DOUBLE PRECISION NULL, median_ms DOUBLE PRECISION NULL, stddev_ms DOUBLE PRECISION NULL, p90_ms DOUBLE PRECISION NULL, p95_ms DOUBLE PRECISION NULL, ci_lower_ms DOUBLE PRECISION NULL, ci_upper_ms DOUBLE PRECISION NULL, trimmed_mean_ms DOUBLE PRECISION NULL, n INTEGER NOT NULL, min_ms DOUBLE PRECISION NULL, max_ms DOUBLE PRECISION NULL, measured_at TEXT NOT NULL, PRIMARY KEY (system_key, configuration_key))",
                     "CREATE TABLE claims (brick_hash TEXT NOT NULL, system_key TEXT NOT NULL REFERENCES systems (system_key), configuration_key TEXT NOT NULL REFERENCES configurations (configuration_key), worker_id TEXT NULL, lease_expires_at TEXT NULL, attempts INTEGER NOT NULL DEFAULT 0, completed_at TEXT NULL, PRIMARY KEY (brick_hash, system_key, configuration_key))",
                     "CREATE INDEX claims_open ON claims (system_key, configuration_key, brick_hash) WHERE completed_at IS NULL",
                     "INSERT INTO schema_version (version) VALUES (1), (2), (3)",
                 })
            Execute(connection, sql);
        Execute(connection, "INSERT INTO systems VALUES ($k, $cpu, 2, $mem, 'Linux', '.NET 10', '1.31.1')",
            ("$k", system.Key), ("$cpu", system.CpuModel), ("$mem", system.MemoryBytes));
        Execute(connection, "INSERT INTO configurations VALUES ($k, 'cpu', NULL, 1, 1, 'sequential', 'all', 'quick')", ("$k", configuration.Key));
        Execute(connection, "INSERT INTO results (brick_hash, system_key, configuration_key, median_ms, n, measured_at) VALUES ('aaaa', $s, $c, 1.25, 5, '2026-11-01T00:00:00.0000000+00:00')",
            ("$s", system.Key), ("$c", configuration.Key));
        Execute(connection, "INSERT INTO claims (brick_hash, system_key, configuration_key, worker_id, attempts) VALUES ('bbbb', $s, $c, 'w1', 1)",
            ("$s", system.Key), ("$c", configuration.Key));
    }

    private static void Execute(SqliteConnection connection, string sql, params (string Name, object Value)[] parameters)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
            command.Parameters.AddWithValue(name, value);
        command.ExecuteNonQuery();
    }

    public void Dispose() => _bricks.Dispose();

    /// <summary>Holds the run at its first brick until released, so a second bench is started while the first surely runs.</summary>
    private sealed class HoldFirstBrick : IBenchFaults, IDisposable
    {
        public ManualResetEventSlim Reached { get; } = new();

        public ManualResetEventSlim Release { get; } = new();

        public void BeforeMeasure(string brickHash)
        {
            if (Reached.IsSet) return;
            Reached.Set();
            Release.Wait(TimeSpan.FromMinutes(2));
        }

        public void BeforeStore(string brickHash)
        {
        }

        public void Dispose()
        {
            Release.Set();
            Reached.Dispose();
            Release.Dispose();
        }
    }
}
