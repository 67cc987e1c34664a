using System.CommandLine;
using DLBricks.Benchmarking;
using DLBricks.Cli.Commands;
using DLBricks.Splitting;
using DLBricks.Storage;
using Microsoft.ML.OnnxRuntime;

namespace DLBricks.Tests.Benchmarking;

/// <summary>
/// The shared thread pool of multi-threaded CPU configurations: which configurations need one, what the process's ONNX Runtime
/// state allows, how many copies a brick rotates through in each mode, the configuration key of each mode, and the option.
/// This test process starts ONNX Runtime early (other tests), so the decisions are tested as the pure function they are, and
/// the in-process path seen here is the fallback; tests/DLBricks.IntegrationTests runs a bench process with the pool on.
/// </summary>
public sealed class SharedThreadPoolTests : IDisposable
{
    // A size no other test asks for, so this process never has a pool of it, whatever ran first.
    private const int UnusedThreads = 7;

    private readonly BrickFolderBuilder _bricks = new();

    [Fact]
    public void Only_multi_threaded_cpu_configurations_need_a_pool()
    {
        Assert.Null(SharedThreadPool.Needed("cpu", 1, 0, "sequential"));
        Assert.Null(SharedThreadPool.Needed("cpu", 1, 4, "sequential")); // inter-op threads serve only the parallel executor
        Assert.Null(SharedThreadPool.Needed("cpu", 1, 1, "parallel"));
        Assert.Null(SharedThreadPool.Needed("cuda", 0, 0, "sequential"));
        Assert.Equal(new ThreadPoolSize(0, 1), SharedThreadPool.Needed("cpu", 0, 0, "sequential"));
        Assert.Equal(new ThreadPoolSize(2, 1), SharedThreadPool.Needed("cpu", 2, 4, "sequential"));
        Assert.Equal(new ThreadPoolSize(1, 2), SharedThreadPool.Needed("cpu", 1, 2, "parallel"));
        Assert.Equal(new ThreadPoolSize(0, 0), SharedThreadPool.Needed("cpu", 0, 0, "parallel"));
    }

    [Fact]
    public void The_decision_follows_the_switch_the_need_and_the_runtime_state()
    {
        var two = new ThreadPoolSize(2, 1);

        Assert.Equal(SharedPoolState.Off, SharedThreadPool.Decide(false, two, runtimeStarted: false, existing: null).State);
        Assert.Equal(SharedPoolState.NotNeeded, SharedThreadPool.Decide(true, null, runtimeStarted: false, existing: null).State);
        Assert.Equal(SharedPoolState.Create, SharedThreadPool.Decide(true, two, runtimeStarted: false, existing: null).State);
        var inUse = SharedThreadPool.Decide(true, two, runtimeStarted: true, existing: two);
        Assert.True(inUse.InUse);
        Assert.Contains("bricks rotate", inUse.Describe());

        // ONNX Runtime started before the front door could set the pool up: per-session pools, said so.
        var late = SharedThreadPool.Decide(true, two, runtimeStarted: true, existing: null);
        Assert.Equal(SharedPoolState.Unavailable, late.State);
        Assert.Contains("started in this process before", late.Reason);
        Assert.Contains("one copy per brick", late.Describe());
        // A pool of another size is not this configuration's: unavailable too, naming both sizes.
        var other = SharedThreadPool.Decide(true, two, runtimeStarted: true, existing: new ThreadPoolSize(4, 1));
        Assert.Equal(SharedPoolState.Unavailable, other.State);
        Assert.Contains("4 intra-op", other.Reason);
        Assert.Contains("2 intra-op", other.Reason);
        Assert.Null(SharedThreadPool.Decide(true, null, runtimeStarted: true, existing: null).Describe());
    }

    [Fact]
    public void Multi_threaded_bricks_rotate_only_on_the_shared_pool()
    {
        using var store = new SqliteResultStore(Path.Combine(_bricks.Folder, "results.db"));
        // 400 KB of weights: well above the rotation threshold, several copies fit the rotation bytes.
        var brick = new BrickEntry("big", "bricks/big.onnx", ["MatMul"], 1, [], [], 0, 100_000, 500_000);
        var shared = BenchmarkJob.Quick with { SharedThreadPool = true };
        var rotated = BenchmarkJob.Quick.CopiesFor(brick.BytesMoved, brick.Parameters * 4);
        Assert.True(rotated > 1);

        int Copies(BenchmarkJob job, int threads) =>
            new BrickBenchmarkRunner(store, job.Configuration("cpu", null, threads, 0, "sequential", "all"), job, Fingerprint).CopiesOf(brick);

        Assert.Equal(rotated, Copies(BenchmarkJob.Quick, threads: 1));
        // Per-session pools (shared pool off or unavailable): one copy, as before.
        Assert.Equal(1, Copies(BenchmarkJob.Quick, threads: 2));
        Assert.Equal(1, Copies(BenchmarkJob.Quick, threads: 0));
        // On the shared pool: the copies a one-thread configuration rotates through.
        Assert.Equal(rotated, Copies(shared, threads: 2));
        Assert.Equal(rotated, Copies(shared, threads: 0));
    }

