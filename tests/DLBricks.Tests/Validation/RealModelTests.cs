using DLBricks.Benchmarking;
using DLBricks.Validation;

namespace DLBricks.Tests.Validation;

public class RealModelTests
{
    [Fact]
    public void SqueezenetNodeTimesAccountForMostOfTheRun()
    {
        var result = ProfileSumCheck.Run(TestPaths.LightModel("squeezenet"), runs: 5, warmupRuns: 1, ScenarioEngine.Configuration(intraOpThreads: 1));

        Assert.Equal(5, result.Runs.Count);
        Assert.All(result.Runs, r => Assert.True(r.NodeSumMs <= r.TraceRunMs + 1e-9));
        // Observation 1: the per-layer sum is close to, and below, the model's latency (measured 97 % on 2026-11-23).
        Assert.InRange(result.NodeShare, 0.5, 1.0);
    }

    [Fact]
    public void SqueezenetHasAStaticBatchSoOfflineRepeatsRuns()
    {
        using var runner = OnnxModelRunner.OpenModel(TestPaths.LightModel("squeezenet"), ScenarioEngine.Configuration(intraOpThreads: 1),
            new ModelRunOptions(BatchSize: 2));
        Assert.Equal(BatchStrategy.RepeatedRuns, runner.Batch.Strategy);
        var result = new ScenarioEngine(new ScenarioOptions(MinQueries: 2, WarmupQueries: 1)).Offline(runner);
        Assert.Equal(4, result.Samples);
        Assert.True(result.SamplesPerSecond > 0);
    }
}
