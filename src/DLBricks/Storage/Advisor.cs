using DLBricks.Export;
using DLBricks.Splitting;

namespace DLBricks.Storage;

/// <summary>How fast one model would run on one system under one configuration, from the bricks measured there.</summary>
/// <param name="System">The machine.</param>
/// <param name="Configuration">How the bricks were run.</param>
/// <param name="EstimateMs">Sequential estimate: the sum, over the model's brick occurrences, of the brick's median latency. With missing bricks it covers only the measured ones (a lower bound).</param>
/// <param name="MeasuredBricks">Distinct bricks of the model with a successful result here.</param>
/// <param name="NeededBricks">Distinct bricks of the model.</param>
/// <param name="MissingBricks">Hashes of the bricks without a successful result here.</param>
internal sealed record SystemAdvice(
    SystemFingerprint System,
    RunConfiguration Configuration,
    double EstimateMs,
    int MeasuredBricks,
    int NeededBricks,
    IReadOnlyList<string> MissingBricks)
{
    /// <summary>Share of the model's distinct bricks measured here, 0..1.</summary>
    public double Coverage => NeededBricks == 0 ? 1 : (double)MeasuredBricks / NeededBricks;

    /// <summary>True when every brick was measured, so <see cref="EstimateMs"/> is a full estimate.</summary>
    public bool IsComplete => MeasuredBricks == NeededBricks;
}

/// <summary>A model's estimate on every system and configuration of a store, fastest first.</summary>
/// <param name="Model">Model name.</param>
/// <param name="Granularity">G of the split.</param>
/// <param name="Occurrences">Brick occurrences in the model.</param>
/// <param name="UniqueBricks">Distinct bricks in the model.</param>
/// <param name="Ranking">Complete estimates fastest first, then partial ones by coverage.</param>
internal sealed record ModelAdvice(string Model, int Granularity, int Occurrences, int UniqueBricks, IReadOnlyList<SystemAdvice> Ranking);

/// <summary>
/// Cross-system advice (<c>dlbricks advise</c>): which of the machines and configurations whose results a store holds runs a
/// model fastest. Only the model's private recipe and the store's public brick results are needed: the model never leaves
/// its owner. The estimate is the paper's sequential sum over the recipe's occurrences of each brick's median latency.
/// </summary>
internal static class Advisor
{
    /// <summary>Estimates <paramref name="recipe"/> on every (system, configuration) of <paramref name="store"/> holding at least one of its bricks.</summary>
    public static ModelAdvice Advise(ModelRecipe recipe, IResultStore store)
    {
        var needed = recipe.Occurrences.Select(o => o.Hash).Distinct(StringComparer.Ordinal).ToList();
        var ranking = new List<SystemAdvice>();
        foreach (var (system, configuration) in store.ListSystems())
        {
            var results = store.GetResults(system.Key, configuration.Key);
            var medians = needed
                .Where(h => results.TryGetValue(h, out var r) && r.Succeeded)
                .ToDictionary(h => h, h => results[h].Statistics!.Median, StringComparer.Ordinal);
            if (medians.Count == 0)
                continue;
            // Sequential estimate (the paper's sum); SequentialEstimator in DLBricks.Estimation will own this once merged.
            var estimate = recipe.Occurrences.Sum(o => medians.TryGetValue(o.Hash, out var ms) ? ms : 0);
            var missing = needed.Where(h => !medians.ContainsKey(h)).ToList();
            ranking.Add(new SystemAdvice(system, configuration, estimate, medians.Count, needed.Count, missing));
        }
        var ordered = ranking
            .OrderByDescending(a => a.IsComplete)
            .ThenByDescending(a => a.IsComplete ? 0 : a.Coverage)
            .ThenBy(a => a.EstimateMs)
            .ThenBy(a => a.System.Key, StringComparer.Ordinal)
            .ThenBy(a => a.Configuration.Key, StringComparer.Ordinal)
            .ToList();
        return new ModelAdvice(recipe.Model, recipe.Granularity, recipe.Occurrences.Count, needed.Count, ordered);
    }
}
