using DLBricks.Export;
using DLBricks.Splitting;

namespace DLBricks.Estimation;

/// <summary>
/// With overlapping windows (<c>--overlap</c>), any exact cover of the layer sequence 0..LayerCount−1 by consecutive
/// windows is a valid way to run the model brick by brick. This picks the cheapest one by dynamic programming over
/// layer positions: cost(p) = min over windows w starting at p of latency(w) + cost(p + |w|), cost(LayerCount) = 0.
/// The recipe's own occurrences are always candidates, so a cover exists whenever the recipe is consistent.
/// Covers are compared first by how many unmeasured windows they use, then by latency, so missing bricks are avoided
/// when possible and named when not.
/// </summary>
internal sealed class OverlapCoverEstimator : ILatencyEstimator
{
    /// <inheritdoc />
    public EstimationMode Mode => EstimationMode.OverlapCover;

    /// <inheritdoc />
    public bool CanEstimate(ModelRecipe recipe) => recipe.Windows is { Count: > 0 };

    /// <inheritdoc />
    public LatencyEstimate Estimate(ModelRecipe recipe, BrickLatencies latencies, EstimateOptions options)
    {
        ArgumentNullException.ThrowIfNull(recipe);
        ArgumentNullException.ThrowIfNull(latencies);
        ArgumentNullException.ThrowIfNull(options);

        var n = recipe.LayerCount;
        var windowsByStart = new List<BrickWindow>[n];
        for (var i = 0; i < n; i++) windowsByStart[i] = [];
        var candidates = (recipe.Windows ?? [])
            .Concat(recipe.Occurrences.Select(o => new BrickWindow(o.FirstLayer, o.LayerCount, o.Hash)))
            .Distinct();
        foreach (var w in candidates)
        {
            if (w.LayerCount < 1 || w.FirstLayer < 0 || w.FirstLayer + w.LayerCount > n)
                throw new InvalidDataException(
                    $"recipe {recipe.Model} (G={recipe.Granularity}): window [{w.FirstLayer}, {w.FirstLayer + w.LayerCount}) lies outside the {n} layers.");
            windowsByStart[w.FirstLayer].Add(w);
        }

        var best = new (int Missing, double Cost, BrickWindow? Choice)[n + 1];
        best[n] = (0, 0, null);
        for (var p = n - 1; p >= 0; p--)
        {
            best[p] = (int.MaxValue, double.PositiveInfinity, null);
            foreach (var w in windowsByStart[p])
            {
                var rest = best[p + w.LayerCount];
                if (rest.Missing == int.MaxValue) continue;
                var measured = latencies.TryGet(w.Hash, out var stats);
                var candidate = (Missing: rest.Missing + (measured ? 0 : 1), Cost: rest.Cost + (measured ? stats.Get(options.Statistic) : 0));
                if (candidate.Missing < best[p].Missing || (candidate.Missing == best[p].Missing && candidate.Cost < best[p].Cost))
                    best[p] = (candidate.Missing, candidate.Cost, w);
            }
        }
        if (n > 0 && best[0].Choice is null)
            throw new InvalidDataException($"recipe {recipe.Model} (G={recipe.Granularity}): the windows do not cover all {n} layers.");

        var cover = new List<BrickWindow>();
        for (var p = 0; p < n; p += cover[^1].LayerCount) cover.Add(best[p].Choice!);

        var counted = cover.Select(w => w.Hash).ToList();
        var needed = counted.GroupBy(h => h, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        return EstimateComposer.Compose(recipe, Mode, counted, needed, cover.Select(w => w.FirstLayer).ToList(), latencies, options);
    }
}
