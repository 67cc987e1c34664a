using DLBricks.Validation;

namespace DLBricks.Tests.Validation;

public class ScenarioTests
{
    [Fact]
    public void SingleStreamReportsOrderedPercentiles()
    {
        using var session = ScenarioSession.Open(TinyModels.MatMulRelu(), "tiny");
        var result = Scenarios.SingleStream(session, new ScenarioOptions(MinQueries: 50, WarmupQueries: 5));

        Assert.Equal(50, result.Queries);
        Assert.True(result.MinMs > 0);
        Assert.True(result.MinMs <= result.P50Ms && result.P50Ms <= result.P90Ms && result.P90Ms <= result.P99Ms && result.P99Ms <= result.MaxMs);
        Assert.Equal(result.P90Ms, result.HeadlineMs);
        Assert.True(result.DurationMs >= result.MeanMs * result.Queries * 0.99);
    }

    [Fact]
    public void SingleStreamHonoursMinimumDuration()
    {
        using var session = ScenarioSession.Open(TinyModels.MatMulRelu(), "tiny");
        var result = Scenarios.SingleStream(session, new ScenarioOptions(MinQueries: 1, MinDuration: TimeSpan.FromMilliseconds(50), WarmupQueries: 0));
        Assert.True(result.DurationMs >= 50);
        Assert.True(result.Queries > 1);
    }

    [Fact]
    public void OfflineSetsADynamicBatchDimension()
    {
        using var session = ScenarioSession.Open(TinyModels.MatMulRelu(batch: null), "tiny", new ScenarioSessionOptions(BatchSize: 8));
        Assert.Equal(BatchStrategy.DynamicDimension, session.Strategy);
        Assert.Equal(1, session.RunsPerQuery);

        var result = Scenarios.Offline(session, new ScenarioOptions(MinQueries: 20, WarmupQueries: 2));
        Assert.Equal(20, result.Queries);
        Assert.Equal(160, result.Samples);
        Assert.True(result.SamplesPerSecond > 0);
    }

    [Fact]
    public void OfflineRepeatsRunsForAStaticBatchDimension()
    {
        using var session = ScenarioSession.Open(TinyModels.MatMulRelu(batch: 2), "tiny", new ScenarioSessionOptions(BatchSize: 5));
        Assert.Equal(BatchStrategy.RepeatedRuns, session.Strategy);
        Assert.Equal(3, session.RunsPerQuery);
        var result = Scenarios.Offline(session, new ScenarioOptions(MinQueries: 4, WarmupQueries: 0));
        Assert.Equal(20, result.Samples);
    }

    [Fact]
    public void UnloadableModelIsOneClearError()
    {
        var path = TinyModels.WriteTemp([1, 2, 3, 4], "garbage");
        var error = Assert.Throws<InvalidDataException>(() => ScenarioSession.Open(path));
        Assert.StartsWith(path, error.Message);

        var missing = Assert.Throws<InvalidDataException>(() => ScenarioSession.Open("/nonexistent/model.onnx"));
        Assert.Contains("not found", missing.Message);
    }
}
