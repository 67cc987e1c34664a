using DLBricks.Export;
using DLBricks.Graph;
using DLBricks.Splitting;

namespace DLBricks;

/// <summary>Options of a split.</summary>
internal sealed record SplitOptions
{
    /// <summary>G: the most layers a brick may hold.</summary>
    public int Granularity { get; init; } = 1;

    /// <summary>Raw model or runtime-optimized model (default: optimized at level all, see <see cref="LayerSourceOptions.Default"/>).</summary>
    public LayerSourceOptions Source { get; init; } = LayerSourceOptions.Default;

    /// <summary>Also emit every window of up to G consecutive layers (for the overlap estimator).</summary>
    public bool Overlap { get; init; }

    /// <summary>Shapes, dims and values per model name; models not listed get <see cref="ModelInputBindings.None"/>.</summary>
    public Func<string, ModelInputBindings>? Bindings { get; init; }

    /// <summary>
    /// Load every brick written in ONNX Runtime from its final bytes before the split succeeds: a refused multi-layer
    /// candidate falls back as Algorithm 2 says (its first layer alone, reason kept in the catalog's fallbacks), and a
    /// refused single layer stops the split with the runtime's reason.
    /// </summary>
    public bool VerifyWithRuntime { get; init; } = true;

    /// <summary>
    /// Run <see cref="PrivacyAudit"/> on the split's public files before they reach the destination, and fail with
    /// <see cref="PrivacyLeakException"/> on any finding (default on). Turn off only for folders that are never published.
    /// </summary>
    public bool PrivacyAudit { get; init; } = true;

    internal ModelInputBindings BindingsFor(string model) => Bindings?.Invoke(model) ?? ModelInputBindings.None;
}

/// <summary>What one model's split produced.</summary>
/// <param name="Model">Model name.</param>
/// <param name="Layers">Layers after constant folding.</param>
/// <param name="UniqueLayers">Distinct single-layer hashes.</param>
/// <param name="Bricks">Brick occurrences.</param>
/// <param name="UniqueBricks">Distinct bricks in this model.</param>
/// <param name="Recipe">The model's recipe.</param>
/// <remarks>
/// Deliberately holds no <see cref="ModelSplit"/> or <see cref="CanonicalBrick"/>: both reach the layer graph and with it the
/// model's weights, so keeping them for every model of a corpus ran a 55-model split out of memory (20 GB). The recipe and
/// the catalog say everything the later stages need.
/// </remarks>
public sealed record ModelSplitSummary(string Model, int Layers, int UniqueLayers, int Bricks, int UniqueBricks, ModelRecipe Recipe);

/// <summary>What a split run produced.</summary>
/// <param name="OutputDirectory">Where bricks, catalog and recipes were written (null for in-memory splits).</param>
/// <param name="Models">Per-model results, in the order given.</param>
/// <param name="Catalog">The catalog written.</param>
/// <param name="RefusedBricks">Multi-layer bricks ONNX Runtime refused (they fell back to single layers), with reasons.</param>
internal sealed record SplitResult(string? OutputDirectory, IReadOnlyList<ModelSplitSummary> Models, BrickCatalog Catalog, IReadOnlyDictionary<string, string> RefusedBricks)
{
    /// <summary>Models that could not be split, with their reasons; the others were split and written.</summary>
    public IReadOnlyList<ModelFailure> Failures { get; init; } = [];

    /// <summary>Sum of layers over models.</summary>
    public int TotalLayers => Models.Sum(m => m.Layers);

    /// <summary>Unique bricks across all models.</summary>
    public int UniqueBricks => Catalog.Bricks.Count;
}

