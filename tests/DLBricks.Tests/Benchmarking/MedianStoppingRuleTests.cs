using DLBricks.Benchmarking;

namespace DLBricks.Tests.Benchmarking;

public class MedianStoppingRuleTests
{
    private static readonly MedianStoppingRule Rule = new(MinIterations: 20, MaxRelativeHalfWidth: 0.01, Confidence: 0.99);

    [Fact]
    public void IntervalOfTheMedianUsesTheTextbookRanks()
    {
        // n = 100 at 95 %: ranks 40 and 61 (the order-statistic interval every table gives).
        var sorted = Enumerable.Range(1, 100).Select(i => (double)i).ToList();
        Assert.Equal((40.0, 61.0), MedianStoppingRule.MedianInterval(sorted, 0.95));
        // Too few samples for a 99 % interval: no interval, so the rule cannot stop on it.
        Assert.Null(MedianStoppingRule.MedianInterval([1.0, 2.0, 3.0, 4.0], 0.99));
        Assert.Equal(1.959964, MedianStoppingRule.NormalQuantile(0.975), 5);
        Assert.Equal(-2.575829, MedianStoppingRule.NormalQuantile(0.005), 5);
    }

    [Fact]
    public void SteadySamplesStopAtTheFloorAndNotBefore()
    {
        var random = new Random(3);
        var samples = Enumerable.Range(0, 30).Select(_ => 1.0 + random.NextDouble() * 0.001).ToList();
        Assert.False(Rule.ShouldStop(samples.Take(19).ToList(), maxIterations: 100));
        Assert.True(Rule.ShouldStop(samples.Take(20).ToList(), maxIterations: 100));
    }

    [Fact]
    public void SpreadSamplesRunToTheCap()
    {
        // Latencies spread evenly over 1..2 ms: the median's interval stays far wider than ±1 %.
        var random = new Random(5);
        var samples = Enumerable.Range(0, 100).Select(_ => 1.0 + random.NextDouble()).ToList();
        for (var n = 1; n < 100; n++)
            Assert.False(Rule.ShouldStop(samples.Take(n).ToList(), maxIterations: 100), $"stopped at {n}");
        Assert.True(Rule.ShouldStop(samples, maxIterations: 100));
    }

    [Fact]
    public void ModerateNoiseStopsBetweenFloorAndCapWithTheBoundMet()
    {
        // Normal noise of 2 % around 1 ms: the interval's half width shrinks like 1/√n and reaches ±1 % well inside 20..100.
        var random = new Random(11);
        var samples = new List<double>();
        while (!Rule.ShouldStop(samples, maxIterations: 100))
            samples.Add(1.0 + 0.02 * Gaussian(random));
        Assert.InRange(samples.Count, 21, 99);
        var sorted = samples.Order().ToList();
        var (lower, upper) = MedianStoppingRule.MedianInterval(sorted, Rule.Confidence)!.Value;
        Assert.True((upper - lower) / 2 <= 0.01 * sorted[sorted.Count / 2] * 1.0001);
        // One sample earlier the bound was not met yet (or the floor not reached): the rule stops at the first chance.
        Assert.False(Rule.ShouldStop(samples.Take(samples.Count - 1).ToList(), maxIterations: 100));
    }

    [Fact]
    public void ParametersOutOfRangeAreRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new MedianStoppingRule(MinIterations: 3).Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new MedianStoppingRule(MaxRelativeHalfWidth: 0).Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new MedianStoppingRule(Confidence: 1).Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new LatencyMeasurer(BenchmarkJob.Quick with { Stopping = new MedianStoppingRule(MinIterations: 2) }));
    }

    [Fact]
    public void OnlyJobsWithTheCheaperRulesGetNewProvenance()
    {
        // The default job's key is unchanged, so its stored results stay valid; each cheaper rule makes its own key.
        Assert.DoesNotContain("stop=", BenchmarkJob.Default.Provenance);
        Assert.DoesNotContain("pilot=", BenchmarkJob.Default.Provenance);
        Assert.DoesNotContain("cases-per-run", BenchmarkJob.Default.Provenance);
        Assert.EndsWith("clock=Wall", BenchmarkJob.Default.Provenance);
        var lean = BenchmarkJob.Lean.Provenance;
        Assert.Contains("stop=median-ci:min=20,half-width=0.01,confidence=0.99", lean);
        Assert.Contains("pilot=StopWhenSlow", lean);
        Assert.Contains("cases-per-run=16", lean);
        Assert.NotEqual(BenchmarkJob.Default.Provenance, (BenchmarkJob.Default with { CasesPerRun = 2 }).Provenance);
    }

    private static double Gaussian(Random random)
        => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
