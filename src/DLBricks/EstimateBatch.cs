using DLBricks.Benchmarking;
using DLBricks.Estimation;
using DLBricks.Splitting;
using DLBricks.Storage;
using DLBricks.Validation;

namespace DLBricks;

/// <summary>
/// Estimates a batch of models, recipes or split folders for one system and configuration of a store: what
/// <see cref="Bricks.Estimate(IReadOnlyList{string}, IResultStore, BricksOptions?, IProgress{BricksProgress}?, CancellationToken)"/>
/// and <c>dlbricks estimate</c> run.
/// </summary>
internal static class EstimateBatch
{
    public static EstimateSummary Run(IReadOnlyList<string> inputs, IResultStore store, BricksOptions options,
        IProgress<BricksProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(store);
        options.EnsureGranularity();
        var (configuration, job) = options.ToMeasurement();
        var estimator = options.ToEstimator();
        // The private split optimizes the graph for the provider the bricks are measured with.
        var source = options.LayerSource;
        var splitOptions = options.ToSplitOptions(options.Granularity, overlap: options.Estimators == Estimators.OverlapCover || options.Overlap);
        var where = (store as SqlResultStore)?.Location ?? "the results store";
        EngineMeasurement? engine = null;
        if (options.BenchMissing)
        {
            SessionOptionsFactory.EnsureAvailable(configuration);
            engine = new EngineMeasurement(store, configuration, job, options.Inputs);
        }
        var (systemKey, configKey) = ResolveTarget(store, where, options.TargetSystem ?? engine?.System.Key, options.TargetConfiguration,
            engine?.System.Key ?? SystemFingerprintDetector.Detect(configuration.ExecutionProvider).Key,
            configuration.ForBricks(source.ToInfo().Kind).Key);

        var corrections = new List<IEstimateCorrection>();
        if (options.FixedCost)
        {
            if (engine is not null && store.GetCalibration(systemKey, configKey) is null) engine.Calibrate(source.ToInfo());
            corrections.Add(FixedCostCorrection.FromStore(store, systemKey, configKey)
                ?? throw new InvalidModelException($"{where}: no per-call calibration stored for system {systemKey}, configuration {configKey}; run bench first or drop the fixed-cost correction."));
        }
        var estimateOptions = options.ToEstimateOptions(corrections);
        if (options.WorkerSchedule && store.FindConfiguration(configKey) is { } target && ConcurrencyCalibration.Workers(target) > 1)
        {
            var profile = ConcurrencyCalibration.FromResults(target, store.GetResults(systemKey, configKey), options.Statistic);
            if (profile is null && engine is not null) profile = engine.CalibrateConcurrency(source.ToInfo());
            // Without a measured speedup the critical path stays the longest path: what perfect overlap would give.
            estimateOptions = estimateOptions with { Concurrency = profile };
        }
        var estimatedProvider = store.ListSystems().FirstOrDefault(p => p.Configuration.Key == configKey).Configuration?.ExecutionProvider
                                ?? configuration.ExecutionProvider;

        var outcomes = new List<ModelOutcome<ModelLatencyEstimate>>();
        var stageProgress = StageProgress.For(BricksStage.Estimate, Bricks.NamesOf(inputs), progress);
        for (var i = 0; i < inputs.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var input = inputs[i];
            var name = Path.GetFileNameWithoutExtension(input);
            try
            {
                if (input.EndsWith(".json", StringComparison.OrdinalIgnoreCase) || Directory.Exists(input))
                {
                    foreach (var recipe in LoadRecipes(input))
                    {
                        progress?.Report(new BricksProgress(BricksStage.Estimate, recipe.Model, i, inputs.Count, $"{recipe.Model}: estimating from its recipe"));
                        if (recipe.Source.MismatchWith(estimatedProvider) is { } mismatch)
                            throw new InvalidDataException($"{input}: {recipe.Model}: {mismatch}");
                        var estimates = EstimateRunner.Estimate(recipe, store, systemKey, configKey, estimateOptions, estimator);
                        outcomes.Add(ModelOutcome<ModelLatencyEstimate>.Success(recipe.Model, input,
                            new ModelLatencyEstimate(estimates.Model, estimates.Granularity, estimates, null)));
                    }
                    continue;
                }
                progress?.Report(new BricksProgress(BricksStage.Estimate, name, i, inputs.Count,
                    $"{name}: splitting privately at G={options.Granularity} ({source.ToInfo()})"));
                var split = SplitRunner.SplitInMemory(input, splitOptions);
                var measured = engine is null ? null : EstimateRunner.BenchMissing(split, source.ToInfo(), engine, store, stageProgress, cancellationToken);
                var result = EstimateRunner.Estimate(split.ToRecipe(source.ToInfo()), store, systemKey, configKey, estimateOptions, estimator);
                outcomes.Add(ModelOutcome<ModelLatencyEstimate>.Success(name, input, new ModelLatencyEstimate(result.Model, result.Granularity, result, measured)));
            }
            catch (Exception e) when (ModelFailure.IsPerModel(e) && e is not (ResultStoreUnavailableException or ExecutionProviderUnavailableException))
            {
                outcomes.Add(ModelOutcome<ModelLatencyEstimate>.Failed(name, input, ModelFailure.From(name, "estimate", e, input)));
            }
        }
        progress?.Report(new BricksProgress(BricksStage.Estimate, null, inputs.Count, inputs.Count, $"estimated {outcomes.Count(o => o.Succeeded)} model(s)"));
        return new EstimateSummary(outcomes, systemKey, configKey);
    }

