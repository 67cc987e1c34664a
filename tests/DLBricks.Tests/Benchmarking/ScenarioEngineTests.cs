using DLBricks.Benchmarking;
using DLBricks.Tests.Validation;

namespace DLBricks.Tests.Benchmarking;

public class ScenarioEngineTests
{
    private static readonly RunConfiguration Cpu = ScenarioEngine.Configuration(intraOpThreads: 1);

    private static OnnxModelRunner Tiny(long? batch = 1, int batchSize = 1) =>
        OnnxModelRunner.OpenModel(TinyModels.WriteTemp(TinyModels.MatMulRelu(batch), "tiny"), Cpu, new ModelRunOptions(BatchSize: batchSize));

    [Fact]
    public void SingleStreamReportsOrderedPercentiles()
    {
        using var runner = Tiny();
        var result = new ScenarioEngine(new ScenarioOptions(MinQueries: 50, WarmupQueries: 5)).SingleStream(runner);

        Assert.Equal(50, result.Queries);
        Assert.True(result.MinMs > 0);
        Assert.True(result.MinMs <= result.P50Ms && result.P50Ms <= result.P90Ms && result.P90Ms <= result.P99Ms && result.P99Ms <= result.MaxMs);
        Assert.Equal(result.P90Ms, result.HeadlineMs);
        Assert.True(result.DurationMs >= result.MeanMs * result.Queries * 0.99);
    }

    [Fact]
    public void SingleStreamHonoursMinimumDuration()
    {
        using var runner = Tiny();
        var result = new ScenarioEngine(new ScenarioOptions(MinQueries: 1, MinDuration: TimeSpan.FromMilliseconds(50), WarmupQueries: 0)).SingleStream(runner);
        Assert.True(result.DurationMs >= 50);
        Assert.True(result.Queries > 1);
    }

    [Fact]
    public void OfflineSetsADynamicBatchDimension()
    {
        using var runner = Tiny(batch: null, batchSize: 8);
        Assert.Equal(BatchStrategy.DynamicDimension, runner.Batch.Strategy);
        Assert.Equal(1, runner.Batch.RunsPerQuery);
        Assert.Equal([8L, 4], runner.Inputs.Single().Shape);

        var result = new ScenarioEngine(new ScenarioOptions(MinQueries: 20, WarmupQueries: 2)).Offline(runner);
        Assert.Equal(20, result.Queries);
        Assert.Equal(160, result.Samples);
        Assert.True(result.SamplesPerSecond > 0);
    }

    [Fact]
    public void OfflineRepeatsRunsForAStaticBatchDimension()
    {
        using var runner = Tiny(batch: 2, batchSize: 5);
        Assert.Equal(BatchStrategy.RepeatedRuns, runner.Batch.Strategy);
        Assert.Equal(3, runner.Batch.RunsPerQuery);
        Assert.Equal([2L, 4], runner.Inputs.Single().Shape);
        var result = new ScenarioEngine(new ScenarioOptions(MinQueries: 4, WarmupQueries: 0)).Offline(runner);
        Assert.Equal(20, result.Samples);
    }

    [Fact]
    public void AFailingCallFailsAloneAndTheOthersAreMeasured()
    {
        var engine = new ScenarioEngine(new ScenarioOptions(MinQueries: 3, WarmupQueries: 0));
        var results = engine.MeasureMany([
            new MeasuredCall("broken", () => throw new InvalidOperationException("boom")),
            new MeasuredCall("fine", () => Thread.SpinWait(10)),
        ]);

        Assert.Null(results[0].Measurement);
        Assert.Contains("boom", results[0].Error!.Message);
        Assert.Equal(3, results[1].Measurement!.Statistics.N);
    }

    [Fact]
    public void UnloadableModelIsOneClearError()
    {
        var path = TinyModels.WriteTemp([1, 2, 3, 4], "garbage");
        var error = Assert.Throws<InvalidModelException>(() => OnnxModelRunner.OpenModel(path, Cpu));
        Assert.StartsWith(path, error.Message);

        var missing = Assert.Throws<InvalidModelException>(() => OnnxModelRunner.OpenModel("/nonexistent/model.onnx", Cpu));
        Assert.Contains("not found", missing.Message);
    }
}
