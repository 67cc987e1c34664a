namespace DLBricks.Splitting;

/// <summary>How much one model repeats itself: layers, distinct layers and bricks.</summary>
/// <param name="Model">Model name.</param>
/// <param name="Layers">Layers.</param>
/// <param name="UniqueLayers">Distinct layers (single-layer hashes).</param>
/// <param name="Bricks">Brick occurrences at the chosen G.</param>
/// <param name="UniqueBricks">Distinct bricks at the chosen G.</param>
internal sealed record ModelRepetition(string Model, int Layers, int UniqueLayers, int Bricks, int UniqueBricks)
{
    /// <summary>Distinct layers as a percentage of layers.</summary>
    public double UniquePercent => Layers == 0 ? 0 : 100.0 * UniqueLayers / Layers;
}

/// <summary>
/// Layer repetition within and across models (the paper's Section 3 analysis): per model counts, total versus unique
/// layers over all models, and the Jaccard similarity of every pair of models' layer sets (the paper's Figure 7).
/// </summary>
/// <param name="Models">Per-model counts, in input order.</param>
/// <param name="TotalLayers">Sum of layers over models.</param>
/// <param name="UniqueLayers">Distinct layers over all models.</param>
/// <param name="TotalBricks">Sum of brick occurrences over models.</param>
/// <param name="UniqueBricks">Distinct bricks over all models.</param>
/// <param name="Jaccard">Jaccard[i][j] = |L_i ∩ L_j| / |L_i ∪ L_j| over distinct layer hashes.</param>
internal sealed record RepetitionStatistics(
    IReadOnlyList<ModelRepetition> Models,
    int TotalLayers,
    int UniqueLayers,
    int TotalBricks,
    int UniqueBricks,
    double[][] Jaccard)
{
    /// <summary>Computes the statistics of a set of splits.</summary>
    public static RepetitionStatistics Of(IReadOnlyList<ModelSplit> splits) => Of(splits.Select(s => s.Hashes()).ToList());

    /// <summary>Computes the statistics from splits' hashes (what a caller keeps for many models instead of their graphs).</summary>
    public static RepetitionStatistics Of(IReadOnlyList<SplitHashes> splits)
    {
        var layerSets = splits.Select(s => s.LayerHashes.ToHashSet(StringComparer.Ordinal)).ToList();
        var models = splits.Select((s, i) => new ModelRepetition(s.Model, s.LayerHashes.Count, layerSets[i].Count,
            s.BrickHashes.Count, s.BrickHashes.Distinct().Count())).ToList();
        var jaccard = new double[splits.Count][];
        for (var i = 0; i < splits.Count; i++)
        {
            jaccard[i] = new double[splits.Count];
            for (var j = 0; j < splits.Count; j++)
            {
                var union = layerSets[i].Count + layerSets[j].Count - layerSets[i].Count(layerSets[j].Contains);
                jaccard[i][j] = union == 0 ? 0 : (double)layerSets[i].Count(layerSets[j].Contains) / union;
            }
        }
        return new RepetitionStatistics(
            models,
            models.Sum(m => m.Layers),
            splits.SelectMany(s => s.LayerHashes).Distinct().Count(),
            models.Sum(m => m.Bricks),
            splits.SelectMany(s => s.BrickHashes).Distinct().Count(),
            jaccard);
    }
}
