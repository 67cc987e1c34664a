using DLBricks.Benchmarking;
using DLBricks.Storage;

namespace DLBricks.Tests.Benchmarking;

public sealed class BrickBenchmarkRunnerTests : IDisposable
{
    private static readonly RunConfiguration Quick = BenchmarkJob.Quick.Configuration("cpu", null, 1, 1, "sequential", "all");
    private readonly BrickFolderBuilder _bricks = new();
    private string DbPath => Path.Combine(_bricks.Folder, "results.db");

    [Fact]
    public void EveryBrickGetsARowAndASecondRunMeasuresNothing()
    {
        _bricks.AddRelu(16);
        _bricks.AddConvRelu();
        _bricks.AddGather([4, 0, 2]);
        var folder = _bricks.WriteCatalog();
        var events = new List<BrickBenchmarkProgress>();

        using var store = new SqliteResultStore(DbPath);
        var runner = new BrickBenchmarkRunner(store, Quick, BenchmarkJob.Quick);
        var first = runner.Run(folder, progress: new Recorder(events));

        Assert.Equal(3, first.Measured);
        Assert.Empty(first.Failures);
        var results = store.GetResults(runner.System.Key, Quick.Key);
        Assert.Equal(_bricks.Entries.Select(e => e.Hash).Order(), results.Keys.Order());
        Assert.All(results.Values, r =>
        {
            Assert.True(r.Succeeded);
            Assert.Equal(BenchmarkJob.Quick.IterationCount, r.Statistics!.N);
            Assert.True(r.Statistics.Median > 0);
            Assert.InRange(r.Statistics.TrimmedMean, r.Statistics.Min, r.Statistics.Max);
        });
        Assert.NotNull(store.GetCalibration(runner.System.Key, Quick.Key));
        Assert.Equal(3, events.Count(e => e.Current is not null));
        Assert.Equal(3, events.Last().Completed);
        // BenchmarkDotNet's exporters wrote one row per measured case (calibration + 3 bricks) under DIR/runs/.
        Assert.StartsWith(Path.Combine(Path.GetFullPath(folder), "runs"), first.RunFolder);
        Assert.Equal(1 + 4, File.ReadAllLines(Path.Combine(first.RunFolder!, "report.csv")).Length);
        Assert.Equal(4, File.ReadAllLines(Path.Combine(first.RunFolder!, "report.jsonl")).Length);
        Assert.Contains(_bricks.Entries[0].Hash, File.ReadAllText(Path.Combine(first.RunFolder!, "report.md")));

        var second = runner.Run(folder);
        Assert.Equal(0, second.Measured);
        Assert.Equal(3, second.Skipped);
        Assert.Null(second.RunFolder);
        Assert.Equal(results.Values.Select(r => r.MeasuredAt), store.GetResults(runner.System.Key, Quick.Key).Values.Select(r => r.MeasuredAt));

        var forced = runner.Run(folder, new BrickBenchmarkOptions(Force: true));
        Assert.Equal(3, forced.Measured);
    }

    [Fact]
    public void RunThatDiesMidBrickResumesAndMeasuresEveryBrickExactlyOnce()
    {
        const int count = 6;
        for (var i = 1; i <= count; i++)
            _bricks.AddRelu(i * 8);
        var folder = _bricks.WriteCatalog();
        using var store = new SqliteResultStore(DbPath);

        // Dies like a killed process: after measuring its fourth brick, before storing it.
        var dying = new BrickBenchmarkRunner(store, Quick, BenchmarkJob.Quick) { Faults = new DieBeforeStoring(4) };
        Assert.Throws<InvalidOperationException>(() => dying.Run(folder));
        var system = dying.System.Key;
        Assert.Equal(3, store.GetResults(system, Quick.Key).Count);

        var resumed = new BrickBenchmarkRunner(store, Quick, BenchmarkJob.Quick).Run(folder);
        Assert.Equal(count - 3, resumed.Measured);
        Assert.Equal(3, resumed.Skipped);
        Assert.Equal(_bricks.Entries.Select(e => e.Hash).Order(), store.GetResults(system, Quick.Key).Keys.Order());
    }

    private sealed class DieBeforeStoring(int brick) : IBenchFaults
    {
        private int _seen;

        public void BeforeMeasure(string brickHash)
        {
        }

        public void BeforeStore(string brickHash)
        {
            if (++_seen == brick)
                throw new InvalidOperationException($"simulated death before storing {brickHash}");
        }
    }

