using DLBricks.Export;
using DLBricks.Splitting;

namespace DLBricks.Estimation;

/// <summary>Every applicable estimate of one recipe.</summary>
/// <param name="Model">Model name.</param>
/// <param name="Granularity">G of the recipe.</param>
/// <param name="Estimates">One estimate per applicable mode, in <see cref="EstimationMode"/> order.</param>
public sealed record ModelEstimates(string Model, int Granularity, IReadOnlyList<LatencyEstimate> Estimates)
{
    /// <summary>Single-stream P50/P90/P99 composed from the bricks' distributions; null when none was stored or it was turned off.</summary>
    public TailLatencyEstimate? Tail { get; init; }

    /// <summary>The inputs (batch and sequence sizes) the model was split at; null for recipes that did not record them.</summary>
    public IReadOnlyList<RecipeInput>? Inputs { get; init; }

    /// <summary>The estimate in <paramref name="mode"/>, or null when the recipe did not allow it.</summary>
    public LatencyEstimate? Get(EstimationMode mode) => Estimates.FirstOrDefault(e => e.Mode == mode);
}

/// <summary>Runs the estimators that apply to a recipe: sequential and critical path always, overlap cover with windows.</summary>
internal sealed class ModelEstimator
{
    private readonly IReadOnlyList<ILatencyEstimator> _estimators;

    /// <summary>Uses the three built-in estimators.</summary>
    public ModelEstimator() : this([new SequentialEstimator(), new CriticalPathEstimator(), new OverlapCoverEstimator()])
    {
    }

    /// <summary>Uses the given estimators (e.g. to restrict the modes).</summary>
    public ModelEstimator(IReadOnlyList<ILatencyEstimator> estimators)
    {
        ArgumentNullException.ThrowIfNull(estimators);
        _estimators = estimators;
    }

    /// <summary>The estimator for <paramref name="mode"/>.</summary>
    public static ILatencyEstimator For(EstimationMode mode) => mode switch
    {
        EstimationMode.Sequential => new SequentialEstimator(),
        EstimationMode.CriticalPath => new CriticalPathEstimator(),
        EstimationMode.OverlapCover => new OverlapCoverEstimator(),
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, null),
    };

    /// <summary>Estimates <paramref name="recipe"/> in every applicable mode.</summary>
    /// <exception cref="InvalidDataException">The recipe is inconsistent.</exception>
    public ModelEstimates Estimate(ModelRecipe recipe, BrickLatencies latencies, EstimateOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(recipe);
        options ??= EstimateOptions.Default;
        var estimates = _estimators
            .Where(e => e.CanEstimate(recipe))
            .OrderBy(e => e.Mode)
            .Select(e => e.Estimate(recipe, latencies, options))
            .ToList();
        // The tail composes the sequential sum; its corrections shift the tail as they shift the median estimate.
        TailLatencyEstimate? tail = null;
        if (options.Tail.Draws > 0)
        {
            var sequential = estimates.FirstOrDefault(e => e.Mode == EstimationMode.Sequential)
                             ?? new SequentialEstimator().Estimate(recipe, latencies, options);
            tail = TailLatencyEstimator.Estimate(recipe, latencies, sequential, options.Tail);
        }
        return new ModelEstimates(recipe.Model, recipe.Granularity, estimates) { Tail = tail, Inputs = recipe.Inputs };
    }
}
