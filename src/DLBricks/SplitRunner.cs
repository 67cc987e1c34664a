using System.Runtime.ExceptionServices;
using DLBricks.Export;
using DLBricks.Graph;
using DLBricks.Onnx;
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

    /// <summary>
    /// Where each model's optimized graph and shape probe are kept between runs (see <see cref="GraphCache"/>); null
    /// optimizes and probes every model afresh. The CLI uses <see cref="GraphCache.DefaultFolder"/> unless <c>--no-cache</c>.
    /// </summary>
    public GraphCache? Cache { get; init; }

    /// <summary>Models split at once (at least 1; default <see cref="DefaultJobs"/>). The output does not depend on it.</summary>
    public int Jobs { get; init; } = DefaultJobs;

    /// <summary>
    /// One job per core, but no more than one per 3 GiB of the memory the process may use: a job holds one model's graph
    /// with its weights and its probe's tensors, and the corpus's largest models need about that much.
    /// </summary>
    public static int DefaultJobs { get; } =
        (int)Math.Clamp(Math.Min(Environment.ProcessorCount, GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (3L << 30)), 1, 64);

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

    /// <summary>Time per phase of the run that produced this result (shared by the results of one multi-G run).</summary>
    public SplitPhaseTimes? PhaseTimes { get; init; }
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
        => Run(modelPaths, options, [options.Granularity], _ => outputDirectory, progress, cancellationToken)[0];

    /// <summary>
    /// Splits <paramref name="modelPaths"/> at every G of <paramref name="granularities"/>, each into its own folder: each model
    /// is read, optimized and probed once for all of them, and up to <see cref="SplitOptions.Jobs"/> models at once. The
    /// folders are byte for byte those of one serial <see cref="Run(IReadOnlyList{string}, SplitOptions, string, IProgress{string}?, CancellationToken)"/>
    /// per G. A model that fails at a G is listed in that G's failures and not split at the later ones.
    /// </summary>
    /// <param name="modelPaths">The models.</param>
    /// <param name="options">Everything but G (<see cref="SplitOptions.Granularity"/> is ignored).</param>
    /// <param name="granularities">The G values, in the order of the results (duplicates are dropped).</param>
    /// <param name="outputDirectoryOf">The folder of each G's split.</param>
    /// <param name="progress">Progress lines, one per model and step (from several threads with more than one job).</param>
    /// <param name="cancellationToken">Stops after the models being split; nothing is written.</param>
    /// <exception cref="InvalidModelException">An option is unusable, or at some G no model could be split; nothing is written.</exception>
    /// <exception cref="OperationCanceledException">Cancelled; nothing is written.</exception>
    /// <exception cref="PrivacyLeakException">The privacy audit found original information in the public files; that G's folder is not written.</exception>
    public static IReadOnlyList<SplitResult> Run(IReadOnlyList<string> modelPaths, SplitOptions options, IReadOnlyList<int> granularities,
        Func<int, string> outputDirectoryOf, IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        var gs = granularities.Distinct().ToList();
        if (gs.Count == 0 || gs.Any(g => g < 1)) throw new InvalidModelException("a split needs at least one G, each at least 1.");
        if (options.Jobs < 1) throw new InvalidModelException($"--jobs {options.Jobs}: give at least 1.");
        var names = modelPaths.Select(p => Path.GetFileNameWithoutExtension(p)).ToList();
        var duplicate = names.GroupBy(n => n).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new InvalidModelException($"two models are named '{duplicate.Key}'; recipes are keyed by file name, so rename one.");

        var times = new SplitPhaseTimes();
        var exporters = new List<BrickExporter>();
        try
        {
            var share = new BrickWorkShare();
            foreach (var g in gs) exporters.Add(new BrickExporter(outputDirectoryOf(g), options.Source.ToInfo()) { Times = times, Share = share });
            // outcomes[model][G]: the model's summary or failure at that G; null when an earlier G failed.
            var outcomes = new (ModelSplitSummary? Summary, ModelFailure? Failure)[modelPaths.Count, gs.Count];
            // The audit's index of the models, filled from each model as it is read here, so the audit does not read them again.
            var privacyIndex = options.PrivacyAudit ? new Export.PrivacyAudit.PrivacyIndex(modelPaths.Count) : null;
            void SplitModel(int i)
            {
                var path = modelPaths[i];
                var name = names[i];
                LayerGraph graph;
                var indexed = false;
                try
                {
                    progress?.Report($"{name}: reading and probing shapes");
                    // A plain local, not captured by a lambda, so the original model can be collected as soon as the graph is built.
                    var model = Read(path, i, privacyIndex, times);
                    indexed = true;
                    graph = LayerGraphBuilder.Build(model, options.Source, options.BindingsFor(name), options.Cache, times);
                }
                catch (Exception e) when (ModelFailure.IsPerModel(e))
                {
                    // A model that cannot be read is not looked for; one read but not split still is (it may share bytes with one that split).
                    if (!indexed) privacyIndex?.Skip(i);
                    outcomes[i, 0] = (null, Failed(name, path, gs[0], e));
                    return;
                }
                for (var k = 0; k < gs.Count; k++)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var exporter = exporters[k];
                    try
                    {
                        progress?.Report($"{name}: splitting {graph.Layers.Count} layers at G={gs[k]}");
                        var split = times.Measure(SplitPhase.Split, () => ModelSplitter.Split(graph, gs[k], options.Overlap,
                            options.VerifyWithRuntime ? exporter.WriteAndCheck : null));
                        cancellationToken.ThrowIfCancellationRequested();
                        var recipe = times.Measure(SplitPhase.Export, () => exporter.Add(split, options.VerifyWithRuntime));
                        outcomes[i, k] = (new ModelSplitSummary(name, graph.Layers.Count, recipe.UniqueLayerCount, split.Pieces.Count,
                            recipe.UniqueBrickCount, recipe), null);
                        progress?.Report($"{name}: {graph.Layers.Count} layers -> {split.Pieces.Count} bricks at G={gs[k]} ({recipe.UniqueBrickCount} unique)");
                    }
                    catch (Exception e) when (ModelFailure.IsPerModel(e))
                    {
                        outcomes[i, k] = (null, Failed(name, path, gs[k], e));
                        return;
                    }
                }
            }

            try
            {
                // Bricks, catalog and recipes do not depend on the order models finish in (BrickExporter), so workers may
                // take models in any order; summaries and failures are listed in the order given.
                Parallel.For(0, modelPaths.Count,
                    new ParallelOptions { MaxDegreeOfParallelism = options.Jobs, CancellationToken = cancellationToken }, SplitModel);
            }
            catch (AggregateException e) when (e.InnerExceptions.Count > 0)
            {
                ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
            }

            var results = new List<SplitResult>();
            var perG = new List<(List<ModelSplitSummary> Summaries, List<ModelFailure> Failures)>();
            for (var k = 0; k < gs.Count; k++)
            {
                var summaries = Enumerable.Range(0, modelPaths.Count).Select(i => outcomes[i, k].Summary).OfType<ModelSplitSummary>().ToList();
                var failures = Enumerable.Range(0, modelPaths.Count).Select(i => outcomes[i, k].Failure).OfType<ModelFailure>().ToList();
                // Nothing to commit: say why in one line rather than writing an empty catalog.
                if (summaries.Count == 0)
                    throw new InvalidModelException(failures.Count == 1 ? failures[0].Reason
                        : $"no model could be split{(gs.Count > 1 ? $" at G={gs[k]}" : "")}: {string.Join("; ", failures.Select(f => f.Reason))}");
                perG.Add((summaries, failures));
            }
            // One index of the models for every G, and each brick file scanned once (its name is its content hash). Every model
            // that could be read is looked for in every G's files.
            var auditor = privacyIndex is null ? null : new Export.PrivacyAudit.PrivacyAuditor(privacyIndex, options.Jobs);
            for (var k = 0; k < gs.Count; k++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var catalog = exporters[k].Commit(auditor is not null
                    ? staging => times.Measure(SplitPhase.Audit, () => Audit(staging, auditor, progress))
                    : null);
                results.Add(new SplitResult(Path.GetFullPath(outputDirectoryOf(gs[k])), perG[k].Summaries, catalog, exporters[k].RefusedBricks)
                    { Failures = perG[k].Failures, PhaseTimes = times });
            }
            return results;
        }
        finally
        {
            foreach (var exporter in exporters) exporter.Dispose();
        }

        ModelFailure Failed(string name, string path, int g, Exception e)
        {
            var failure = ModelFailure.From(name, "split", e, path);
            progress?.Report($"{name}: failed{(gs.Count > 1 ? $" at G={g}" : "")}, going on with the other models: {failure.Reason}");
            return failure;
        }
    }

    /// <summary>Reads a model and adds it to the privacy index (when the split is audited).</summary>
    private static OnnxModel Read(string path, int position, Export.PrivacyAudit.PrivacyIndex? privacyIndex, SplitPhaseTimes times)
    {
        var model = times.Measure(SplitPhase.Read, () => OnnxModel.Load(path));
        if (privacyIndex is not null) times.Measure(SplitPhase.Index, () => privacyIndex.Add(position, model));
        return model;
    }

    private static bool Audit(string staging, Export.PrivacyAudit.PrivacyAuditor auditor, IProgress<string>? progress)
    {
        progress?.Report("auditing the public files for names and trained values of the models");
        var report = auditor.Audit(staging);
        if (!report.IsClean)
            throw new PrivacyLeakException(
                $"{Export.PrivacyAudit.Describe(report)}\nNothing was written. This is a bug in DLBricks' value regeneration: please report it with the finding lines above; --no-privacy-audit writes the split anyway (never publish it).",
                report);
        return true;
    }

    /// <summary>
    /// Splits one model in memory, without writing anything: the recipe and canonical bricks that <c>estimate</c> looks up.
    /// Runtime verification is skipped (bricks already benchmarked are known to load).
    /// </summary>
    public static ModelSplit SplitInMemory(string modelPath, SplitOptions options)
    {
        var name = Path.GetFileNameWithoutExtension(modelPath);
        var graph = LayerGraphBuilder.Build(modelPath, options.Source, options.BindingsFor(name), options.Cache, times: null);
        return ModelSplitter.Split(graph, options.Granularity, options.Overlap);
    }
}
