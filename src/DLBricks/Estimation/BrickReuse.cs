namespace DLBricks.Estimation;

/// <summary>
/// How much of a model's benchmarking a results store already held when the model was estimated: the "brick cache hit
/// rate" of <c>estimate --bench-missing</c>, and the measuring time the stored bricks saved.
/// </summary>
/// <param name="Model">Model name.</param>
/// <param name="UniqueBricks">Distinct bricks of the model's split (windows included with overlap).</param>
/// <param name="AlreadyMeasured">Of those, bricks with a successful result stored for the system and configuration.</param>
/// <param name="SavedMeasuredMs">
/// Σ over the already-measured bricks of their stored mean latency × measured iterations (N): the time their measured
/// iterations took when they were benchmarked. A lower bound of the time saved: it leaves out each brick's fixed cost
/// (BenchmarkDotNet's setup, pilot and warmup, session creation), which is usually larger.
/// </param>
public sealed record BrickReuse(string Model, int UniqueBricks, int AlreadyMeasured, double SavedMeasuredMs)
{
    /// <summary>Bricks that had to be benchmarked (or were found failed before).</summary>
    public int Missing => UniqueBricks - AlreadyMeasured;

    /// <summary>Share of the model's distinct bricks already measured; 1 for a model without bricks.</summary>
    public double HitRate => UniqueBricks == 0 ? 1 : (double)AlreadyMeasured / UniqueBricks;

    /// <summary>
    /// The reuse of a model whose distinct bricks are <paramref name="brickHashes"/> against the results <paramref name="stored"/>
    /// for one system and configuration (duplicates in <paramref name="brickHashes"/> count once).
    /// </summary>
    internal static BrickReuse Of(string model, IEnumerable<string> brickHashes, IReadOnlyDictionary<string, BrickResult> stored)
    {
        var unique = 0;
        var hits = 0;
        var savedMs = 0.0;
        foreach (var hash in brickHashes.Distinct(StringComparer.Ordinal))
        {
            unique++;
            if (!stored.TryGetValue(hash, out var result) || !result.Succeeded) continue;
            hits++;
            savedMs += result.Statistics!.Mean * result.Statistics.N;
        }
        return new BrickReuse(model, unique, hits, savedMs);
    }

    /// <summary>One line for the CLI and the sample, e.g. <c>resnet18: brick cache hit rate 92% (44 of 48 …)</c>.</summary>
    public override string ToString() => FormattableString.Invariant(
        $"{Model}: brick cache hit rate {Percent(HitRate)} ({AlreadyMeasured} of {UniqueBricks} unique bricks already measured, {Missing} to measure); ") +
        FormattableString.Invariant($"time saved ≥ {SavedMeasuredMs / 1000:0.00} s (stored bricks' mean latency × measured iterations, fixed per-brick cost not counted)");

    /// <summary>A share as a whole percentage, <c>92%</c>, the same in every culture.</summary>
    internal static string Percent(double share) => FormattableString.Invariant($"{share * 100:0}%");
}
