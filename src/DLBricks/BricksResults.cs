using DLBricks.Estimation;
using DLBricks.Reporting;
using DLBricks.Splitting;

namespace DLBricks;

/// <summary>
/// One model's latency estimate, by estimator name: <see cref="Sequential"/> (the paper's sum of bricks),
/// <see cref="CriticalPath"/> and <see cref="OverlapCover"/>, each null when not computed.
/// </summary>
/// <param name="Model">Model name.</param>
/// <param name="Granularity">G the model was split at.</param>
/// <param name="Details">Every estimate with its per-brick breakdown, missing bricks and corrections.</param>
/// <param name="Reuse">
/// With <see cref="BricksOptions.BenchMissing"/>: how many of the model's unique bricks the store already held (the brick
/// cache hit rate), how many were benchmarked, and the measuring time the held ones saved; null otherwise.
/// </param>
public sealed record ModelLatencyEstimate(string Model, int Granularity, ModelEstimates Details, BrickReuse? Reuse)
{
    /// <summary>Bricks benchmarked for this estimate (0 without <see cref="BricksOptions.BenchMissing"/>).</summary>
    public int BricksMeasured => Reuse?.Missing ?? 0;

    /// <summary>Sum over every brick occurrence, in execution order.</summary>
    public LatencyEstimate? Sequential => Details.Get(EstimationMode.Sequential);

    /// <summary>Longest latency-weighted path through the brick DAG.</summary>
    public LatencyEstimate? CriticalPath => Details.Get(EstimationMode.CriticalPath);

    /// <summary>Cheapest cover by overlapping windows (only for splits with overlap windows).</summary>
    public LatencyEstimate? OverlapCover => Details.Get(EstimationMode.OverlapCover);

    /// <summary>The sequential estimate in milliseconds, or null when not computed.</summary>
    public double? SequentialMs => Sequential?.EstimateMs;

    /// <summary>The critical-path estimate in milliseconds, or null when not computed.</summary>
    public double? CriticalPathMs => CriticalPath?.EstimateMs;

    /// <summary>The overlap-cover estimate in milliseconds, or null when not computed.</summary>
    public double? OverlapCoverMs => OverlapCover?.EstimateMs;

    /// <summary>True when every brick every estimate needs has a result; otherwise each estimate is a lower bound.</summary>
    public bool IsComplete => Details.Estimates.All(e => e.IsComplete);

    /// <summary>Bricks without a successful result, once each.</summary>
    public IReadOnlyList<MissingBrick> Missing => Details.Estimates.SelectMany(e => e.Missing).DistinctBy(m => m.Hash).ToList();
}

/// <summary>What <see cref="Bricks.Split(IReadOnlyList{string}, string, BricksOptions?, IProgress{BricksProgress}?, CancellationToken)"/> produced.</summary>
/// <param name="Models">Each model's split summary or failure, in the order given.</param>
/// <param name="OutputDirectory">The split folder (null when no model could be split and nothing was written).</param>
/// <param name="Catalog">The catalog written (null when nothing was written).</param>
/// <param name="RefusedBricks">Multi-layer bricks ONNX Runtime refused (they fell back to single layers), with reasons.</param>
public sealed record SplitSummary(IReadOnlyList<ModelOutcome<ModelSplitSummary>> Models, string? OutputDirectory, BrickCatalog? Catalog,
    IReadOnlyDictionary<string, string> RefusedBricks)
{
    /// <summary>Unique bricks across all models.</summary>
    public int UniqueBricks => Catalog?.Bricks.Count ?? 0;
}

/// <summary>What an estimate produced.</summary>
/// <param name="Models">Each model's estimate or failure (a split folder gives one entry per recipe).</param>
/// <param name="SystemKey">System the estimates are for.</param>
/// <param name="ConfigurationKey">Configuration whose brick results they use.</param>
public sealed record EstimateSummary(IReadOnlyList<ModelOutcome<ModelLatencyEstimate>> Models, string SystemKey, string ConfigurationKey)
{
    /// <summary>Estimates that lack some brick results (lower bounds).</summary>
    public IReadOnlyList<ModelLatencyEstimate> Incomplete => Models.Results().Where(m => !m.IsComplete).ToList();
}

/// <summary>What a validation produced.</summary>
/// <param name="Models">Each model's rows (one per G) or failure.</param>
/// <param name="Report">The full report (null when no model could be validated).</param>
/// <param name="Headline">Geomean error, worst model and models within ±15 % per G.</param>
/// <param name="System">The machine measured on.</param>
/// <param name="Configuration">How models and bricks ran.</param>
public sealed record ValidationSummary(IReadOnlyList<ModelOutcome<IReadOnlyList<ModelValidationRow>>> Models, ValidationReport? Report,
    IReadOnlyList<ValidationHeadline> Headline, SystemFingerprint System, RunConfiguration Configuration);
