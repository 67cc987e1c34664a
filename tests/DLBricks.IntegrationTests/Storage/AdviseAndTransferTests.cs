using System.Text.Json;
using DLBricks.Benchmarking;
using DLBricks.Storage;
using DLBricks.Storage.Postgres;
using DLBricks.Tests.Cli;

namespace DLBricks.Tests.Storage;

/// <summary><c>dlbricks advise</c> and <c>dlbricks results export/import</c> against PostgreSQL and SQLite, as real processes.</summary>
[Collection(PostgresCollection.Name)]
public sealed class AdviseAndTransferTests(PostgresServer server) : IDisposable
{
    private static readonly RunConfiguration Cpu = BenchmarkJob.Quick.Configuration("cpu", null, 1, 1, "sequential", "all");
    private static readonly RunConfiguration CpuParallel = Cpu with { ExecutionMode = "parallel", IntraOpThreads = 4 };
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "dlbricks-advise-tests", Guid.NewGuid().ToString("N"));

    [Fact]
    public void AdviseRanksSystemsFastestFirstWithCoverage()
    {
        var model = TestPaths.LightModel("squeezenet");
        var recipe = SplitRunner.SplitInMemory(model, new SplitOptions { Granularity = 1 }).ToRecipe(LayerSourceInfo.Raw);
        var unique = recipe.Occurrences.Select(o => o.Hash).Distinct().ToList();
        var fast = System("Fast CPU", 16);
        var slow = System("Slow CPU", 2);
        var partial = System("Partial CPU", 4);
        var database = server.CreateDatabase();
        using (var store = PostgresResultStore.Open(database))
        {
            // Slow: every brick 1 ms. Fast: every brick 0.25 ms, except one stored as a failure first and then measured.
            Fill(store, slow, Cpu, unique, _ => 1.0);
            Fill(store, fast, Cpu, unique, _ => 0.25);
            // Partial: very fast but only half the bricks measured, and one of those failed: it must rank after the complete ones.
            Fill(store, partial, Cpu, unique.Take(unique.Count / 2).ToList(), _ => 0.01);
            store.Save(new BrickResult(unique[0], partial.Key, Cpu.Key, null, "failed to load", DateTimeOffset.UtcNow));
            // Slow machine under another configuration: 0.5 ms.
            Fill(store, slow, CpuParallel, unique, _ => 0.5);
        }

        var json = Path.Combine(_folder, "advice.json");
        var run = CliProcess.Run("advise", model, "--store", database, "--json", json);
        Assert.True(run.ExitCode == 0, $"{run.StdOut}\n{run.StdErr}");
        Assert.Contains("Fast CPU", run.StdOut);

        using var document = JsonDocument.Parse(File.ReadAllText(json));
        var ranking = document.RootElement.GetProperty("ranking").EnumerateArray().ToList();
        Assert.Equal(4, ranking.Count);
        string CpuOf(int i) => ranking[i].GetProperty("system").GetProperty("cpu_model").GetString()!;
        double Estimate(int i) => ranking[i].GetProperty("estimate_ms").GetDouble();
        Assert.Equal(["Fast CPU", "Slow CPU", "Slow CPU", "Partial CPU"], Enumerable.Range(0, 4).Select(CpuOf));
        Assert.Equal(recipe.Occurrences.Count * 0.25, Estimate(0), 6);
        Assert.Equal(recipe.Occurrences.Count * 0.5, Estimate(1), 6);
        Assert.Equal("parallel", ranking[1].GetProperty("configuration").GetProperty("execution_mode").GetString());
        Assert.Equal(recipe.Occurrences.Count * 1.0, Estimate(2), 6);
        Assert.Equal(unique.Count, ranking[0].GetProperty("measured_bricks").GetInt32());
        Assert.Equal(unique.Count / 2 - 1, ranking[3].GetProperty("measured_bricks").GetInt32());
        Assert.False(ranking[3].GetProperty("is_complete").GetBoolean());
        Assert.Contains(unique[0], ranking[3].GetProperty("missing_bricks").EnumerateArray().Select(e => e.GetString()));

        // The same store content in a SQLite file gives the same ranking through --db.
        var file = Path.Combine(_folder, "copy.db");
        var archive = Path.Combine(_folder, "all.json");
        Assert.Equal(0, CliProcess.Run("results", "export", "--store", database, "--out", archive).ExitCode);
        Assert.Equal(0, CliProcess.Run("results", "import", archive, "--db", file).ExitCode);
        using var sqlite = new SqliteResultStore(file);
        var advice = Advisor.Advise(recipe, sqlite);
        Assert.Equal(["Fast CPU", "Slow CPU", "Slow CPU", "Partial CPU"], advice.Ranking.Select(a => a.System.CpuModel));
    }

    [Fact]
    public void ExportFromSqliteImportIntoPostgresTwiceCopiesEveryRowOnce()
    {
        var file = Path.Combine(_folder, "laptop.db");
        var a = System("Laptop CPU", 8);
        var b = System("Desktop CPU", 12);
        using (var sqlite = new SqliteResultStore(file))
        {
            Fill(sqlite, a, Cpu, ["h1", "h2", "h3"], i => 0.1 * (i + 1));
            Fill(sqlite, b, CpuParallel, ["h1", "h4"], i => 0.2 * (i + 1));
            sqlite.Save(new BrickResult("broken", a.Key, Cpu.Key, null, "Protobuf parsing failed.", DateTimeOffset.UtcNow));
            sqlite.Save(new BrickResult("nan", b.Key, CpuParallel.Key, Stats(1) with { StdDev = double.NaN }, null, DateTimeOffset.UtcNow));
            sqlite.SaveCalibration(a.Key, Cpu.Key, Stats(0.001));
            sqlite.SaveCalibration(b.Key, CpuParallel.Key, Stats(0.002));
            sqlite.RegisterSystem(System("Idle CPU", 1)); // a system without results travels too
        }
        var archive = Path.Combine(_folder, "laptop.json");
        var export = CliProcess.Run("results", "export", "--db", file, "--out", archive);
        Assert.True(export.ExitCode == 0, export.StdErr);

        var database = server.CreateDatabase();
        var first = CliProcess.Run("results", "import", archive, "--store", database);
        Assert.True(first.ExitCode == 0, first.StdErr);
        Assert.Contains("3 systems, 2 configurations, 7 results, 2 calibrations", first.StdOut);
        var second = CliProcess.Run("results", "import", archive, "--store", database);
        Assert.True(second.ExitCode == 0, second.StdErr);
        Assert.Contains("0 systems, 0 configurations, 0 results, 0 calibrations", second.StdOut);

        foreach (var table in new[] { "systems", "configurations", "results", "calibrations" })
            Assert.Equal(SqliteCount(file, table), PostgresServer.Scalar(database, $"SELECT COUNT(*) FROM {table}"));

        using var source = new SqliteResultStore(file);
        using var copy = PostgresResultStore.Open(database);
        foreach (var (system, configuration) in source.ListSystems())
        {
            Assert.Equal(source.GetResults(system.Key, configuration.Key).Values.OrderBy(r => r.BrickHash),
                copy.GetResults(system.Key, configuration.Key).Values.OrderBy(r => r.BrickHash));
            Assert.Equal(source.GetCalibration(system.Key, configuration.Key), copy.GetCalibration(system.Key, configuration.Key));
        }
        Assert.DoesNotContain("Password", first.StdOut + first.StdErr, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void ImportOfABrokenFileFailsWithOneLineAndWritesNothing()
    {
        Directory.CreateDirectory(_folder);
        var archive = Path.Combine(_folder, "broken.json");
        File.WriteAllText(archive, """{"format_version":1,"exported_at":"2026-11-23T00:00:00Z","systems":[],"configurations":[],"results":[{"brick_hash":"x","system_key":"nope","configuration_key":"nope","measured_at":"2026-11-23T00:00:00Z"}],"calibrations":[]}""");
        var file = Path.Combine(_folder, "target.db");
        var run = CliProcess.Run("results", "import", archive, "--db", file);
        Assert.Equal(2, run.ExitCode);
        var line = Assert.Single(run.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(archive, line);
        Assert.Contains("nope", line);
    }

    public void Dispose()
    {
        if (Directory.Exists(_folder))
            Directory.Delete(_folder, recursive: true);
    }

    private static SystemFingerprint System(string cpu, int cores) => new(cpu, cores, 16L << 30, "Linux test", ".NET 10.0.0", "1.31.1");

    private static LatencyStatistics Stats(double median)
        => new(median * 1.01, median, median / 20, median * 1.1, median * 1.2, median * 0.99, median * 1.02, median, 100, median * 0.9, median * 1.5);

    private static void Fill(IResultStore store, SystemFingerprint system, RunConfiguration configuration, IReadOnlyList<string> hashes, Func<int, double> median)
    {
        store.RegisterSystem(system);
        store.RegisterConfiguration(configuration);
        for (var i = 0; i < hashes.Count; i++)
            store.Save(new BrickResult(hashes[i], system.Key, configuration.Key, Stats(median(i)), null, new DateTimeOffset(2026, 11, 23, 10, 0, i, TimeSpan.Zero)));
    }

    private static long SqliteCount(string file, string table)
    {
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={file};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT COUNT(*) FROM {table}";
        return (long)command.ExecuteScalar()!;
    }
}
