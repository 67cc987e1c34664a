using DLBricks.Benchmarking;
using DLBricks.Storage;
using DLBricks.Storage.Sql;
using Microsoft.Data.Sqlite;

namespace DLBricks.Tests.Storage;

public sealed class SqliteResultStoreTests : IDisposable
{
    private static readonly SystemFingerprint System1 = new("Test CPU @ 1 GHz", 2, 4L << 30, "Linux test", ".NET 10.0.0", "1.31.1");
    private static readonly SystemFingerprint System2 = System1 with { CpuModel = "Other CPU" };
    private static readonly RunConfiguration Cpu = BenchmarkJob.Quick.Configuration("cpu", null, 1, 0, "sequential", "all");
    private static readonly RunConfiguration Cuda = BenchmarkJob.Default.Configuration("cuda", 1, 0, 0, "parallel", "basic");
    private static readonly LatencyStatistics Stats = new(1.5, 1.4, 0.1, 1.7, 1.8, 1.45, 1.55, 1.42, 100, 1.2, 2.5);

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "dlbricks-store-tests", Guid.NewGuid().ToString("N"));

    private string DbPath => Path.Combine(_folder, "results.db");

    [Fact]
    public void ResultsRoundTripPerSystemAndConfiguration()
    {
        var measuredAt = new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);
        using (var store = new SqliteResultStore(DbPath))
        {
            foreach (var system in new[] { System1, System2 })
                store.RegisterSystem(system);
            store.RegisterSystem(System1); // idempotent
            store.RegisterConfiguration(Cpu);
            store.RegisterConfiguration(Cuda);
            store.Save(new BrickResult("aaa", System1.Key, Cpu.Key, Stats, null, measuredAt));
            store.Save(new BrickResult("bbb", System1.Key, Cpu.Key, null, "Protobuf parsing failed.", measuredAt));
            store.Save(new BrickResult("aaa", System2.Key, Cuda.Key, Stats with { Mean = 9 }, null, measuredAt));
        }

        using var reopened = new SqliteResultStore(DbPath);
        var results = reopened.GetResults(System1.Key, Cpu.Key);
        Assert.Equal(["aaa", "bbb"], results.Keys.Order());
        Assert.Equal(Stats, results["aaa"].Statistics);
        Assert.True(results["aaa"].Succeeded);
        Assert.Equal(measuredAt, results["aaa"].MeasuredAt);
        Assert.False(results["bbb"].Succeeded);
        Assert.Equal("Protobuf parsing failed.", results["bbb"].Error);
        Assert.Equal(9, reopened.GetResults(System2.Key, Cuda.Key)["aaa"].Statistics!.Mean);
        Assert.True(reopened.HasResult("bbb", System1.Key, Cpu.Key));
        Assert.False(reopened.HasResult("bbb", System2.Key, Cuda.Key));

        var systems = reopened.ListSystems();
        Assert.Equal(2, systems.Count);
        Assert.Contains((System1, Cpu), systems);
        Assert.Contains((System2, Cuda), systems);
    }

    [Fact]
    public void SavingAgainReplacesTheResult()
    {
        using var store = new SqliteResultStore(DbPath);
        store.RegisterSystem(System1);
        store.RegisterConfiguration(Cpu);
        store.Save(new BrickResult("aaa", System1.Key, Cpu.Key, null, "first try failed", DateTimeOffset.UtcNow));
        store.Save(new BrickResult("aaa", System1.Key, Cpu.Key, Stats, null, DateTimeOffset.UtcNow));

        var only = Assert.Single(store.GetResults(System1.Key, Cpu.Key)).Value;
        Assert.True(only.Succeeded);
        Assert.Null(only.Error);
    }

    [Fact]
    public void CalibrationRoundTrips()
    {
        using var store = new SqliteResultStore(DbPath);
        store.RegisterSystem(System1);
        store.RegisterConfiguration(Cpu);
        Assert.Null(store.GetCalibration(System1.Key, Cpu.Key));
        store.SaveCalibration(System1.Key, Cpu.Key, Stats);
        store.SaveCalibration(System1.Key, Cpu.Key, Stats with { Median = 0.003 });
        Assert.Equal(Stats with { Median = 0.003 }, store.GetCalibration(System1.Key, Cpu.Key));
    }

    [Fact]
    public void NewDatabaseIsAtTheCurrentSchemaVersion()
    {
        using var store = new SqliteResultStore(DbPath);
        Assert.Equal(ResultStoreSql.CurrentSchemaVersion, store.SchemaVersion);
    }

    [Fact]
    public void VersionOneDatabaseIsMigratedAndKeepsItsResults()
    {
        Directory.CreateDirectory(_folder);
        using (var connection = new SqliteConnection($"Data Source={DbPath};Pooling=False"))
        {
            connection.Open();
            Exec(connection, ResultStoreSql.CreateSchemaVersionTable);
            foreach (var statement in ResultStoreSql.Migrations[0])
                Exec(connection, statement.Sqlite);
            Exec(connection, "INSERT INTO schema_version (version) VALUES (1)");
            Exec(connection, $"INSERT INTO systems VALUES ('{System1.Key}', 'cpu', 2, 1, 'os', 'net', 'ort')");
            Exec(connection, $"INSERT INTO configurations VALUES ('{Cpu.Key}', 'cpu', NULL, 1, 0, 'sequential', 'all', 'quick')");
            Exec(connection, $"INSERT INTO results (brick_hash, system_key, configuration_key, error, measured_at) VALUES ('old', '{System1.Key}', '{Cpu.Key}', 'boom', '2026-01-01T00:00:00.0000000+00:00')");
        }

        using var store = new SqliteResultStore(DbPath);
        Assert.Equal(ResultStoreSql.CurrentSchemaVersion, store.SchemaVersion);
        Assert.Equal("boom", store.GetResults(System1.Key, Cpu.Key)["old"].Error);
        store.SaveCalibration(System1.Key, Cpu.Key, Stats); // the table version 2 added
        Assert.Equal(Stats, store.GetCalibration(System1.Key, Cpu.Key));
    }

    [Fact]
    public void VersionFiveDatabaseMigratesAndItsResultsHaveNoDistribution()
    {
        Directory.CreateDirectory(_folder);
        using (var connection = new SqliteConnection($"Data Source={DbPath};Pooling=False"))
        {
            connection.Open();
            Exec(connection, ResultStoreSql.CreateSchemaVersionTable);
            for (var version = 0; version < 5; version++)
            {
                foreach (var statement in ResultStoreSql.Migrations[version])
                    Exec(connection, statement.Sqlite);
                Exec(connection, $"INSERT INTO schema_version (version) VALUES ({version + 1})");
            }
            Exec(connection, $"INSERT INTO systems (system_key, cpu_model, logical_cores, memory_bytes, operating_system, dotnet_version, onnxruntime_version) VALUES ('{System1.Key}', '{System1.CpuModel}', 2, {4L << 30}, 'Linux test', '.NET 10.0.0', '1.31.1')");
            Exec(connection, $"INSERT INTO configurations VALUES ('{Cpu.Key}', 'cpu', NULL, 1, 0, 'sequential', 'all', 'quick', '{Cpu.Measurement}')");
            Exec(connection, $"INSERT INTO results (brick_hash, system_key, configuration_key, median_ms, n, measured_at) VALUES ('old', '{System1.Key}', '{Cpu.Key}', 1.25, 100, '2026-11-01T00:00:00.0000000+00:00')");
        }

        using var store = new SqliteResultStore(DbPath);
        Assert.Equal(6, store.SchemaVersion);
        var old = store.GetResults(System1.Key, Cpu.Key)["old"].Statistics!;
        Assert.Equal(1.25, old.Median);
        Assert.Null(old.Distribution);

        // New rows keep their samples, results and calibrations alike, and an export carries them to another store.
        var sampled = Stats with { Distribution = LatencyDistribution.FromSamples([1.3, 1.2, 1.4, 2.9, 1.25]) };
        store.Save(new BrickResult("new", System1.Key, Cpu.Key, sampled, null, DateTimeOffset.UtcNow));
        store.SaveCalibration(System1.Key, Cpu.Key, sampled);
        Assert.Equal(sampled, store.GetResults(System1.Key, Cpu.Key)["new"].Statistics);
        Assert.Equal(sampled.Distribution, store.GetCalibration(System1.Key, Cpu.Key)!.Distribution);

        var archivePath = Path.Combine(_folder, "results.json");
        store.Export().Save(archivePath);
        using var other = new SqliteResultStore(Path.Combine(_folder, "other.db"));
        other.Import(ResultsArchive.Load(archivePath));
        Assert.Equal(sampled.Distribution, other.GetResults(System1.Key, Cpu.Key)["new"].Statistics!.Distribution);
        Assert.Null(other.GetResults(System1.Key, Cpu.Key)["old"].Statistics!.Distribution);
    }

    [Fact]
    public void NewerSchemaIsRefusedWithTheFileName()
    {
        Directory.CreateDirectory(_folder);
        using (var connection = new SqliteConnection($"Data Source={DbPath};Pooling=False"))
        {
            connection.Open();
            Exec(connection, ResultStoreSql.CreateSchemaVersionTable);
            Exec(connection, "INSERT INTO schema_version (version) VALUES (99)");
        }
        var error = Assert.Throws<InvalidDataException>(() => new SqliteResultStore(DbPath));
        Assert.Contains(DbPath, error.Message);
        Assert.Contains("99", error.Message);
    }

    [Fact]
    public void GarbageFileIsRefusedWithTheFileName()
    {
        Directory.CreateDirectory(_folder);
        File.WriteAllText(DbPath, new string('x', 4096));
        var error = Assert.Throws<InvalidDataException>(() => new SqliteResultStore(DbPath));
        Assert.Contains(DbPath, error.Message);
    }

    public void Dispose()
    {
        if (Directory.Exists(_folder))
            Directory.Delete(_folder, recursive: true);
    }

    private static void Exec(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