/// <summary>
/// The front door of the first stage: read models, build layer graphs, split them with Algorithms 1 and 2, deduplicate the
/// bricks across models and export them (<c>dlbricks split</c>).
/// </summary>
internal static class SplitRunner
{
    /// <summary>
    /// Splits <paramref name="modelPaths"/> and writes bricks, catalog and recipes into <paramref name="outputDirectory"/>. A model
    /// that cannot be split is listed in <see cref="SplitResult.Failures"/> and the others go on.
    /// </summary>
    /// <exception cref="InvalidModelException">An option is unusable, or no model could be split (the message lists why); nothing is written.</exception>
    /// <exception cref="OperationCanceledException">Cancelled; nothing is written.</exception>
    /// <exception cref="PrivacyLeakException">The privacy audit found original information in the public files; nothing is written.</exception>
    public static SplitResult Run(IReadOnlyList<string> modelPaths, SplitOptions options, string outputDirectory,
        IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        var names = modelPaths.Select(p => Path.GetFileNameWithoutExtension(p)).ToList();
        var duplicate = names.GroupBy(n => n).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new InvalidModelException($"two models are named '{duplicate.Key}'; recipes are keyed by file name, so rename one.");

        using var exporter = new BrickExporter(outputDirectory, options.Source.ToInfo());
        var summaries = new List<ModelSplitSummary>();
        var failures = new List<ModelFailure>();
        foreach (var path in modelPaths)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var name = Path.GetFileNameWithoutExtension(path);
            try
            {
                progress?.Report($"{name}: reading and probing shapes");
                var graph = LayerGraphBuilder.Build(path, options.Source, options.BindingsFor(name));
                progress?.Report($"{name}: splitting {graph.Layers.Count} layers at G={options.Granularity}");
                var split = ModelSplitter.Split(graph, options.Granularity, options.Overlap,
                    options.VerifyWithRuntime ? exporter.WriteAndCheck : null);
                cancellationToken.ThrowIfCancellationRequested();
                var recipe = exporter.Add(split, options.VerifyWithRuntime);
                summaries.Add(new ModelSplitSummary(name, graph.Layers.Count, recipe.UniqueLayerCount, split.Pieces.Count,
                    recipe.UniqueBrickCount, recipe));
                progress?.Report($"{name}: {graph.Layers.Count} layers -> {split.Pieces.Count} bricks ({recipe.UniqueBrickCount} unique)");
            }
            catch (Exception e) when (ModelFailure.IsPerModel(e))
            {
                var failure = ModelFailure.From(name, "split", e, path);
                failures.Add(failure);
                progress?.Report($"{name}: failed, going on with the other models: {failure.Reason}");
            }
        }
        // Nothing to commit: say why in one line rather than writing an empty catalog.
        if (summaries.Count == 0)
            throw new InvalidModelException(failures.Count == 1 ? failures[0].Reason
                : $"no model could be split: {string.Join("; ", failures.Select(f => f.Reason))}");
        cancellationToken.ThrowIfCancellationRequested();
        // Only models that split are audited: a failed model may not even be readable.
        var failed = failures.Select(f => f.Model).ToHashSet(StringComparer.Ordinal);
        var audited = modelPaths.Where(p => !failed.Contains(Path.GetFileNameWithoutExtension(p))).ToList();
        var catalog = exporter.Commit(options.PrivacyAudit ? staging => Audit(staging, audited, progress) : null);
        return new SplitResult(Path.GetFullPath(outputDirectory), summaries, catalog, exporter.RefusedBricks) { Failures = failures };
    }

    private static void Audit(string staging, IReadOnlyList<string> modelPaths, IProgress<string>? progress)
    {
        progress?.Report("auditing the public files for names and trained values of the models");
        var report = Export.PrivacyAudit.Run(staging, modelPaths);
        if (!report.IsClean)
            throw new PrivacyLeakException(
                $"{Export.PrivacyAudit.Describe(report)}\nNothing was written. This is a bug in DLBricks' value regeneration: please report it with the finding lines above; --no-privacy-audit writes the split anyway (never publish it).",
                report);
    }

    /// <summary>
    /// Splits one model in memory, without writing anything: the recipe and canonical bricks that <c>estimate</c> looks up.
    /// Runtime verification is skipped (bricks already benchmarked are known to load).
    /// </summary>
    public static ModelSplit SplitInMemory(string modelPath, SplitOptions options)
    {
        var name = Path.GetFileNameWithoutExtension(modelPath);
        var graph = LayerGraphBuilder.Build(modelPath, options.Source, options.BindingsFor(name));
        return ModelSplitter.Split(graph, options.Granularity, options.Overlap);
    }
}
