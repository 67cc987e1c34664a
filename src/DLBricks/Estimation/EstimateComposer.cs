using DLBricks.Export;
using DLBricks.Splitting;

namespace DLBricks.Estimation;

/// <summary>Turns the brick runs an estimator counted into a <see cref="LatencyEstimate"/>: sums, breakdown, missing, corrections.</summary>
internal static class EstimateComposer
{
    // counted: brick hashes the estimate counts, one entry per run.
    // needed: hashes whose absence makes the estimate unreliable, with how often the model uses them.
    // composedMs: the composed latency when it is not the sum of the counted runs (a schedule on workers).
    public static LatencyEstimate Compose(
        ModelRecipe recipe,
        EstimationMode mode,
        IReadOnlyList<string> counted,
        IReadOnlyDictionary<string, int> needed,
        IReadOnlyList<int> path,
        BrickLatencies latencies,
        EstimateOptions options,
        double? composedMs = null)
    {
        var runsByHash = counted.GroupBy(h => h, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var parts = new List<(string Hash, int Runs, double PerRun)>();
        foreach (var (hash, runs) in runsByHash)
        {
            if (latencies.TryGet(hash, out var stats)) parts.Add((hash, runs, stats.Get(options.Statistic)));
        }
        var total = parts.Sum(p => p.Runs * p.PerRun);
        var breakdown = parts
            .Select(p => new BrickContribution(p.Hash, p.Runs, p.PerRun, p.Runs * p.PerRun, total > 0 ? p.Runs * p.PerRun / total : 0))
            .OrderByDescending(c => c.TotalMs).ThenBy(c => c.Hash, StringComparer.Ordinal)
            .ToList();
        var missing = needed
            .Where(n => !latencies.TryGet(n.Key, out _))
            .Select(n => new MissingBrick(n.Key, n.Value, latencies.MissingReason(n.Key)))
            .OrderByDescending(m => m.Occurrences).ThenBy(m => m.Hash, StringComparer.Ordinal)
            .ToList();

        // A schedule composes the counted runs into less than their sum; shares stay shares of the work.
        var composed = composedMs ?? total;
        var estimate = new LatencyEstimate(recipe.Model, recipe.Granularity, mode, options.Statistic, composed, composed, parts.Sum(p => p.Runs),
            breakdown.Count, breakdown, missing, [], path);
        foreach (var correction in options.CorrectionList)
        {
            var applied = correction.Apply(estimate);
            if (applied is null) continue;
            estimate = estimate with
            {
                EstimateMs = estimate.EstimateMs + applied.DeltaMs,
                Corrections = [.. estimate.Corrections, applied],
            };
        }
        return estimate;
    }

    /// <summary>How often each hash occurs in the recipe's occurrences.</summary>
    public static Dictionary<string, int> OccurrenceCounts(ModelRecipe recipe) =>
        recipe.Occurrences.GroupBy(o => o.Hash, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
}
