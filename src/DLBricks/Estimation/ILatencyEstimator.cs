using DLBricks.Export;
using DLBricks.Splitting;

namespace DLBricks.Estimation;

/// <summary>Composes a model latency from the latencies of the bricks in its recipe.</summary>
internal interface ILatencyEstimator
{
    /// <summary>The composition this estimator implements.</summary>
    EstimationMode Mode { get; }

    /// <summary>False when the recipe lacks what the mode needs (e.g. no overlap windows).</summary>
    bool CanEstimate(ModelRecipe recipe);

    /// <summary>Estimates the model's latency; missing bricks count as 0 ms and are listed in the result.</summary>
    /// <exception cref="InvalidDataException">The recipe is inconsistent (an edge to an unknown occurrence, a cycle, a window outside the model).</exception>
    LatencyEstimate Estimate(ModelRecipe recipe, BrickLatencies latencies, EstimateOptions options);
}
