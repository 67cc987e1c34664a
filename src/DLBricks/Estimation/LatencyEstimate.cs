using DLBricks.Benchmarking;

namespace DLBricks.Estimation;

/// <summary>What one brick adds to an estimate.</summary>
/// <param name="Hash">Brick hash.</param>
/// <param name="Occurrences">How many times the estimate counts the brick.</param>
/// <param name="PerRunMs">Latency of one run of the brick (the chosen statistic).</param>
/// <param name="TotalMs"><see cref="Occurrences"/> × <see cref="PerRunMs"/>.</param>
/// <param name="Share">Fraction of the uncorrected estimate this brick accounts for (0..1).</param>
public sealed record BrickContribution(string Hash, int Occurrences, double PerRunMs, double TotalMs, double Share);

/// <summary>A brick the estimate needed but had no successful measurement for.</summary>
/// <param name="Hash">Brick hash.</param>
/// <param name="Occurrences">How many times the estimate would have counted it.</param>
/// <param name="Reason">"not measured" or the stored failure.</param>
public sealed record MissingBrick(string Hash, int Occurrences, string Reason);

/// <summary>A correction that changed an estimate, and why.</summary>
/// <param name="Name">Short name (e.g. <c>fixed-cost</c>).</param>
/// <param name="DeltaMs">Amount added to the estimate (negative when it shrinks).</param>
/// <param name="Explanation">One sentence with the numbers used.</param>
public sealed record AppliedCorrection(string Name, double DeltaMs, string Explanation);

/// <summary>
/// A model latency composed from brick latencies in one <see cref="EstimationMode"/>.
/// </summary>
/// <param name="Model">Model name from the recipe.</param>
/// <param name="Granularity">G of the recipe.</param>
/// <param name="Mode">How the bricks were composed.</param>
/// <param name="Statistic">Which per-brick statistic was used.</param>
/// <param name="EstimateMs">The estimate after corrections.</param>
/// <param name="UncorrectedMs">The composed brick latencies before corrections.</param>
/// <param name="BrickRuns">Measured brick runs the estimate counts (occurrences, path length or cover size) — what a per-call cost multiplies.</param>
/// <param name="UniqueBricksUsed">Distinct measured bricks the estimate used.</param>
/// <param name="Breakdown">Per-brick contributions, largest first.</param>
/// <param name="Missing">Bricks without a successful result; the estimate treats them as 0 ms, so it is a lower bound when this is non-empty.</param>
/// <param name="Corrections">Corrections applied, in order.</param>
/// <param name="Path">Occurrence indices (critical path) or window start layers (overlap cover) the estimate followed; empty for sequential.</param>
public sealed record LatencyEstimate(
    string Model,
    int Granularity,
    EstimationMode Mode,
    LatencyStatistic Statistic,
    double EstimateMs,
    double UncorrectedMs,
    int BrickRuns,
    int UniqueBricksUsed,
    IReadOnlyList<BrickContribution> Breakdown,
    IReadOnlyList<MissingBrick> Missing,
    IReadOnlyList<AppliedCorrection> Corrections,
    IReadOnlyList<int> Path)
{
    /// <summary>True when every brick the estimate needs was measured.</summary>
    public bool IsComplete => Missing.Count == 0;
}
