using DLBricks.Benchmarking;
using DLBricks.Estimation;
using DLBricks.Splitting;
using DLBricks.Storage;
using Microsoft.ML.OnnxRuntime;

namespace DLBricks.Tests.Estimation;

/// <summary>
/// The parallel executor's critical path scheduled on its workers (<see cref="WorkerSchedule"/>) at a measured speedup of
/// concurrent bricks (<see cref="ConcurrencyProfile"/>, <see cref="ConcurrencyCalibration"/>).
/// </summary>
public sealed class WorkerScheduleTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("dlbricks-schedule-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static ConcurrencyProfile Profile(int workers, params double[] speedups) =>
        new(workers, [new ConcurrencyPoint(1, 1), .. speedups.Select((s, i) => new ConcurrencyPoint(i + 2, s))]);

    // Two independent branches of 2 and 3 ms between nothing: vertices 0 and 1, no edges.
    private static ModelRecipe TwoBranches() => new(
        "branches", 1, LayerSourceInfo.Raw, 2, 2, 2,
        [new BrickOccurrence(0, "short", 0, 1), new BrickOccurrence(1, "long", 1, 1)],
        [],
        null);

    private static BrickLatencies TwoBranchLatencies() => BrickLatencies.FromStatistics(new Dictionary<string, LatencyStatistics>
    {
        ["short"] = EstimatorTests.Stats(2.0), ["long"] = EstimatorTests.Stats(3.0),
    });

    private static double CriticalPath(ModelRecipe recipe, BrickLatencies latencies, ConcurrencyProfile? profile) =>
        new CriticalPathEstimator().Estimate(recipe, latencies, EstimateOptions.Default with { Concurrency = profile }).EstimateMs;

    [Fact]
    public void Perfect_overlap_on_enough_workers_is_the_longest_path()
    {
        Assert.Equal(3.0, CriticalPath(TwoBranches(), TwoBranchLatencies(), null), 9);
        Assert.Equal(3.0, CriticalPath(TwoBranches(), TwoBranchLatencies(), Profile(2, 2.0)), 9);
    }

    [Fact]
    public void No_speedup_or_one_worker_is_the_sequential_sum()
    {
        Assert.Equal(5.0, CriticalPath(TwoBranches(), TwoBranchLatencies(), Profile(2, 1.0)), 9);
        Assert.Equal(5.0, CriticalPath(TwoBranches(), TwoBranchLatencies(), Profile(1)), 9);
    }

    [Fact]
    public void Bricks_running_together_share_the_measured_speedup()
    {
        // S(2) = 1.5: both progress at 0.75 of their solo speed until the 2 ms brick ends at 2 / 0.75 = 2.667 ms; the 3 ms brick
        // has 1 ms of solo work left, done alone at full speed.
        Assert.Equal(2.0 / 0.75 + 1.0, CriticalPath(TwoBranches(), TwoBranchLatencies(), Profile(2, 1.5)), 9);
    }

    [Fact]
    public void The_diamond_waits_for_both_branches_and_counts_every_brick()
    {
        // stem 1 → {wide 5, thin 2} → stem 1, S(2) = 1.6: branches at 0.8 until thin ends at 2.5 ms, wide has 3 ms left alone.
        var latencies = BrickLatencies.FromStatistics(new Dictionary<string, LatencyStatistics>
        {
            ["stem"] = EstimatorTests.Stats(1.0), ["wide"] = EstimatorTests.Stats(5.0), ["thin"] = EstimatorTests.Stats(2.0),
        });
        var estimate = new CriticalPathEstimator().Estimate(EstimatorTests.Diamond(), latencies,
            EstimateOptions.Default with { Concurrency = Profile(2, 1.6) });

        Assert.Equal(1.0 + 2.5 + 3.0 + 1.0, estimate.EstimateMs, 9);
        Assert.Equal(4, estimate.BrickRuns); // every brick ran once on some worker
        Assert.Equal([0, 1, 3], estimate.Path); // the longest path is still reported
    }

    [Fact]
    public void More_ready_bricks_than_workers_wait_in_execution_order()
    {
        // Three independent 1 ms bricks on two perfect workers: two run together, the third after them.
        var recipe = new ModelRecipe("three", 1, LayerSourceInfo.Raw, 3, 3, 1,
            [new BrickOccurrence(0, "a", 0, 1), new BrickOccurrence(1, "a", 1, 1), new BrickOccurrence(2, "a", 2, 1)], [], null);
        var latencies = BrickLatencies.FromStatistics(new Dictionary<string, LatencyStatistics> { ["a"] = EstimatorTests.Stats(1.0) });
        Assert.Equal(2.0, CriticalPath(recipe, latencies, Profile(2, 2.0)), 9);
        Assert.Equal(1.0, CriticalPath(recipe, latencies, Profile(3, 2.0, 3.0)), 9);
    }

    [Fact]
    public void Speedups_interpolate_between_measured_points_and_stay_between_one_and_k()
    {
        var profile = new ConcurrencyProfile(8, [new ConcurrencyPoint(1, 1), new ConcurrencyPoint(2, 1.8), new ConcurrencyPoint(4, 3.0), new ConcurrencyPoint(8, 9.5)]);
        Assert.Equal(1.0, profile.Speedup(1), 9);
        Assert.Equal(1.8, profile.Speedup(2), 9);
        Assert.Equal(2.4, profile.Speedup(3), 9);
        Assert.Equal(8.0, profile.Speedup(8), 9); // a measurement above k is noise
        Assert.Equal(1.0, new ConcurrencyProfile(2, [new ConcurrencyPoint(1, 1), new ConcurrencyPoint(2, 0.9)]).Speedup(2), 9);
    }

    [Fact]
    public void Only_the_cpu_parallel_executor_runs_bricks_concurrently()
    {
        RunConfiguration Config(string provider, int inter, string mode) => new(provider, null, 1, inter, mode, "all", "default", "");
        Assert.Equal(1, ConcurrencyCalibration.Workers(Config("cpu", 2, "sequential")));
        Assert.Equal(1, ConcurrencyCalibration.Workers(Config("cuda", 2, "parallel")));
        Assert.Equal(2, ConcurrencyCalibration.Workers(Config("cpu", 2, "parallel")));
        Assert.Equal(Environment.ProcessorCount, ConcurrencyCalibration.Workers(Config("cpu", 0, "parallel")));
        Assert.Equal([1, 2, 4, 6], ConcurrencyCalibration.Points(6));
        Assert.Equal([1, 2], ConcurrencyCalibration.Points(2));
        Assert.False(ConcurrencyCalibration.IsCalibrationKey(new string('a', 64)));
        Assert.True(ConcurrencyCalibration.IsCalibrationKey(ConcurrencyCalibration.KeyOf(2)));
    }

    [Fact]
    public void The_calibration_model_has_k_independent_branches_that_run()
    {
        using var options = new SessionOptions();
        using var session = new InferenceSession(ConcurrencyCalibration.Model(3), options);
        Assert.Equal(["y0", "y1", "y2"], session.OutputMetadata.Keys.Order());
        Assert.Equal([1, 32, 28, 28], session.OutputMetadata["y2"].Dimensions);
    }

    [Fact]
    public void A_measured_profile_is_stored_and_read_back_for_estimates_made_elsewhere()
    {
        var configuration = new RunConfiguration("cpu", null, 1, 2, "parallel", "all", "quick", "");
        var engine = new ScenarioEngine(new ScenarioOptions(MinQueries: 5, WarmupQueries: 1));
        using var store = new SqliteResultStore(Path.Combine(_folder, "results.db"));
        var system = new SystemFingerprint("cpu", 2, 1, "os", "dotnet", "ort");
        store.RegisterSystem(system);
        store.RegisterConfiguration(configuration);

        var measured = ConcurrencyCalibration.Measure(engine, configuration, LatencyStatistic.Median,
            (key, statistics) => store.Save(new BrickResult(key, system.Key, configuration.Key, statistics, null, DateTimeOffset.UtcNow)));

        Assert.NotNull(measured);
        Assert.Equal(2, measured.Workers);
        Assert.Equal([1, 2], measured.Points.Select(p => p.Concurrency));
        // The raw point is a measurement (on a busy CI runner it fell to 0.09); what estimates use is clamped to [1, k].
        Assert.True(measured.Points[1].Speedup > 0 && double.IsFinite(measured.Points[1].Speedup));
        Assert.InRange(measured.Speedup(2), 1, 2);
        var read = ConcurrencyCalibration.FromResults(configuration, store.GetResults(system.Key, configuration.Key), LatencyStatistic.Median);
        Assert.Equal(measured.Points, read!.Points);
        Assert.Null(ConcurrencyCalibration.FromResults(configuration with { ExecutionMode = "sequential" },
            store.GetResults(system.Key, configuration.Key), LatencyStatistic.Median));
    }
}
