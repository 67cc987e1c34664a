using DLBricks.Export;
using DLBricks.Splitting;

namespace DLBricks.Estimation;

/// <summary>
/// The paper's estimate: the model runs its bricks one after another, so its latency is the sum of the latencies of all
/// brick occurrences (a brick used k times counts k times).
/// </summary>
internal sealed class SequentialEstimator : ILatencyEstimator
{
    /// <inheritdoc />
    public EstimationMode Mode => EstimationMode.Sequential;

    /// <inheritdoc />
    public bool CanEstimate(ModelRecipe recipe) => true;

    /// <inheritdoc />
    public LatencyEstimate Estimate(ModelRecipe recipe, BrickLatencies latencies, EstimateOptions options)
    {
        ArgumentNullException.ThrowIfNull(recipe);
        ArgumentNullException.ThrowIfNull(latencies);
        ArgumentNullException.ThrowIfNull(options);
        var counted = recipe.Occurrences.Select(o => o.Hash).ToList();
        return EstimateComposer.Compose(recipe, Mode, counted, EstimateComposer.OccurrenceCounts(recipe), [], latencies, options);
    }
}
