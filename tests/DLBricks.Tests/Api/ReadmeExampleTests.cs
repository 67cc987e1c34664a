namespace DLBricks.Tests.Api;

/// <summary>
/// The front door as the README uses it, in process and with the quick job so it stays fast (the packaging test compiles
/// the README's own text against the packed package).
/// </summary>
public class ReadmeExampleTests
{
    [Fact]
    public async Task EstimateAsync_benchmarks_missing_bricks_once_and_names_the_estimates()
    {
        using var temp = new TempFolder();
        var m = new TinyModel().Input("x", 1, 64);
        m.Weight("w1", 64, 64);
        m.Weight("w2", 64, 64);
        m.Node("MatMul", ["x", "w1"], ["a"]);
        m.Node("Relu", ["a"], ["b"]);
        m.Node("MatMul", ["b", "w2"], ["c"]);
        m.Node("Relu", ["c"], ["y"]);
        m.Output("y");
        var modelPath = m.Save(temp.Path, "model");
        var options = BricksOptions.Default.WithBenchMissing().WithJob(MeasurementJob.Quick);
        var events = new List<BricksProgress>();

        var first = await Bricks.EstimateAsync(modelPath, temp.File("dlbricks.db"), options, new Bricks.Relay<BricksProgress>(events.Add));
        var second = await Bricks.EstimateAsync(modelPath, temp.File("dlbricks.db"), options);

        Assert.True(first.BricksMeasured >= 1);
        Assert.True(first.IsComplete);
        Assert.True(first.SequentialMs > 0);
        Assert.Equal(first.Sequential!.EstimateMs, first.SequentialMs);
        Assert.NotNull(first.CriticalPath);
        Assert.Null(first.OverlapCover); // no overlap windows without --overlap
        // Repeated MatMul+Relu: the second occurrence reuses the first brick, and a second call measures nothing.
        Assert.Equal(0, second.BricksMeasured);
        Assert.Equal(1.0, second.Reuse!.HitRate);
        Assert.Equal(first.SequentialMs, second.SequentialMs);
        Assert.Contains(events, e => e.Stage == BricksStage.Estimate && e.Model == "model" && e.Total == 1);
    }

    [Fact]
    public void A_bad_model_in_a_batch_is_an_outcome_not_an_exception()
    {
        using var temp = new TempFolder();
        var good = new TinyModel().Input("x", 1, 8);
        good.Node("Relu", ["x"], ["y"]);
        good.Output("y");
        var goodPath = good.Save(temp.Path, "good");
        var badPath = temp.File("bad.onnx");
        File.WriteAllText(badPath, "not an onnx model");

        var summary = Bricks.Split([badPath, goodPath], temp.File("split"), BricksOptions.Default);

        Assert.Equal(["bad", "good"], summary.Models.Select(o => o.Model));
        Assert.False(summary.Models[0].Succeeded);
        Assert.Contains("bad.onnx", summary.Models[0].Failure!.Reason);
        Assert.Contains("bad.onnx", Assert.Throws<InvalidModelException>(() => summary.Models[0].Value).Message);
        Assert.True(summary.Models[1].Succeeded);
        Assert.Equal(1, summary.UniqueBricks);
        Assert.True(File.Exists(Path.Combine(summary.OutputDirectory!, "catalog.json")));
    }

    [Fact]
    public void Options_map_onto_the_configuration_the_stores_key_results_by()
    {
        var (configuration, job) = BricksOptions.Default.WithThreads(2).WithExecutor(ExecutorMode.Parallel)
            .WithSessionLevel(DLBricks.Graph.OptimizationLevel.Basic).WithJob(MeasurementJob.Quick).ToMeasurement();

        Assert.Equal(("cpu", (int?)null, 2, "parallel", "basic", "quick"),
            (configuration.ExecutionProvider, configuration.DeviceId, configuration.IntraOpThreads, configuration.ExecutionMode,
                configuration.OptimizationLevel, job.Name));
        // The thread-CPU clock only sees the calling thread, so asking for it with two threads is refused with the reason.
        var refused = Assert.Throws<InvalidModelException>(() => BricksOptions.Default.WithThreads(2).WithClock(IterationClock.ThreadCpu).ToMeasurement());
        Assert.Contains("--threads 1", refused.Message);
        Assert.Equal((int?)3, BricksOptions.Default.WithProvider(ExecutionProvider.Cuda, 3).ToMeasurement().Configuration.DeviceId);
    }
}
