using DLBricks.Splitting;

namespace DLBricks.Estimation;

/// <summary>Options of the Monte Carlo tail estimate.</summary>
/// <param name="Draws">Sums drawn (0 turns the tail estimate off). 10 000 puts P99 on 100 sums beyond it.</param>
/// <param name="Seed">Seed of the draws: the same results give the same tail estimate.</param>
internal sealed record TailEstimateOptions(int Draws = TailEstimateOptions.DefaultDraws, int Seed = TailEstimateOptions.DefaultSeed)
{
    /// <summary>Default number of draws.</summary>
    public const int DefaultDraws = 10_000;

    /// <summary>Default seed.</summary>
    public const int DefaultSeed = 20_200_420;

    /// <summary>10 000 draws, fixed seed.</summary>
    public static TailEstimateOptions Default { get; } = new();

    /// <summary>No tail estimate.</summary>
    public static TailEstimateOptions Off { get; } = new(0);
}

/// <summary>
/// A model's single-stream latency quantiles composed from its bricks' per-iteration distributions.
/// </summary>
/// <param name="P50Ms">Median of the composed latency.</param>
/// <param name="P90Ms">90th percentile (MLPerf's single-stream headline).</param>
/// <param name="P99Ms">99th percentile.</param>
/// <param name="Draws">Monte Carlo sums the quantiles come from.</param>
/// <param name="Seed">Seed of the draws.</param>
/// <param name="RunsWithDistribution">Brick runs drawn from a stored distribution.</param>
/// <param name="RunsWithoutDistribution">
/// Brick runs whose result has no distribution (stored before distributions were kept): they add their median, a constant, so
/// the spread of the estimate is too narrow by their share.
/// </param>
/// <param name="ShiftMs">Constant added to every sum: the corrections of the sequential estimate (e.g. the fixed per-call cost).</param>
public sealed record TailLatencyEstimate(double P50Ms, double P90Ms, double P99Ms, int Draws, int Seed, int RunsWithDistribution,
    int RunsWithoutDistribution, double ShiftMs)
{
    /// <summary>True when every counted brick run was drawn from a distribution.</summary>
    public bool IsComplete => RunsWithoutDistribution == 0;
}

/// <summary>
/// Estimates a model's single-stream P50/P90/P99 by Monte Carlo: each draw sums one random sample from the distribution of every
/// brick run the sequential estimate counts (a brick used k times is drawn k times, independently), and the quantiles of
/// <see cref="TailEstimateOptions.Draws"/> such sums are the estimate. The assumption is that bricks' latencies are independent
/// from one run to the next; noise that hits all layers of a run together (a preempted run, frequency changes) is
/// correlated, makes the real tail heavier, and is what this estimate misses (docs/estimation.md).
/// </summary>
internal static class TailLatencyEstimator
{
    /// <summary>
    /// The tail estimate of <paramref name="recipe"/>, shifted by the corrections of its <paramref name="sequential"/> estimate;
    /// null when no brick it counts has a distribution, or <paramref name="options"/> turn it off.
    /// </summary>
    public static TailLatencyEstimate? Estimate(ModelRecipe recipe, BrickLatencies latencies, LatencyEstimate sequential, TailEstimateOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(recipe);
        ArgumentNullException.ThrowIfNull(latencies);
        ArgumentNullException.ThrowIfNull(sequential);
        options ??= TailEstimateOptions.Default;
        if (options.Draws <= 0) return null;

        var drawn = new List<LatencyDistribution>();
        var constant = 0.0;
        var constantRuns = 0;
        foreach (var occurrence in recipe.Occurrences)
        {
            // A missing brick counts 0 ms, as in the sequential estimate (which then says it is incomplete).
            if (!latencies.TryGet(occurrence.Hash, out var statistics)) continue;
            if (statistics.Distribution is { } distribution) drawn.Add(distribution);
            else
            {
                constant += statistics.Median;
                constantRuns++;
            }
        }
        if (drawn.Count == 0) return null;
        var shift = sequential.EstimateMs - sequential.UncorrectedMs;
        var sums = SampleSums(drawn, options.Draws, options.Seed);
        double At(double p) => Quantile(sums, p) + constant + shift;
        return new TailLatencyEstimate(At(0.50), At(0.90), At(0.99), options.Draws, options.Seed, drawn.Count, constantRuns, shift);
    }

    /// <summary>
    /// <paramref name="draws"/> sums of one independent draw from each of <paramref name="parts"/>, sorted ascending. Deterministic
    /// for a given <paramref name="seed"/>.
    /// </summary>
    public static double[] SampleSums(IReadOnlyList<LatencyDistribution> parts, int draws, int seed)
    {
        ArgumentNullException.ThrowIfNull(parts);
        ArgumentOutOfRangeException.ThrowIfLessThan(draws, 1);
        var random = new Random(seed);
        var sums = new double[draws];
        for (var d = 0; d < draws; d++)
        {
            var sum = 0.0;
            for (var i = 0; i < parts.Count; i++) sum += parts[i].Draw(random);
            sums[d] = sum;
        }
        Array.Sort(sums);
        return sums;
    }

    /// <summary>Nearest-rank quantile of sorted values.</summary>
    public static double Quantile(IReadOnlyList<double> sorted, double fraction)
    {
        ArgumentNullException.ThrowIfNull(sorted);
        if (sorted.Count == 0) return double.NaN;
        var rank = (int)Math.Ceiling(fraction * sorted.Count);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Count - 1)];
    }
}
