using DLBricks.Splitting;
using DLBricks.Validation;
using System.CommandLine;
using DLBricks.Benchmarking;
using DLBricks.Estimation;
using DLBricks.Export;
using DLBricks.Reporting;
using DLBricks.Storage;

namespace DLBricks.Cli.Commands;

/// <summary>
/// <c>dlbricks estimate MODEL...</c>: a model's latency from bricks benchmarked on a system, without running the model. The model
/// is split privately in memory at G; missing bricks are named (exit 1) or, with <c>--bench-missing</c>, benchmarked first.
/// Recipe files or split folders are accepted in place of models.
/// </summary>
internal static class EstimateCommand
{
    /// <param name="openStore">Opens the store at a path (tests pass an in-memory store); default: SQLite, which must exist unless bricks will be measured.</param>
    public static Command Create(Func<string, bool, IResultStore>? openStore = null)
    {
        var models = new Argument<string[]>("MODEL") { Description = "ONNX models (or recipe .json files / split folders).", Arity = ArgumentArity.OneOrMore };
        var stores = new ResultStoreOptions();
        var g = new Option<int>("-g", "--granularity") { Description = "G used to split the model.", DefaultValueFactory = _ => DefaultGranularity };
        var mode = new Option<string>("--mode") { Description = "Which estimates to compute.", DefaultValueFactory = _ => "all" };
        mode.AcceptOnlyFromAmong(["all", .. CliNames.Modes.Keys]);
        var benchMissing = new Option<bool>("--bench-missing") { Description = "Benchmark bricks that have no result yet (on this machine), then estimate." };
        var system = new Option<string?>("--system") { Description = "System key to estimate for (default: this machine)." };
        var config = new Option<string?>("--config") { Description = "Configuration key (default: the one --ep/--threads/--session-level/--quick/--clock describe)." };
        var statistic = new Option<string>("--statistic") { Description = "Per-brick statistic.", DefaultValueFactory = _ => "median" };
        statistic.AcceptOnlyFromAmong(CliNames.Statistics.Keys.ToArray());
        var fixedCost = new Option<bool>("--fixed-cost") { Description = "Subtract the stored per-call harness cost for all but one brick run (off by default: README explains why)." };
        var json = new Option<string?>("--json") { Description = "Also write the estimates as JSON to this file." };
        var top = new Option<int>("--top") { Description = "Top contributors to print per model.", DefaultValueFactory = _ => 5 };
        var session = new SessionCliOptions();
        var source = new LayerSourceCliOptions();
        var inputs = new ModelInputOptions();
        var splitCost = new SplitCostCliOptions();

        var command = new Command("estimate", "Estimate model latency from benchmarked bricks (sequential, critical path, overlap).")
        {
            models, g, mode, benchMissing, system, config, statistic, fixedCost, json, top,
        };
        stores.AddTo(command);
        session.AddTo(command);
        source.AddTo(command);
        inputs.AddTo(command);
        splitCost.AddTo(command, jobs: false);
        command.SetAction((result, token) => Task.Run(() => CliErrors.Run(() =>
        {
            var granularity = result.GetValue(g);
            if (granularity < 1) throw new InvalidModelException($"-g {granularity}: G must be at least 1.");
            var (configuration, job) = session.Read(result);
            var selected = result.GetValue(mode)!;
            // The private split optimizes the graph for the provider the bricks are measured with.
            var layerSource = source.Read(result) with { Provider = configuration.ExecutionProvider };
            var splitOptions = new SplitOptions
            {
                Granularity = granularity,
                Source = layerSource,
                Overlap = selected == "overlap",
                Bindings = inputs.Bindings(result),
                Cache = splitCost.ReadCache(result),
            };
            var dbPath = stores.Describe(result);
            using var store = openStore is null ? stores.Open(result, mustExist: !result.GetValue(benchMissing)) : openStore(dbPath, result.GetValue(benchMissing));
            EngineMeasurement? engine = null;
            if (result.GetValue(benchMissing))
            {
                SessionOptionsFactory.EnsureAvailable(configuration);
                engine = new EngineMeasurement(store, configuration, job, splitOptions.Bindings);
            }
            var (systemKey, configKey) = ResolveTarget(store, dbPath, result.GetValue(system) ?? engine?.System.Key,
                result.GetValue(config), engine?.System.Key ?? SystemFingerprintDetector.Detect(configuration.ExecutionProvider).Key,
                configuration.ForBricks(layerSource.ToInfo().Kind).Key);

            var corrections = new List<IEstimateCorrection>();
            if (result.GetValue(fixedCost))
            {
                if (engine is not null && store.GetCalibration(systemKey, configKey) is null) engine.Calibrate(layerSource.ToInfo());
                corrections.Add(FixedCostCorrection.FromStore(store, systemKey, configKey)
                    ?? throw new InvalidModelException($"{dbPath}: no per-call calibration stored for system {systemKey}, configuration {configKey}; run bench first or drop --fixed-cost."));
            }
            var options = new EstimateOptions(CliNames.Statistics[result.GetValue(statistic)!], corrections);
            var estimator = selected == "all" ? new ModelEstimator() : new ModelEstimator([ModelEstimator.For(CliNames.Modes[selected])]);
            var estimatedProvider = store.ListSystems().FirstOrDefault(p => p.Configuration.Key == configKey).Configuration?.ExecutionProvider
                                    ?? configuration.ExecutionProvider;

            var estimates = new List<ModelEstimates>();
            var failures = new List<ModelFailure>();
            var reuses = new List<BrickReuse>();
            foreach (var input in result.GetValue(models)!)
            {
                try
                {
                    if (input.EndsWith(".json", StringComparison.OrdinalIgnoreCase) || Directory.Exists(input))
                    {
                        foreach (var recipe in LoadRecipes(input))
                        {
                            if (recipe.Source.MismatchWith(estimatedProvider) is { } mismatch)
                                throw new InvalidDataException($"{input}: {recipe.Model}: {mismatch}");
                            estimates.Add(EstimateRunner.Estimate(recipe, store, systemKey, configKey, options, estimator));
                        }
                        continue;
                    }
                    Console.Error.WriteLine($"{Path.GetFileNameWithoutExtension(input)}: splitting privately at G={granularity} ({layerSource.ToInfo()})");
                    var split = SplitRunner.SplitInMemory(input, splitOptions);
                    if (engine is not null)
                        reuses.Add(EstimateRunner.BenchMissing(split, layerSource.ToInfo(), engine, store, new SplitCommand.SynchronousProgress(), token));
                    estimates.Add(EstimateRunner.Estimate(split.ToRecipe(layerSource.ToInfo()), store, systemKey, configKey, options, estimator));
                }
                catch (Exception e) when (ModelFailure.IsPerModel(e) && e is not (ResultStoreUnavailableException or ExecutionProviderUnavailableException))
                {
                    failures.Add(ModelFailure.From(Path.GetFileNameWithoutExtension(input), "estimate", e, input));
                }
            }
            if (estimates.Count == 0 && failures.Count > 0)
                throw new InvalidModelException(failures.Count == 1 ? failures[0].Reason : $"no model could be estimated: {string.Join("; ", failures.Select(f => f.Reason))}");

            Console.Write(EstimateTextWriter.ToText(estimates, result.GetValue(top)));
            // What the store already held: the point of a shared store is that a new model costs only its new bricks.
            foreach (var reuse in reuses) Console.WriteLine(reuse);
            if (reuses.Count > 1)
                Console.WriteLine($"all models: brick cache hit rate {BrickReuse.Percent((double)reuses.Sum(r => r.AlreadyMeasured) / Math.Max(1, reuses.Sum(r => r.UniqueBricks)))} " +
                                  $"({reuses.Sum(r => r.AlreadyMeasured)} of {reuses.Sum(r => r.UniqueBricks)} unique bricks per model already measured); " +
                                  $"time saved ≥ {reuses.Sum(r => r.SavedMeasuredMs) / 1000:0.00} s");
            if (result.GetValue(json) is { } jsonPath)
            {
                EstimateJsonWriter.Write(estimates, jsonPath);
                Console.WriteLine($"wrote {jsonPath}");
            }
            var incomplete = estimates.Where(m => m.Estimates.Any(e => !e.IsComplete)).ToList();
            if (CliErrors.ReportFailures(failures) != ExitCodes.Success && incomplete.Count == 0) return ExitCodes.PartialFailure;
            if (incomplete.Count == 0) return ExitCodes.Success;
            foreach (var m in incomplete)
            {
                var missing = m.Estimates.SelectMany(e => e.Missing).DistinctBy(x => x.Hash).ToList();
                Console.Error.WriteLine($"{m.Model}: {missing.Count} brick(s) have no result for system {systemKey}, configuration {configKey}: " +
                                        string.Join(", ", missing.Take(10).Select(x => $"{x.Hash[..Math.Min(12, x.Hash.Length)]} ({x.Reason})")) + (missing.Count > 10 ? ", ..." : ""));
            }
            Console.Error.WriteLine("estimates above are lower bounds; benchmark the missing bricks (dlbricks bench, or estimate --bench-missing).");
            return ExitCodes.PartialFailure;
        }), CancellationToken.None));
        return command;
    }

