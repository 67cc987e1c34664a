using DLBricks.Benchmarking;

namespace DLBricks.Estimation;

/// <summary>Choices shared by every estimator.</summary>
/// <param name="Statistic">Per-brick statistic to compose (median by default).</param>
/// <param name="Corrections">Corrections applied after composing, in order; empty means raw brick sums.</param>
internal sealed record EstimateOptions(LatencyStatistic Statistic = LatencyStatistic.Median, IReadOnlyList<IEstimateCorrection>? Corrections = null)
{
    /// <summary>Median, no corrections.</summary>
    public static EstimateOptions Default { get; } = new();

    /// <summary>The Monte Carlo tail estimate (P50/P90/P99) next to the others; <see cref="TailEstimateOptions.Off"/> skips it.</summary>
    public TailEstimateOptions Tail { get; init; } = TailEstimateOptions.Default;

    /// <summary>
    /// The system's speedup when the executor runs bricks concurrently (<see cref="ConcurrencyProfile"/>); when set, the
    /// critical-path estimate is the time of the brick DAG scheduled on its workers at that speedup (one worker: the sum)
    /// instead of the longest path alone (which assumes unlimited, perfectly overlapping workers). Null: the longest path.
    /// </summary>
    public ConcurrencyProfile? Concurrency { get; init; }

    /// <summary>The corrections, never null.</summary>
    public IReadOnlyList<IEstimateCorrection> CorrectionList => Corrections ?? [];
}
