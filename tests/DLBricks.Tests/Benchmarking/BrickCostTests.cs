using DLBricks.Benchmarking;
using DLBricks.Splitting;
using DLBricks.Storage;

namespace DLBricks.Tests.Benchmarking;

public sealed class BrickCostTests : IDisposable
{
    private readonly BrickFolderBuilder _bricks = new();

    private static BrickBenchmarkRunner RunnerFor(IResultStore store, BenchmarkJob job)
        => new(store, job.Configuration("cpu", null, 1, 1, "sequential", "all"), job);

    [Fact]
    public void BreakdownPhasesAreNonNegativeAndAddUpToAtMostTheTotal()
    {
        _bricks.AddConvRelu();
        var folder = _bricks.WriteCatalog();
        using var store = new SqliteResultStore(Path.Combine(_bricks.Folder, "results.db"));
        var job = BenchmarkJob.Quick;
        var runner = RunnerFor(store, job);

        var outcome = runner.Measure(folder, _bricks.Entries[0], new LatencyMeasurer(job));

        Assert.Equal(BrickOutcomeKind.Measured, outcome.Kind);
        var cost = Assert.IsType<BrickCost>(outcome.Cost);
        var phases = Assert.IsType<MeasurementPhases>(cost.Measurement);
        Assert.All([cost.Total, cost.SessionCreation, cost.RotationSetup, cost.Other, phases.Pilot, phases.Engine, phases.Jitting,
            phases.Warmup, phases.Measured, phases.Export, phases.BenchmarkDotNetOverhead], t => Assert.True(t >= TimeSpan.Zero, t.ToString()));
        Assert.True(cost.SessionCreation > TimeSpan.Zero);
        Assert.True(cost.SessionCreation + cost.RotationSetup + phases.Total <= cost.Total);
        // BenchmarkDotNet's iterations happen inside its run, so they cannot outlast it.
        Assert.True(phases.Jitting + phases.Warmup + phases.Measured <= phases.Engine);
        Assert.Equal(job.WarmupCount, phases.WarmupIterations);
        Assert.Equal(job.IterationCount, phases.MeasuredIterations);
        Assert.Equal(job.IterationCount, outcome.Statistics!.N);
        Assert.True(phases.PilotCalls >= 2, "the pilot makes an untimed call and at least one timed call");
    }

    [Fact]
    public void CheaperJobKeepsTheMedianOfTheFullJobAndBatchedBricksFailAlone()
    {
        _bricks.AddConvRelu();
        _bricks.AddRelu(4096);
        _bricks.AddRelu(64);
        var folder = _bricks.WriteCatalog();
        using var store = new SqliteResultStore(Path.Combine(_bricks.Folder, "results.db"));
        var full = BenchmarkJob.Default with { WarmupCount = 5, IterationCount = 60 };
        var lean = full with { Name = "lean-test", Stopping = MedianStoppingRule.Default, Pilot = PilotMode.StopWhenSlow, CasesPerRun = 4 };

        var reference = RunnerFor(store, full).Measure(folder, _bricks.Entries[0], new LatencyMeasurer(full));
        var leanRunner = RunnerFor(store, lean);
        var batch = leanRunner.MeasureMany(folder, _bricks.Entries.ToList(), new LatencyMeasurer(lean));

        Assert.Equal(_bricks.Entries.Select(e => e.Hash), batch.Select(o => o.Hash));
        Assert.All(batch, o => Assert.Equal(BrickOutcomeKind.Measured, o.Kind));
        var conv = batch[0].Statistics!;
        // Generous: the shared machine moves timings, the rules must not move them by a factor.
        Assert.InRange(conv.Median / reference.Statistics!.Median, 1 / 3.0, 3.0);
        Assert.All(batch, o => Assert.InRange(o.Statistics!.N, lean.Stopping!.MinIterations, lean.IterationCount));

        // A brick whose file is gone fails with its reason; the bricks around it in the same run are still measured.
        File.Delete(Path.Combine(folder, _bricks.Entries[1].File));
        var mixed = leanRunner.MeasureMany(folder, _bricks.Entries.ToList(), new LatencyMeasurer(lean));
        Assert.Equal([BrickOutcomeKind.Measured, BrickOutcomeKind.Failed, BrickOutcomeKind.Measured], mixed.Select(o => o.Kind));
        Assert.Contains("not found", mixed[1].Error);
        Assert.NotNull(mixed[1].Cost);
    }

    [Fact]
    public void BatchedRunStoresEveryBrickAndExportsOneRowPerCase()
    {
        _bricks.AddRelu(16);
        _bricks.AddConvRelu();
        _bricks.AddGather([4, 0, 2]);
        var folder = _bricks.WriteCatalog();
        using var store = new SqliteResultStore(Path.Combine(_bricks.Folder, "results.db"));
        var job = BenchmarkJob.Quick with { CasesPerRun = 2 };
        var runner = RunnerFor(store, job);
        var events = new List<BrickBenchmarkProgress>();

        var summary = runner.Run(folder, progress: new Recorder(events));

        Assert.Equal(3, summary.Measured);
        Assert.Empty(summary.Failures);
        Assert.Equal(_bricks.Entries.Select(e => e.Hash).Order(), store.GetResults(runner.System.Key, runner.Configuration.Key).Keys.Order());
        Assert.Equal(3, events.Count(e => e.Current is not null));
        Assert.All(events.Where(e => e.Last is not null), e => Assert.NotNull(e.Last!.Cost));
        // Calibration alone, then bricks 1+2 in one run and brick 3 alone: 4 CSV rows, 3 JSON summaries.
        Assert.Equal(1 + 4, File.ReadAllLines(Path.Combine(summary.RunFolder!, "report.csv")).Length);
        Assert.Equal(3, File.ReadAllLines(Path.Combine(summary.RunFolder!, "report.jsonl")).Length);
    }

    [Fact]
    public void BatchesCloseAtTheCaseCountAndTheMemoryBound()
    {
        using var store = new SqliteResultStore(Path.Combine(_bricks.Folder, "results.db"));
        var runner = RunnerFor(store, BenchmarkJob.Quick with { CasesPerRun = 3 });
        BrickEntry Brick(string hash, long parameters) => new(hash, $"bricks/{hash}.onnx", ["MatMul"], 1, [], [], 0, parameters, parameters * 4 + 1024);

        var small = Enumerable.Range(0, 5).Select(i => Brick($"s{i}", 10)).ToList();
        Assert.Equal(["s0", "s1", "s2"], runner.BatchFrom(small[0], small.Skip(1)).Select(b => b.Hash));
        // A brick of 40 M parameters holds 160 MB of weights and moves as much: one alone already exceeds BatchBytes.
        var big = Enumerable.Range(0, 3).Select(i => Brick($"b{i}", 40_000_000)).ToList();
        Assert.Equal(["b0"], runner.BatchFrom(big[0], big.Skip(1)).Select(b => b.Hash));
    }

    public void Dispose() => _bricks.Dispose();

    private sealed class Recorder(List<BrickBenchmarkProgress> events) : IProgress<BrickBenchmarkProgress>
    {
        public void Report(BrickBenchmarkProgress value) => events.Add(value);
    }
}