    [Fact]
    public void The_shared_pool_is_part_of_the_configuration_key_and_the_old_mode_keeps_its_key()
    {
        var perSession = BenchmarkJob.Default.Configuration("cpu", null, 0, 0, "sequential", "all");
        var shared = (BenchmarkJob.Default with { SharedThreadPool = true }).Configuration("cpu", null, 0, 0, "sequential", "all");

        Assert.NotEqual(perSession.Key, shared.Key);
        Assert.False(SharedThreadPool.UsedBy(perSession));
        Assert.True(SharedThreadPool.UsedBy(shared));
        // Appended only when on: the one-copy mode's provenance, and so every key stored before, is unchanged.
        Assert.DoesNotContain("pool", perSession.Measurement);
        Assert.EndsWith(";" + SharedThreadPool.ProvenanceTag, shared.Measurement);
        Assert.Equal(perSession.Measurement + ";" + SharedThreadPool.ProvenanceTag, shared.Measurement);
        // Scenario and profile sessions of a validation follow the configuration.
        Assert.True(SharedThreadPool.UsedBy(BricksOptions.Default.ToValidationRunOptions(shared).Session));
        Assert.False(SharedThreadPool.UsedBy(BricksOptions.Default.ToValidationRunOptions(perSession).Session));
    }

    [Fact]
    public void When_the_runtime_started_without_the_pool_auto_falls_back_and_on_refuses()
    {
        _ = OrtEnv.Instance(); // this process's ONNX Runtime exists, without a pool of this size
        var options = BricksOptions.Default.WithThreads(UnusedThreads).WithJob(MeasurementJob.Quick);

        var (configuration, job) = options.ToMeasurement();
        Assert.False(job.SharedThreadPool);
        Assert.False(SharedThreadPool.UsedBy(configuration));
        Assert.Equal(BenchmarkJob.Quick.Provenance, configuration.Measurement);
        Assert.Equal(SharedPoolState.Unavailable, options.ResolveSharedPool().State);
        // Sessions of the fallback configuration keep their own pools and open as before.
        SessionOptionsFactory.Create(configuration).Dispose();

        var refused = Assert.Throws<InvalidModelException>(() => options.WithSharedPool(SharedPoolMode.On).ToMeasurement());
        Assert.StartsWith("--shared-pool on: the shared thread pool is unavailable", refused.Message);
        Assert.Contains("--shared-pool auto", refused.Message);

        // Off never asks.
        Assert.Equal(SharedPoolState.Off, options.WithSharedPool(SharedPoolMode.Off).ResolveSharedPool().State);
    }

    [Fact]
    public void A_configuration_keyed_on_the_shared_pool_refuses_to_open_without_it()
    {
        var job = BenchmarkJob.Quick with { SharedThreadPool = true };
        var configuration = job.Configuration("cpu", null, UnusedThreads, 0, "sequential", "all");

        var error = Assert.Throws<InvalidOperationException>(() => SessionOptionsFactory.Create(configuration).Dispose());
        Assert.Contains($"{UnusedThreads} intra-op", error.Message);
        Assert.Contains("shared pool off", error.Message);
    }

    [Fact]
    public void Shared_pool_option_parses_defaults_to_auto_and_is_refused_with_cuda()
    {
        var session = new SessionCliOptions();
        var command = new Command("x");
        session.AddTo(command);

        Assert.Equal(SharedPoolMode.Auto, BricksOptions.Default.SharedPool);
        Assert.Equal(SharedPoolMode.Auto, session.Apply(command.Parse([]), BricksOptions.Default).SharedPool);
        Assert.Equal(SharedPoolMode.Off, session.Apply(command.Parse(["--shared-pool", "off"]), BricksOptions.Default).SharedPool);
        Assert.Equal(SharedPoolMode.On, session.Apply(command.Parse(["--shared-pool", "on"]), BricksOptions.Default).SharedPool);
        Assert.NotEmpty(command.Parse(["--shared-pool", "maybe"]).Errors);
        Assert.Contains("expected auto, on or off", Assert.Throws<InvalidModelException>(() => CliVocabulary.ParseSharedPool("maybe")).Message);

        // The pool serves CPU thread pools: asking for it on CUDA is refused, auto and off are accepted there.
        var cuda = Assert.Throws<InvalidModelException>(() => session.Read(command.Parse(["--ep", "cuda", "--shared-pool", "on"])));
        Assert.Contains("--ep cuda", cuda.Message);
        Assert.Contains("--shared-pool auto or off", cuda.Message);
        var (configuration, job) = session.Read(command.Parse(["--ep", "cuda", "--threads", "0"]));
        Assert.False(job.SharedThreadPool);
        Assert.Equal("cuda", configuration.ExecutionProvider);
        // The verbs that measure all offer it.
        foreach (var verb in new[] { "bench", "validate", "estimate" })
            Assert.Empty(CommandCatalog.Root().Parse([verb, "x", "--shared-pool", "off"]).Errors);
    }

    public void Dispose() => _bricks.Dispose();

    private static SystemFingerprint Fingerprint { get; } = new("test-cpu", 2, 1L << 30, "linux", ".NET", "ort");
}