    [Fact]
    public void BrokenBrickIsRecordedAsFailedAndTheOthersSucceed()
    {
        var good = _bricks.AddRelu(8);
        var garbage = _bricks.AddGarbage();
        var folder = _bricks.WriteCatalog();

        using var store = new SqliteResultStore(DbPath);
        var runner = new BrickBenchmarkRunner(store, Quick, BenchmarkJob.Quick);
        var summary = runner.Run(folder);

        Assert.Equal(1, summary.Measured);
        var failure = Assert.Single(summary.Failures);
        Assert.Equal(garbage, failure.Hash);
        var results = store.GetResults(runner.System.Key, Quick.Key);
        Assert.True(results[good].Succeeded);
        Assert.False(results[garbage].Succeeded);
        Assert.False(string.IsNullOrWhiteSpace(results[garbage].Error));
        Assert.DoesNotContain('\n', results[garbage].Error!);

        // A failure counts as a result: the rerun does not retry it unless forced.
        Assert.Equal(2, runner.Run(folder).Skipped);
    }

    [Fact]
    public void CancellationStopsBeforeTheNextBrickAndTheRerunFinishes()
    {
        for (var i = 1; i <= 4; i++)
            _bricks.AddRelu(i * 4);
        var folder = _bricks.WriteCatalog();
        using var cancel = new CancellationTokenSource();
        using var store = new SqliteResultStore(DbPath);
        var runner = new BrickBenchmarkRunner(store, Quick, BenchmarkJob.Quick);

        var stopped = runner.Run(folder, progress: new Recorder(p =>
        {
            if (p.Last is not null && p.Completed == 2)
                cancel.Cancel();
        }), cancellationToken: cancel.Token);

        Assert.True(stopped.Cancelled);
        Assert.Equal(2, stopped.Measured);
        Assert.Equal(2, store.GetResults(runner.System.Key, Quick.Key).Count);
        var rest = runner.Run(folder);
        Assert.Equal(2, rest.Measured);
        Assert.Equal(2, rest.Skipped);
        Assert.Equal(4, store.GetResults(runner.System.Key, Quick.Key).Count);
    }

    [Fact]
    public void RunnerMeasuresAWholeModelWithInputsFromItsMetadata()
    {
        var hash = _bricks.AddConvRelu();
        using var runner = OnnxModelRunner.Open(Path.Combine(_bricks.Folder, "bricks", hash + ".onnx"), Quick);
        var input = Assert.Single(runner.Inputs);
        Assert.Equal([1L, 2, 8, 8], input.Shape);
        var measurement = new LatencyMeasurer(BenchmarkJob.Quick).Measure("whole", runner);
        Assert.Equal(BenchmarkJob.Quick.IterationCount, measurement.Statistics.N);
        Assert.True(measurement.InvocationsPerIteration >= 1);
    }

    [Fact]
    public void CudaOnTheCpuPackageFailsWithOneClearLine()
    {
        var cuda = Quick with { ExecutionProvider = "cuda", DeviceId = 0 };
        var error = Assert.Throws<ExecutionProviderUnavailableException>(() => SessionOptionsFactory.EnsureAvailable(cuda));
        Assert.Contains("Microsoft.ML.OnnxRuntime.Gpu", error.Message);
        Assert.DoesNotContain('\n', error.Message);

        // The runner refuses before writing anything.
        _bricks.AddRelu(4);
        using var store = new SqliteResultStore(DbPath);
        Assert.Throws<ExecutionProviderUnavailableException>(() => new BrickBenchmarkRunner(store, cuda, BenchmarkJob.Quick).Run(_bricks.WriteCatalog()));
        Assert.Empty(store.ListSystems());
    }

    [Fact]
    public void MissingCatalogNamesTheFolder()
    {
        using var store = new SqliteResultStore(DbPath);
        var error = Assert.Throws<InvalidDataException>(() => new BrickBenchmarkRunner(store, Quick, BenchmarkJob.Quick).Run(_bricks.Folder));
        Assert.Contains(_bricks.Folder, error.Message);
    }

    public void Dispose() => _bricks.Dispose();

    private sealed class Recorder(Action<BrickBenchmarkProgress> onReport) : IProgress<BrickBenchmarkProgress>
    {
        public Recorder(List<BrickBenchmarkProgress> into) : this(into.Add) { }
        public void Report(BrickBenchmarkProgress value) => onReport(value);
    }
}
