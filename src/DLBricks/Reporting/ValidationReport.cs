using System.Text.Json.Serialization;

namespace DLBricks.Reporting;

/// <summary>One model at one G: measured against estimated latency.</summary>
/// <param name="Model">Model name.</param>
/// <param name="G">Granularity of the recipe.</param>
/// <param name="E2eMs">End-to-end latency: median of the repeated end-to-end measurements.</param>
/// <param name="E2eSpread">(max − min) / median of the repeated end-to-end measurements.</param>
/// <param name="Trustworthy">False when the spread exceeded the plan's threshold.</param>
/// <param name="EstimateMs">Sequential estimate (the paper's).</param>
/// <param name="EstimateCriticalPathMs">Critical-path estimate.</param>
/// <param name="EstimateOverlapMs">Overlap-cover estimate, when the recipe has windows.</param>
/// <param name="Normalized"><see cref="EstimateMs"/> / <see cref="E2eMs"/> (the paper's normalized latency).</param>
/// <param name="NormalizedCriticalPath"><see cref="EstimateCriticalPathMs"/> / <see cref="E2eMs"/>.</param>
/// <param name="NormalizedOverlap"><see cref="EstimateOverlapMs"/> / <see cref="E2eMs"/>, when present.</param>
/// <param name="Bricks">Brick occurrences in the recipe.</param>
/// <param name="UniqueBricks">Distinct bricks in the recipe.</param>
/// <param name="MissingBricks">Hashes without a successful result (the estimates treat them as 0 ms).</param>
/// <param name="EstimateUncorrectedMs">Sequential estimate before corrections (equal to <paramref name="EstimateMs"/> without corrections).</param>
/// <param name="NormalizedUncorrected"><paramref name="EstimateUncorrectedMs"/> / <paramref name="E2eMs"/>.</param>
public sealed record ModelValidationRow(
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("g")] int G,
    [property: JsonPropertyName("e2e_ms")] double E2eMs,
    [property: JsonPropertyName("e2e_spread")] double E2eSpread,
    [property: JsonPropertyName("trustworthy")] bool Trustworthy,
    [property: JsonPropertyName("estimate_ms")] double EstimateMs,
    [property: JsonPropertyName("estimate_critical_path_ms")] double EstimateCriticalPathMs,
    [property: JsonPropertyName("estimate_overlap_ms")] double? EstimateOverlapMs,
    [property: JsonPropertyName("normalized")] double Normalized,
    [property: JsonPropertyName("normalized_critical_path")] double NormalizedCriticalPath,
    [property: JsonPropertyName("normalized_overlap")] double? NormalizedOverlap,
    [property: JsonPropertyName("bricks")] int Bricks,
    [property: JsonPropertyName("unique_bricks")] int UniqueBricks,
    [property: JsonPropertyName("missing_bricks")] IReadOnlyList<string> MissingBricks,
    [property: JsonPropertyName("estimate_uncorrected_ms")] double EstimateUncorrectedMs,
    [property: JsonPropertyName("normalized_uncorrected")] double NormalizedUncorrected)
{
    /// <summary>The model name again, under the key the CLI contract names (<c>name</c>); <c>model</c> is kept for older readers.</summary>
    [JsonPropertyName("name")]
    public string Name => Model;

    /// <summary>The model's inputs as split and measured (<c>data=8x3x224x224</c>): batch and sequence sizes; empty when unknown.</summary>
    [JsonPropertyName("inputs")]
    public string Inputs { get; init; } = "";

    /// <summary>Measured single-stream median: the end-to-end repeats' per-iteration latencies pooled; null without samples.</summary>
    [JsonPropertyName("e2e_p50_ms")]
    public double? E2eP50Ms { get; init; }

    /// <summary>Measured single-stream P90 (pooled per-iteration latencies of the end-to-end repeats).</summary>
    [JsonPropertyName("e2e_p90_ms")]
    public double? E2eP90Ms { get; init; }

    /// <summary>Measured single-stream P99 (pooled per-iteration latencies of the end-to-end repeats).</summary>
    [JsonPropertyName("e2e_p99_ms")]
    public double? E2eP99Ms { get; init; }

    /// <summary>Per-iteration latencies the measured quantiles come from (0 without samples).</summary>
    [JsonPropertyName("e2e_samples")]
    public int E2eSamples { get; init; }

    /// <summary>Monte Carlo P50 of the sum of brick distributions (sequential composition); null without distributions.</summary>
    [JsonPropertyName("estimate_p50_ms")]
    public double? EstimateP50Ms { get; init; }

    /// <summary>Monte Carlo P90 of the sum of brick distributions.</summary>
    [JsonPropertyName("estimate_p90_ms")]
    public double? EstimateP90Ms { get; init; }

    /// <summary>Monte Carlo P99 of the sum of brick distributions.</summary>
    [JsonPropertyName("estimate_p99_ms")]
    public double? EstimateP99Ms { get; init; }

    /// <summary><see cref="EstimateP90Ms"/> / <see cref="E2eP90Ms"/>, when both exist.</summary>
    [JsonPropertyName("normalized_p90")]
    public double? NormalizedP90 { get; init; }

    /// <summary><see cref="EstimateP99Ms"/> / <see cref="E2eP99Ms"/>, when both exist.</summary>
    [JsonPropertyName("normalized_p99")]
    public double? NormalizedP99 { get; init; }
}

