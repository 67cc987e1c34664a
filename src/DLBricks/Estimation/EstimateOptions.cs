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

    /// <summary>The corrections, never null.</summary>
    public IReadOnlyList<IEstimateCorrection> CorrectionList => Corrections ?? [];
}
