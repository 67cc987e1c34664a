using DLBricks.Benchmarking;
using DLBricks.Export;
using DLBricks.Splitting;

namespace DLBricks.Validation;

/// <summary>A model to validate: where it is and its recipes (one per G).</summary>
/// <param name="Name">Model name, as in the recipes.</param>
/// <param name="ModelPath">The ONNX file measured end to end.</param>
/// <param name="Recipes">The model's recipes, one per granularity.</param>
internal sealed record ValidationModel(string Name, string ModelPath, IReadOnlyList<ModelRecipe> Recipes)
{
    /// <summary>Every distinct brick hash the model's recipes use (occurrences and overlap windows), in first-use order.</summary>
    public IReadOnlyList<string> BrickHashes() => Recipes
        .SelectMany(r => r.Occurrences.Select(o => o.Hash).Concat((r.Windows ?? []).Select(w => w.Hash)))
        .Distinct(StringComparer.Ordinal)
        .ToList();
}

/// <summary>What to validate and how hard to fight noise.</summary>
/// <param name="Models">Models in the order they are measured.</param>
/// <param name="EndToEndRepeats">
/// End-to-end measurements per model (at least 2). They are spread over the brick measurements: one before the model's
/// bricks, one after, the rest between equal slices of them, so slow drifts (thermal, neighbours) show up as spread
/// instead of silently biasing the ratio.
/// </param>
/// <param name="SpreadThreshold">A ratio is flagged untrustworthy when (max − min) / median of the repeated end-to-end values exceeds this.</param>
/// <param name="Statistic">Which statistic of each end-to-end measurement is compared (the estimate must use the same one).</param>
/// <param name="MaxEndToEndRepeats">
/// Adaptive cap: when above <paramref name="EndToEndRepeats"/>, a model whose repeats spread more than the threshold is measured
/// again, up to this many times in all, and its latency comes from the <paramref name="EndToEndRepeats"/> repeats that agree
/// best. 0 (or any value not above <paramref name="EndToEndRepeats"/>) measures exactly <paramref name="EndToEndRepeats"/> times.
/// </param>
internal sealed record ValidationPlan(
    IReadOnlyList<ValidationModel> Models,
    int EndToEndRepeats = 3,
    double SpreadThreshold = 0.05,
    LatencyStatistic Statistic = LatencyStatistic.Median,
    int MaxEndToEndRepeats = 0)
{
    internal void Validate()
    {
        if (Models.Count == 0) throw new ArgumentException("the plan has no models.", nameof(Models));
        if (EndToEndRepeats < 2) throw new ArgumentOutOfRangeException(nameof(EndToEndRepeats), EndToEndRepeats, "at least 2 repeats are needed to see spread.");
        if (SpreadThreshold < 0) throw new ArgumentOutOfRangeException(nameof(SpreadThreshold), SpreadThreshold, null);
        var duplicate = Models.GroupBy(m => m.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new ArgumentException($"model '{duplicate.Key}' appears twice in the plan.", nameof(Models));
    }
}