/// <summary>Aggregates over all models at one G.</summary>
/// <param name="G">Granularity.</param>
/// <param name="Models">Models with a recipe at this G.</param>
/// <param name="GeomeanNormalized">Geometric mean of the normalized (sequential) latencies.</param>
/// <param name="MinNormalized">Smallest normalized latency.</param>
/// <param name="MaxNormalized">Largest normalized latency.</param>
/// <param name="GeomeanNormalizedCriticalPath">Geometric mean of the critical-path normalized latencies.</param>
/// <param name="Speedup">Benchmarking-time speedup: Σ models' e2e latency / Σ latency of the unique bricks across all models.</param>
/// <param name="E2eSumMs">Σ of the models' end-to-end latencies.</param>
/// <param name="UniqueBricks">Distinct bricks across all models' recipes at this G.</param>
/// <param name="UniqueBrickSumMs">Σ latency of those bricks that were measured.</param>
/// <param name="Untrustworthy">Models whose end-to-end spread exceeded the threshold.</param>
/// <param name="GeomeanNormalizedUncorrected">Geometric mean of the normalized sequential estimates before corrections.</param>
public sealed record GranularitySummary(
    [property: JsonPropertyName("g")] int G,
    [property: JsonPropertyName("models")] int Models,
    [property: JsonPropertyName("geomean_normalized")] double GeomeanNormalized,
    [property: JsonPropertyName("min_normalized")] double MinNormalized,
    [property: JsonPropertyName("max_normalized")] double MaxNormalized,
    [property: JsonPropertyName("geomean_normalized_critical_path")] double GeomeanNormalizedCriticalPath,
    [property: JsonPropertyName("speedup")] double Speedup,
    [property: JsonPropertyName("e2e_sum_ms")] double E2eSumMs,
    [property: JsonPropertyName("unique_bricks")] int UniqueBricks,
    [property: JsonPropertyName("unique_brick_sum_ms")] double UniqueBrickSumMs,
    [property: JsonPropertyName("untrustworthy")] int Untrustworthy,
    [property: JsonPropertyName("geomean_normalized_uncorrected")] double GeomeanNormalizedUncorrected)
{
    /// <summary>Models with both a P90 estimate and a measured P90.</summary>
    [JsonPropertyName("tail_models")]
    public int TailModels { get; init; }

    /// <summary>Geometric mean of <see cref="ModelValidationRow.NormalizedP90"/>; NaN without tail rows.</summary>
    [JsonPropertyName("geomean_normalized_p90")]
    public double GeomeanNormalizedP90 { get; init; } = double.NaN;

    /// <summary>Models whose P90 estimate is within ±10 % of the measured P90.</summary>
    [JsonPropertyName("p90_within_10_percent")]
    public int P90WithinTenPercent { get; init; }

    /// <summary>Geometric mean of <see cref="ModelValidationRow.NormalizedP99"/>; NaN without tail rows.</summary>
    [JsonPropertyName("geomean_normalized_p99")]
    public double GeomeanNormalizedP99 { get; init; } = double.NaN;
}

