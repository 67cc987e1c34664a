using DLBricks.Estimation;
using DLBricks.Splitting;

namespace DLBricks.Tests.Estimation;

public class TailLatencyTests
{
    // Order statistics of known distributions: an exponential with mean 1 ms (right-skewed, like a latency tail) and a uniform
    // on [0, 2) ms. Their empirical sum distribution is every pair's sum, so the exact quantiles the Monte Carlo must hit are known.
    private static readonly double[] Exponential = Enumerable.Range(0, 200).Select(i => -Math.Log(1 - (i + 0.5) / 200)).ToArray();
    private static readonly double[] Uniform = Enumerable.Range(0, 150).Select(i => 2 * (i + 0.5) / 150).ToArray();

    private static LatencyDistribution Of(IEnumerable<double> samples) => LatencyDistribution.FromSamples(samples)!;

    [Fact]
    public void MonteCarloQuantilesOfASumMatchTheExactConvolutionWithinSamplingError()
    {
        var a = Of(Exponential);
        var b = Of(Uniform);
        var exact = a.SamplesMs.SelectMany(x => b.SamplesMs.Select(y => x + y)).Order().ToArray();
        const int draws = 10_000;
        var sums = TailLatencyEstimator.SampleSums([a, b], draws, seed: 7);

        foreach (var p in new[] { 0.5, 0.9, 0.99 })
        {
            // The rank of a sample quantile has standard deviation sqrt(n p (1 - p)) / n in probability; allow 4 of them.
            var slack = 4 * Math.Sqrt(p * (1 - p) / draws);
            var estimate = TailLatencyEstimator.Quantile(sums, p);
            Assert.InRange(estimate, TailLatencyEstimator.Quantile(exact, p - slack), TailLatencyEstimator.Quantile(exact, Math.Min(1, p + slack)));
        }
        // The tail of a sum is not the sum of tails: P90(a + b) is below P90(a) + P90(b) for independent parts.
        Assert.True(TailLatencyEstimator.Quantile(sums, 0.9) < a.Quantile(0.9) + b.Quantile(0.9));
    }

    [Fact]
    public void DrawsAreDeterministicForASeed()
    {
        var parts = new[] { Of(Exponential), Of(Uniform) };
        Assert.Equal(TailLatencyEstimator.SampleSums(parts, 500, 3), TailLatencyEstimator.SampleSums(parts, 500, 3));
        Assert.NotEqual(TailLatencyEstimator.SampleSums(parts, 500, 3), TailLatencyEstimator.SampleSums(parts, 500, 4));
    }

    [Fact]
    public void ModelTailDrawsEveryOccurrenceAndCountsBricksWithoutSamplesAtTheirMedian()
    {
        // stem runs twice, wide and thin once; thin was stored before distributions were kept.
        var recipe = EstimatorTests.Diamond();
        var constant = EstimatorTests.Stats(2.0);
        var latencies = BrickLatencies.FromStatistics(new Dictionary<string, LatencyStatistics>
        {
            ["stem"] = EstimatorTests.Stats(1.0) with { Distribution = Of([1.0, 1.0, 1.0, 3.0]) },
            ["wide"] = EstimatorTests.Stats(5.0) with { Distribution = Of([5.0]) },
            ["thin"] = constant,
        });

        var estimates = new ModelEstimator().Estimate(recipe, latencies);
        var tail = Assert.IsType<TailLatencyEstimate>(estimates.Tail);

        Assert.Equal(3, tail.RunsWithDistribution);
        Assert.Equal(1, tail.RunsWithoutDistribution);
        Assert.False(tail.IsComplete);
        // Two independent stem runs are both slow (3 ms) with probability 1/16, one of them with 6/16: the sum is 9 ms
        // (2 + 5 + 2), 11 ms or 13 ms with probabilities 9/16, 6/16, 1/16.
        Assert.Equal(9.0, tail.P50Ms, 6);
        Assert.Equal(11.0, tail.P90Ms, 6);
        Assert.Equal(13.0, tail.P99Ms, 6);
        Assert.Equal(9.0, estimates.Get(EstimationMode.Sequential)!.EstimateMs, 6);
    }

    [Fact]
    public void CorrectionsOfTheSequentialEstimateShiftTheTail()
    {
        var recipe = EstimatorTests.Diamond();
        var latencies = BrickLatencies.FromStatistics(new Dictionary<string, LatencyStatistics>
        {
            ["stem"] = EstimatorTests.Stats(1.0) with { Distribution = Of([1.0]) },
            ["wide"] = EstimatorTests.Stats(5.0) with { Distribution = Of([5.0]) },
            ["thin"] = EstimatorTests.Stats(2.0) with { Distribution = Of([2.0]) },
        });
        var overhead = EstimatorTests.Stats(0.25);
        var corrected = new ModelEstimator().Estimate(recipe, latencies, new EstimateOptions(Corrections: [new FixedCostCorrection(overhead)]));

        var tail = corrected.Tail!;
        Assert.Equal(-3 * 0.25, tail.ShiftMs, 9);
        Assert.Equal(9.0 - 0.75, tail.P90Ms, 6);
        Assert.Equal(corrected.Get(EstimationMode.Sequential)!.EstimateMs, tail.P50Ms, 6);
    }

    [Fact]
    public void NoTailWithoutDistributionsOrWhenTurnedOff()
    {
        var recipe = EstimatorTests.Diamond();
        var plain = BrickLatencies.FromStatistics(new Dictionary<string, LatencyStatistics>
        {
            ["stem"] = EstimatorTests.Stats(1.0), ["wide"] = EstimatorTests.Stats(5.0), ["thin"] = EstimatorTests.Stats(2.0),
        });
        Assert.Null(new ModelEstimator().Estimate(recipe, plain).Tail);

        var sampled = BrickLatencies.FromStatistics(new Dictionary<string, LatencyStatistics>
        {
            ["stem"] = EstimatorTests.Stats(1.0) with { Distribution = Of([1.0, 2.0]) },
        });
        Assert.NotNull(new ModelEstimator().Estimate(recipe, sampled).Tail);
        Assert.Null(new ModelEstimator().Estimate(recipe, sampled, new EstimateOptions { Tail = TailEstimateOptions.Off }).Tail);
    }

    [Fact]
    public void DistributionEncodingRoundTripsAndThinsLongRuns()
    {
        var distribution = Of(Exponential.Reverse());
        Assert.Equal(Exponential.Order().Select(v => (double)(float)v), distribution.SamplesMs);
        Assert.Equal(distribution, LatencyDistribution.Decode(distribution.Encode()));

        var many = Enumerable.Range(0, 10_000).Select(i => (double)i).ToArray();
        var thinned = Of(many);
        Assert.Equal(LatencyDistribution.MaxStored, thinned.Count);
        Assert.InRange(thinned.Quantile(0.99), 9_880, 9_910);
        Assert.InRange(thinned.Quantile(0.5), 4_990, 5_010);

        var error = Assert.Throws<InvalidDataException>(() => LatencyDistribution.Decode("1.5,2.5"));
        Assert.Contains("1.5,2.5", error.Message);
        Assert.Null(LatencyDistribution.FromSamples([double.NaN]));
    }
}
