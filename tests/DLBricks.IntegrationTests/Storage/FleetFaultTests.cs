using System.Collections.Concurrent;
using DLBricks.Benchmarking;
using DLBricks.Shared;
using DLBricks.Storage;
using DLBricks.Storage.Postgres;
using DLBricks.Tests.Benchmarking;
using Npgsql;

namespace DLBricks.Tests.Storage;

/// <summary>
/// Workers of one PostgreSQL queue measuring a real catalog, with faults injected at exact steps of a brick
/// (<see cref="IBenchFaults"/>) instead of process kills raced against the clock: a worker that crashes holding a brick, one that
/// hangs holding it, and a brick that takes down every worker that touches it. Each ends with exactly one result per brick.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class FleetFaultTests(PostgresServer server) : IDisposable
{
    private readonly BrickFolderBuilder _bricks = new();

    [Fact]
    public void WorkersMeasureEveryBrickOnceAndTakeUpTheBrickOfAWorkerThatCrashed()
    {
        var folder = Catalog();
        var database = server.CreateDatabase();
        var lease = TimeSpan.FromSeconds(2);

        // The victim crashes at its first brick, after claiming it and before measuring: its claim stays behind, unrenewed.
        var crash = new Faults { CrashBeforeMeasure = _ => true };
        Assert.Throws<SimulatedCrash>(() => RunWorker(database, folder, "victim", lease, crash));
        var orphan = Assert.Single(crash.Measuring);

        var summaries = new ConcurrentBag<BrickBenchmarkSummary>();
        Parallel.For(0, 3, new ParallelOptions { MaxDegreeOfParallelism = 3 },
            i => summaries.Add(RunWorker(database, folder, $"w{i}", lease, new Faults())));

        var hashes = _bricks.Entries.Select(e => e.Hash).ToList();
        Assert.Equal(hashes.Count, Scalar(database, "SELECT COUNT(*) FROM results WHERE n IS NOT NULL AND error IS NULL"));
        Assert.Equal(hashes.Count, Scalar(database, "SELECT COUNT(*) FROM claims WHERE completed_at IS NOT NULL"));
        // Measured once: the survivors' summaries add up to the catalog (a late duplicate would be counted as skipped).
        Assert.Equal(hashes.Count, summaries.Sum(s => s.Measured));
        var (worker, attempts) = Claim(database, orphan);
        Assert.StartsWith("w", worker);
        Assert.True(attempts >= 2, $"attempts {attempts}");
    }

    [Fact]
    public async Task HungWorkersLeaseIsTakenOverAndItsLateResultIsRefused()
    {
        var folder = Catalog();
        var database = server.CreateDatabase();
        var lease = TimeSpan.FromSeconds(1);

        // The first worker measures its first brick, then hangs before storing it: nothing renews its lease while it hangs.
        using var hang = new Faults { HangBeforeStore = true };
        var hung = Task.Run(() => RunWorker(database, folder, "hung", lease, hang));
        Assert.True(hang.Hanging.Wait(TimeSpan.FromMinutes(2)), "the worker never reached its first store");
        var held = Assert.Single(hang.Measuring);

        var rescuer = RunWorker(database, folder, "rescuer", lease, new Faults());
        Assert.Equal(_bricks.Entries.Count, rescuer.Measured);
        Assert.Equal(("rescuer", 2), Claim(database, held));
        var kept = Scalar(database, $"SELECT COUNT(*) FROM results WHERE brick_hash = '{held}' AND n IS NOT NULL");
        Assert.Equal(1, kept);

        // Woken up, the hung worker finds its claim gone: its result is not stored, and nothing is left for it.
        hang.Wake.Set();
        var late = await hung.WaitAsync(TimeSpan.FromMinutes(2));
        Assert.Equal(0, late.Measured);
        Assert.Equal(_bricks.Entries.Count, Scalar(database, "SELECT COUNT(*) FROM results"));
        Assert.Equal(("rescuer", 2), Claim(database, held));
    }

    [Fact]
    public void PoisonedBrickIsStoredAsFailedAfterItsAttemptsAndStopsTakingWorkersDown()
    {
        var folder = Catalog();
        var database = server.CreateDatabase();
        var lease = TimeSpan.FromSeconds(2);
        var poison = _bricks.Entries.Select(e => e.Hash).Order(StringComparer.Ordinal).First();
        bool Poisoned(string hash) => hash == poison;

        // Like a brick that crashes ONNX Runtime natively: whoever measures it goes down without storing anything.
        Assert.Throws<SimulatedCrash>(() => RunWorker(database, folder, "w1", lease, new Faults { CrashBeforeMeasure = Poisoned }, maxAttempts: 2));
        Assert.Throws<SimulatedCrash>(() => RunWorker(database, folder, "w2", lease, new Faults { CrashBeforeMeasure = Poisoned }, maxAttempts: 2));
        var survivor = new Faults { CrashBeforeMeasure = Poisoned };
        var last = RunWorker(database, folder, "w3", lease, survivor, maxAttempts: 2);

        Assert.Empty(survivor.Measuring); // the third worker was never handed the poisoned brick
        Assert.Empty(last.Failures);
        Assert.Equal(2, Claim(database, poison).Attempts);
        using var store = PostgresResultStore.Open(database);
        var results = store.GetResults(last.System.Key, last.Configuration.Key);
        Assert.Equal(_bricks.Entries.Count, results.Count);
        Assert.False(results[poison].Succeeded);
        Assert.Contains("gave up after 2 attempts", results[poison].Error);
        Assert.Contains("last worker w2", results[poison].Error);
        Assert.All(results.Values.Where(r => r.BrickHash != poison), r => Assert.True(r.Succeeded, r.Error));
        Assert.Equal(0, Scalar(database, "SELECT COUNT(*) FROM claims WHERE completed_at IS NULL"));
    }

    public void Dispose() => _bricks.Dispose();

    private string Catalog()
    {
        _bricks.AddRelu(8);
        _bricks.AddRelu(24);
        _bricks.AddConvRelu();
        _bricks.AddGather([2, 0]);
        return _bricks.WriteCatalog();
    }

    private static BrickBenchmarkSummary RunWorker(string database, string folder, string id, TimeSpan lease, Faults faults, int maxAttempts = 3)
    {
        var configuration = BenchmarkJob.Quick.Configuration("cpu", null, 1, 0, "sequential", "all");
        using var store = PostgresResultStore.Open(database);
        var runner = new BrickBenchmarkRunner(store, configuration, BenchmarkJob.Quick) { Faults = faults };
        // Disposed without Release on a crash, as a dead process would leave it.
        using var queue = store.OpenQueue(runner.System.Key, configuration.Key, id, lease, maxAttempts);
        return runner.RunWorker(folder, queue, new BrickBenchmarkOptions(RunFolder: Path.Combine(folder, "runs", id + "-" + Guid.NewGuid().ToString("N"))));
    }

    private static (string Worker, int Attempts) Claim(string database, string hash)
    {
        using var connection = new NpgsqlConnection(database);
        connection.Open();
        using var command = new NpgsqlCommand("SELECT worker_id, attempts FROM claims WHERE brick_hash = @hash", connection);
        command.Parameters.AddWithValue("hash", hash);
        using var reader = command.ExecuteReader();
        Assert.True(reader.Read());
        return (reader.GetString(0), reader.GetInt32(1));
    }

    private static long Scalar(string database, string sql) => PostgresServer.Scalar(database, sql);

    private sealed class SimulatedCrash(string hash) : Exception($"simulated crash on {hash}");

    private sealed class Faults : IBenchFaults, IDisposable
    {
        public Func<string, bool> CrashBeforeMeasure { get; init; } = _ => false;

        public bool HangBeforeStore { get; init; }

        public ConcurrentQueue<string> Measuring { get; } = new();

        public ManualResetEventSlim Hanging { get; } = new();

        public ManualResetEventSlim Wake { get; } = new();

        public void BeforeMeasure(string brickHash)
        {
            if (!CrashBeforeMeasure(brickHash))
                return;
            Measuring.Enqueue(brickHash);
            throw new SimulatedCrash(brickHash);
        }

        public void BeforeStore(string brickHash)
        {
            if (!HangBeforeStore || Hanging.IsSet)
                return;
            Measuring.Enqueue(brickHash);
            Hanging.Set();
            Wake.Wait(TimeSpan.FromMinutes(2));
        }

        public void Dispose()
        {
            Wake.Set();
            Hanging.Dispose();
            Wake.Dispose();
        }
    }
}