    /// <summary>
    /// Which (system, configuration) to estimate for: the ones asked for; else this machine and the configuration the options
    /// describe when the store has them; else the only system/configuration the store holds (legacy configurations only when named).
    /// </summary>
    private static (string System, string Configuration) ResolveTarget(IResultStore store, string storePath, string? system, string? configuration,
        string thisSystem, string impliedConfiguration)
    {
        // Configurations stored before measurement settings were recorded are only used when named: picking one silently
        // would estimate from results an older harness measured.
        var pairs = store.ListSystems().Where(p => !p.Configuration.IsLegacy || p.Configuration.Key == configuration).ToList();
        if (pairs.Count == 0) return (system ?? thisSystem, configuration ?? impliedConfiguration);
        var systems = pairs.Select(p => p.System.Key).Distinct().ToList();
        var chosenSystem = system ?? (systems.Contains(thisSystem) ? thisSystem : systems.Count == 1 ? systems[0] : null);
        if (chosenSystem is null)
            throw new InvalidModelException($"{storePath}: holds results of several systems ({string.Join(", ", pairs.Select(p => $"{p.System.Key} {p.System.CpuModel}").Distinct())}); choose one with --system.");
        var configurations = pairs.Where(p => p.System.Key == chosenSystem).Select(p => p.Configuration.Key).Distinct().ToList();
        var chosenConfiguration = configuration ?? (configurations.Contains(impliedConfiguration) ? impliedConfiguration
            : configurations.Count == 1 ? configurations[0] : impliedConfiguration);
        return (chosenSystem, chosenConfiguration);
    }

    private static List<ModelRecipe> LoadRecipes(string path)
    {
        if (!Directory.Exists(path)) return [ModelRecipe.Load(path)];
        var folder = Directory.Exists(Path.Combine(path, ModelRecipe.FolderName)) ? Path.Combine(path, ModelRecipe.FolderName) : path;
        var files = Directory.GetFiles(folder, "*.json").Order(StringComparer.Ordinal).ToList();
        if (files.Count == 0) throw new InvalidDataException($"{path}: no recipes found (expected {ModelRecipe.FolderName}/*.json).");
        return files.Select(ModelRecipe.Load).ToList();
    }
}