    /// <summary>
    /// Which (system, configuration) to estimate for: the ones asked for; else this machine and the configuration the session
    /// options describe when the store has them; else the only system/configuration the store holds (legacy configurations
    /// only when named).
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

    /// <summary>G used when none is given; chosen by the validation measurements in the README.</summary>
    public const int DefaultGranularity = 1;

    private static List<ModelRecipe> LoadRecipes(string path)
    {
        if (!Directory.Exists(path)) return [ModelRecipe.Load(path)];
        var folder = Directory.Exists(Path.Combine(path, ModelRecipe.FolderName)) ? Path.Combine(path, ModelRecipe.FolderName) : path;
        var files = Directory.GetFiles(folder, "*.json").Order(StringComparer.Ordinal).ToList();
        if (files.Count == 0) throw new InvalidDataException($"{path}: no recipes found (expected {ModelRecipe.FolderName}/*.json).");
        return files.Select(ModelRecipe.Load).ToList();
    }
}

/// <summary>How statistics and estimation modes are spelled on the command line.</summary>
internal static class CliNames
{
    public static IReadOnlyDictionary<string, LatencyStatistic> Statistics { get; } = new Dictionary<string, LatencyStatistic>
    {
        ["median"] = LatencyStatistic.Median,
        ["mean"] = LatencyStatistic.Mean,
        ["trimmed-mean"] = LatencyStatistic.TrimmedMean,
        ["p90"] = LatencyStatistic.P90,
        ["min"] = LatencyStatistic.Min,
    };

    // Stores keep no low quantiles, so only validate (which measures bricks in the same process) offers them.
    public static IReadOnlyDictionary<string, LatencyStatistic> ValidateStatistics { get; } =
        new Dictionary<string, LatencyStatistic>(Statistics) { ["p10"] = LatencyStatistic.P10, ["p25"] = LatencyStatistic.P25 };

    public static IReadOnlyDictionary<string, EstimationMode> Modes { get; } =
        Enum.GetValues<EstimationMode>().ToDictionary(EstimateTextWriter.ModeName, m => m);
}