/// <summary>Real wall-clock cost of the validation's phases: split, measuring bricks and measuring models end to end.</summary>
/// <param name="EndToEndSeconds">Time spent measuring whole models (all repeats).</param>
/// <param name="BricksSeconds">Time spent measuring bricks (all G together; shared bricks once).</param>
/// <param name="EndToEndMeasurements">End-to-end measurements made (models × repeats).</param>
/// <param name="BricksMeasured">Bricks measured.</param>
/// <param name="SplitSeconds">Time spent splitting the models at every G, when known.</param>
/// <param name="Models">Models measured end to end, to turn <paramref name="EndToEndSeconds"/> into the cost of one pass.</param>
public sealed record PipelineTimingRow(
    [property: JsonPropertyName("e2e_seconds")] double EndToEndSeconds,
    [property: JsonPropertyName("bricks_seconds")] double BricksSeconds,
    [property: JsonPropertyName("e2e_measurements")] int EndToEndMeasurements,
    [property: JsonPropertyName("bricks_measured")] int BricksMeasured,
    [property: JsonPropertyName("split_seconds")] double? SplitSeconds = null,
    [property: JsonPropertyName("models")] int Models = 0)
{
    /// <summary>What measuring every model once end to end cost: <see cref="EndToEndSeconds"/> per repeat; null when unknown.</summary>
    [JsonPropertyName("e2e_seconds_per_pass")]
    public double? EndToEndSecondsPerPass => Models > 0 && EndToEndMeasurements > 0 ? EndToEndSeconds * Models / EndToEndMeasurements : null;

    /// <summary>
    /// <see cref="BricksSeconds"/> / <see cref="EndToEndSecondsPerPass"/>: below 1 the bricks cost less than one end-to-end pass of
    /// the same models.
    /// </summary>
    [JsonPropertyName("bricks_per_e2e_pass")]
    public double? BricksPerEndToEndPass => EndToEndSecondsPerPass is > 0 and var pass ? BricksSeconds / pass : null;
}

/// <summary>Observation 1 for one model: per-node time sum vs end-to-end run time.</summary>
/// <param name="Model">Model.</param>
/// <param name="E2eMs">Median time around the run, as the caller saw it.</param>
/// <param name="TraceRunMs">Median <c>model_run</c> time in the trace.</param>
/// <param name="NodeSumMs">Median per-run sum of node kernel times.</param>
/// <param name="NodeShare"><see cref="NodeSumMs"/> / <see cref="E2eMs"/>.</param>
public sealed record ProfileRow(
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("e2e_ms")] double E2eMs,
    [property: JsonPropertyName("trace_run_ms")] double TraceRunMs,
    [property: JsonPropertyName("node_sum_ms")] double NodeSumMs,
    [property: JsonPropertyName("node_share")] double NodeShare);

/// <summary>The end-to-end validation of brick estimates (paper §5: Fig. 10–12).</summary>
/// <param name="GeneratedAt">When the report was built.</param>
/// <param name="Statistic">Statistic used for bricks and end-to-end alike.</param>
/// <param name="SpreadThreshold">Spread above which a ratio is flagged.</param>
/// <param name="Corrections">Names of the corrections applied to the estimates (empty: raw sums).</param>
/// <param name="Models">One row per model and G.</param>
/// <param name="Summary">One row per G.</param>
/// <param name="Timing">Wall-clock time of both pipelines, if measured.</param>
/// <param name="Profiles">Observation-1 rows, if profiled.</param>
/// <param name="CallOverheadMs">The per-call cost the fixed-cost correction used, when it was on.</param>
/// <param name="Reproducibility">
/// Run-to-run figures when the validation was repeated (<c>--runs K</c>, K ≥ 2); the other fields are then those of the first run.
/// </param>
public sealed record ValidationReport(
    [property: JsonPropertyName("generated_at")] DateTimeOffset GeneratedAt,
    [property: JsonPropertyName("statistic")] string Statistic,
    [property: JsonPropertyName("spread_threshold")] double SpreadThreshold,
    [property: JsonPropertyName("corrections")] IReadOnlyList<string> Corrections,
    [property: JsonPropertyName("models")] IReadOnlyList<ModelValidationRow> Models,
    [property: JsonPropertyName("summary")] IReadOnlyList<GranularitySummary> Summary,
    [property: JsonPropertyName("timing")] PipelineTimingRow? Timing,
    [property: JsonPropertyName("profiles")] IReadOnlyList<ProfileRow> Profiles,
    [property: JsonPropertyName("call_overhead_ms")] double? CallOverheadMs = null,
    [property: JsonPropertyName("reproducibility")] ReproducibilityReport? Reproducibility = null)
{
    /// <summary>
    /// The speedup of concurrent bricks the critical-path estimates were scheduled with (the parallel executor); null when the
    /// configuration runs one brick at a time or the schedule was off.
    /// </summary>
    [JsonPropertyName("concurrency")]
    public ConcurrencyProfile? Concurrency { get; init; }

    /// <summary>Models that failed at some step (with the step and the reason); the rest of the report covers the others.</summary>
    [JsonPropertyName("failures")]
    public IReadOnlyList<ModelFailure> Failures { get; init; } = [];
}
