using DLBricks.Estimation;
using DLBricks.Export;
using DLBricks.Splitting;
using DLBricks.Storage;
using DLBricks.Validation;

namespace DLBricks;

/// <summary>
/// The front door of <c>dlbricks estimate</c>: a model's latency on a system from bricks benchmarked there, without running
/// the model. The model is split privately in memory; only bricks the store lacks are ever written out (to a temporary
/// folder, deleted afterwards) and benchmarked, on request.
/// </summary>
public static class EstimateRunner
{
    /// <summary>
    /// Estimates a split model from the store's results for one system and configuration. <paramref name="configurationKey"/> may
    /// name the configuration asked for or the one the recipe's bricks really ran with: bricks of an optimized source are stored
    /// under level <c>disabled</c> (<see cref="RunConfiguration.ForBricks"/>), and a registered configuration is mapped to it.
    /// </summary>
    public static ModelEstimates Estimate(ModelRecipe recipe, IResultStore store, string systemKey, string configurationKey,
        EstimateOptions? options = null, ModelEstimator? estimator = null)
    {
        if (store.FindConfiguration(configurationKey) is { } asked)
            configurationKey = asked.ForBricks(recipe.Source?.Kind).Key;
        var latencies = BrickLatencies.FromResults(store.GetResults(systemKey, configurationKey).Values);
        return (estimator ?? new ModelEstimator()).Estimate(recipe, latencies, options);
    }

    /// <summary>
    /// Benchmarks the bricks of <paramref name="split"/> that have no successful result for the engine's system and
    /// configuration, and returns how many of its bricks the store already held (the brick cache hit rate) and the measuring
    /// time they saved. A model never seen before works this way: split it, benchmark only its new bricks, estimate.
    /// </summary>
    public static BrickReuse BenchMissing(ModelSplit split, LayerSourceInfo source, EngineMeasurement engine, IResultStore store,
        IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        var stored = store.GetResults(engine.System.Key, engine.Configuration.ForBricks(source.Kind).Key);
        var bricks = split.Pieces.Concat(split.Windows).Select(p => p.Brick).DistinctBy(b => b.Hash).ToList();
        var reuse = BrickReuse.Of(split.Graph.Name, bricks.Select(b => b.Hash), stored);
        var missing = bricks.Where(b => !(stored.TryGetValue(b.Hash, out var r) && r.Succeeded)).ToList();
        if (missing.Count == 0) return reuse;
        var folder = Path.Combine(Path.GetTempPath(), $"dlbricks-missing-{Guid.NewGuid():N}");
        try
        {
            BrickCatalog catalog;
            using (var exporter = new BrickExporter(folder, source))
            {
                foreach (var brick in missing) exporter.AddBrick(brick);
                catalog = exporter.Commit();
            }
            progress?.Report($"{split.Graph.Name}: benchmarking {missing.Count} missing brick(s)");
            engine.MeasureBricks(catalog.Bricks.Select(b => new BrickLocation(folder, b)).ToList(), progress, cancellationToken);
            return reuse;
        }
        finally
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
    }
}
