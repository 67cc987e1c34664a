using DLBricks.Estimation;
using DLBricks.Splitting;

namespace DLBricks.Tests.Estimation;

public class CorrectionTests
{
    [Fact]
    public void FixedCostRemovesAllButOneCallCost()
    {
        var correction = new FixedCostCorrection(EstimatorTests.Stats(0.25));
        var options = new EstimateOptions(Corrections: [correction]);
        var estimate = new SequentialEstimator().Estimate(EstimatorTests.Diamond(), LatenciesOf(("stem", 1.0), ("wide", 5.0), ("thin", 2.0)), options);

        // 9 ms over 4 runs: 9 − (4 − 1) × 0.25 = 8.25.
        Assert.Equal(9.0, estimate.UncorrectedMs, 9);
        Assert.Equal(8.25, estimate.EstimateMs, 9);
        var applied = Assert.Single(estimate.Corrections);
        Assert.Equal("fixed-cost", applied.Name);
        Assert.Equal(-0.75, applied.DeltaMs, 9);
        Assert.Contains("4 brick runs", applied.Explanation);
    }

    [Fact]
    public void FixedCostIsOffByDefaultAndSkipsSingleRuns()
    {
        var latencies = LatenciesOf(("stem", 1.0), ("wide", 5.0), ("thin", 2.0));
        var plain = new SequentialEstimator().Estimate(EstimatorTests.Diamond(), latencies, EstimateOptions.Default);
        Assert.Equal(plain.UncorrectedMs, plain.EstimateMs);
        Assert.Empty(plain.Corrections);

        var single = EstimatorTests.Diamond() with { Occurrences = [new DLBricks.Splitting.BrickOccurrence(0, "wide", 0, 8)], Edges = [] };
        var one = new SequentialEstimator().Estimate(single, latencies, new EstimateOptions(Corrections: [new FixedCostCorrection(EstimatorTests.Stats(0.25))]));
        Assert.Equal(5.0, one.EstimateMs, 9);
        Assert.Empty(one.Corrections);
    }

    [Fact]
    public void FixedCostNeverDropsBelowOneCall()
    {
        var latencies = LatenciesOf(("stem", 0.1), ("wide", 0.1), ("thin", 0.1));
        var estimate = new SequentialEstimator().Estimate(EstimatorTests.Diamond(), latencies,
            new EstimateOptions(Corrections: [new FixedCostCorrection(EstimatorTests.Stats(0.2))]));
        Assert.Equal(0.2, estimate.EstimateMs, 9);
        Assert.Contains("clamped", estimate.Corrections[0].Explanation);
    }

    private static BrickLatencies LatenciesOf(params (string Hash, double Ms)[] bricks) =>
        BrickLatencies.FromStatistics(bricks.ToDictionary(b => b.Hash, b => EstimatorTests.Stats(b.Ms)));
}
