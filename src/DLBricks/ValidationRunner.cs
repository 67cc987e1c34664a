using DLBricks.Benchmarking;
using DLBricks.Estimation;
using DLBricks.Export;
using DLBricks.Graph;
using DLBricks.Reporting;
using DLBricks.Storage;
using DLBricks.Splitting;
using DLBricks.Validation;

namespace DLBricks;

/// <summary>Options of an end-to-end validation (<c>dlbricks validate</c>).</summary>
internal sealed record ValidationRunOptions
{
    /// <summary>Granularities to split at (the paper uses several to show the trade-off).</summary>
    public IReadOnlyList<int> Granularities { get; init; } = [1, 3, 5];

    /// <summary>Also emit overlap windows, enabling the overlap-cover estimate.</summary>
    public bool Overlap { get; init; }

    /// <summary>End-to-end measurements per model, interleaved with its bricks.</summary>
    public int EndToEndRepeats { get; init; } = 3;

    /// <summary>
    /// Adaptive cap on end-to-end measurements per model: above <see cref="EndToEndRepeats"/>, a model whose repeats disagree is
    /// measured again up to this many times and its latency taken from the repeats that agree (see <see cref="ValidationPlan"/>).
    /// 0 turns the rule off.
    /// </summary>
    public int MaxEndToEndRepeats { get; init; }

    /// <summary>Spread above which a ratio is flagged.</summary>
    public double SpreadThreshold { get; init; } = 0.05;

    /// <summary>Statistic compared on both sides.</summary>
    public LatencyStatistic Statistic { get; init; } = LatencyStatistic.Median;

    /// <summary>Subtract the harness's per-call cost (measured here on an Identity model) from every estimate.</summary>
    public bool FixedCostCorrection { get; init; }

    /// <summary>
    /// Without <see cref="FixedCostCorrection"/>: subtract the per-call cost only from estimates below this many milliseconds,
    /// where it is a large share (0 turns the correction off).
    /// </summary>
    public double FixedCostBelowMs { get; init; } = Estimation.FixedCostCorrection.DefaultApplyBelowMs;

    /// <summary>Also run the Observation-1 profile check on every model.</summary>
    public bool Profile { get; init; } = true;

    /// <summary>
    /// Session settings of the quick engine's measurements, the trial run and the profile check (provider, threads, optimization
    /// level); with the BenchmarkDotNet engine, that engine's configuration.
    /// </summary>
    public RunConfiguration Session { get; init; } = ScenarioEngine.Configuration(intraOpThreads: 1);

    /// <summary>How long each end-to-end (and quick brick) measurement runs.</summary>
    public ScenarioOptions Scenario { get; init; } = new(MinQueries: 30, WarmupQueries: 5);

    /// <summary>Options for each split (source, bindings, verification); granularity and overlap are set per run.</summary>
    public SplitOptions Split { get; init; } = new();

    /// <summary>
    /// Whole validations to run (at least 1). With 2 or more, every run measures its bricks afresh (stored results are not
    /// reused), later runs visit the models in a shuffled order, and the report gains run-to-run figures
    /// (<see cref="ValidationReport.Reproducibility"/>).
    /// </summary>
    public int Runs { get; init; } = 1;

    /// <summary>A model is reproducible when every run's normalized latency is within this fraction of the median run.</summary>
    public double ReproducibilityTolerance { get; init; } = ReproducibilityReport.DefaultTolerance;

    /// <summary>Seed of the model order of runs after the first.</summary>
    public int ShuffleSeed { get; init; } = 1;

    /// <summary>
    /// Measure the system's speedup when bricks run together (<see cref="ConcurrencyProfile"/>) in every run whose configuration
    /// runs bricks concurrently, and schedule the critical-path estimate on the executor's workers with it.
    /// </summary>
    public bool WorkerSchedule { get; init; } = true;
}

/// <summary>
/// The front door of <c>dlbricks validate</c>: split the models at each G, measure models end to end interleaved with
/// their bricks, estimate, and build the report. Measurement is one <see cref="IValidationMeasurement"/>: by default the quick
/// single-stream <see cref="ScenarioMeasurer"/>; the CLI passes an <see cref="EngineMeasurement"/> (BenchmarkDotNet) to
/// measure bricks exactly as <c>bench</c> does.
/// </summary>
internal static class ValidationRunner
{
    /// <summary>
    /// Runs the validation with an explicit measurement engine for both sides (see <see cref="EngineMeasurement"/>): models end
    /// to end and bricks measured the same way, and the per-call calibration taken from the same engine.
    /// </summary>
    public static ValidationReport Run(
        IReadOnlyList<string> modelPaths,
        ValidationRunOptions options,
        string workDirectory,
        EngineMeasurement engine,
        IProgress<string>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(options);
        // Repeated runs must see this moment's noise on both sides, and quantiles the store does not keep need a fresh measurement.
        var measurement = engine.ForValidation(options.Split.Source.ToInfo(),
            reuseStored: options.Runs < 2 && options.Statistic.IsKeptByStores(), progress, cancellationToken);
        return Run(modelPaths, options, workDirectory, measurement, progress, cancellationToken);
    }

    /// <summary>Runs the validation, keeping splits under <paramref name="workDirectory"/>/split-g&lt;G&gt;.</summary>
    /// <param name="modelPaths">ONNX models to validate.</param>
    /// <param name="options">What to run.</param>
    /// <param name="workDirectory">Where splits are written.</param>
    /// <param name="measurement">
    /// What measures models, bricks and the calibration; null is the quick <see cref="ScenarioMeasurer"/> on
    /// <see cref="ValidationRunOptions.Session"/> and <see cref="ValidationRunOptions.Scenario"/>.
    /// </param>
    /// <param name="progress">Optional progress sink.</param>
    /// <param name="cancellationToken">Stops between steps.</param>
    /// <exception cref="InvalidModelException">A model cannot be split.</exception>
    public static ValidationReport Run(
        IReadOnlyList<string> modelPaths,
        ValidationRunOptions options,
        string workDirectory,
        IValidationMeasurement? measurement = null,
        IProgress<string>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(modelPaths);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Granularities.Count == 0 || options.Granularities.Any(g => g < 1))
            throw new InvalidModelException("validate needs at least one G, each at least 1.");
        if (options.Runs < 1) throw new InvalidModelException("validate needs at least one run (--runs).");

        // A model that fails at any step is listed in the report with its reason; the others go on.
        var failures = new List<ModelFailure>();
        var live = modelPaths.ToList();
        void Fail(string path, string stage, Exception e)
        {
            failures.Add(ModelFailure.From(Path.GetFileNameWithoutExtension(path), stage, e, path));
            progress?.Report($"{failures[^1]}; going on with the other models");
            live.Remove(path);
        }

        var inputs = new Dictionary<string, ModelInputs>(StringComparer.Ordinal);
        var measure = measurement ?? new ScenarioMeasurer(options.Session, options.Scenario, path => inputs[path]);
        foreach (var path in modelPaths)
        {
            try
            {
                inputs[path] = ModelInputs.Resolve(path, options.Split.BindingsFor(Path.GetFileNameWithoutExtension(path)));
            }
            catch (Exception e) when (ModelFailure.IsPerModel(e))
            {
                Fail(path, "inputs", e);
            }
        }

        var locations = new Dictionary<string, BrickLocation>(StringComparer.Ordinal);
        var splitTime = System.Diagnostics.Stopwatch.StartNew();
        var recipes = live.ToDictionary(p => p, _ => new List<ModelRecipe>());
        // One pass over the models for every G: each model is read, optimized and probed once.
        var gs = options.Granularities.Distinct().Order().ToList();
        cancellationToken.ThrowIfCancellationRequested();
        var splits = live.Count == 0 ? [] : SplitRunner.Run(live.ToList(), options.Split with { Overlap = options.Overlap }, gs,
            g => Path.Combine(workDirectory, $"split-g{g}"), progress, cancellationToken);
        for (var k = 0; k < splits.Count; k++)
        {
            var split = splits[k];
            foreach (var brick in split.Catalog.Bricks) locations.TryAdd(brick.Hash, new BrickLocation(split.OutputDirectory!, brick));
            foreach (var failure in split.Failures)
            {
                failures.Add(failure with { Stage = $"split (G={gs[k]})" });
                live.RemoveAll(p => Path.GetFileNameWithoutExtension(p) == failure.Model);
            }
        }
        // A model that failed at a later G is out of the run: its recipes of the earlier G values are dropped with it.
        foreach (var split in splits)
        foreach (var model in split.Models)
            if (live.FirstOrDefault(p => Path.GetFileNameWithoutExtension(p) == model.Model) is { } path) recipes[path].Add(model.Recipe);

        splitTime.Stop();

        // One unmeasured run per model on its resolved inputs: a model that cannot run end to end fails here, alone, instead of
        // in the middle of the interleaved measurements of all the others.
        foreach (var path in live.ToList())
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                using var runner = OnnxModelRunner.OpenModel(path, options.Session, new ModelRunOptions(inputs[path]));
                runner.Run();
            }
            catch (Exception e) when (ModelFailure.IsPerModel(e))
            {
                Fail(path, "end-to-end", e is Microsoft.ML.OnnxRuntime.OnnxRuntimeException
                    ? new InvalidModelException($"{path}: ONNX Runtime cannot run the model end to end: {e.Message.ReplaceLineEndings(" ")}", e) : e);
            }
        }
        if (live.Count == 0)
            throw new InvalidModelException(failures.Count == 1 ? failures[0].ToString()
                : $"no model could be validated: {string.Join("; ", failures)}");

        var reports = new List<ValidationReport>();
        for (var k = 0; k < options.Runs; k++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (options.Runs > 1) progress?.Report($"run {k + 1}/{options.Runs}");
            var run = MeasureOnce(k);
            var corrections = new List<IEstimateCorrection>();
            double? overheadMs = null;
            if (options.FixedCostCorrection || options.FixedCostBelowMs > 0)
            {
                progress?.Report("calibrating the per-call cost on an Identity model");
                var overhead = measure.Calibrate();
                overheadMs = overhead.Get(options.Statistic);
                corrections.Add(new FixedCostCorrection(overhead)
                {
                    ApplyBelowMs = options.FixedCostCorrection ? double.PositiveInfinity : options.FixedCostBelowMs,
                });
            }
            ConcurrencyProfile? concurrency = null;
            if (options.WorkerSchedule)
            {
                progress?.Report("calibrating the speedup of concurrent bricks");
                concurrency = measure.CalibrateConcurrency();
            }
            var built = ValidationReportBuilder.Build(run, new EstimateOptions(options.Statistic, corrections) { Concurrency = concurrency });
            reports.Add(built with
            {
                CallOverheadMs = overheadMs,
                Concurrency = concurrency,
                Timing = built.Timing! with { SplitSeconds = splitTime.Elapsed.TotalSeconds },
            });
        }

        ValidationRun MeasureOnce(int k)
        {
            // Bricks measured before a model failed in this run are reused when the others are measured again without it.
            var measured = new Dictionary<string, BrickResult>(StringComparer.Ordinal);
            while (true)
            {
                var models = live.Select(p => new ValidationModel(Path.GetFileNameWithoutExtension(p), p, recipes[p])).ToList();
                // Later runs change the order so a model's place in the sequence (neighbours' caches, drift) is not a constant bias.
                var order = k == 0 ? models : Shuffled(models, options.ShuffleSeed + k);
                var plan = new ValidationPlan(order, options.EndToEndRepeats, options.SpreadThreshold, options.Statistic,
                    options.MaxEndToEndRepeats);
                var validation = new InterleavedValidation(
                    model =>
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                        try
                        {
                            return measure.MeasureModel(model.ModelPath);
                        }
                        catch (Exception e) when (ModelFailure.IsPerModel(e))
                        {
                            throw new ModelRunFailedException(model.ModelPath, e);
                        }
                    },
                    hashes =>
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                        var results = measure.MeasureBricks(hashes.Select(h => locations[h]).ToList());
                        foreach (var (hash, result) in results) measured[hash] = result;
                        return results;
                    });
                try
                {
                    return validation.Run(plan, measured, progress);
                }
                catch (ModelRunFailedException e)
                {
                    Fail(e.ModelPath, "end-to-end", e.InnerException!);
                    if (live.Count == 0)
                        throw new InvalidModelException($"no model could be validated: {string.Join("; ", failures)}");
                }
            }
        }

        var profiles = new List<ProfileSumResult>();
        if (options.Profile)
        {
            foreach (var path in live)
            {
                cancellationToken.ThrowIfCancellationRequested();
                progress?.Report($"{Path.GetFileNameWithoutExtension(path)}: profiling (Observation 1)");
                try
                {
                    profiles.Add(ProfileSumCheck.Run(path, runs: 10, warmupRuns: 2, options.Session, inputs[path]));
                }
                catch (Exception e) when (ModelFailure.IsPerModel(e))
                {
                    // The model's measurements stand; only its Observation-1 row is missing, and the report says why.
                    failures.Add(ModelFailure.From(Path.GetFileNameWithoutExtension(path), "profile", e, path));
                    progress?.Report($"{failures[^1]}");
                }
            }
        }

        // A model that failed in a later run is still in the earlier runs' reports; the first run's tables are the report's.
        var first = reports[0] with
        {
            Profiles = profiles.Select(ValidationReportBuilder.ProfileRowOf).ToList(),
            Failures = failures,
        };
        return reports.Count < 2 ? first : first with { Reproducibility = ReproducibilityReport.Build(reports, options.ReproducibilityTolerance) };
    }

    private static List<ValidationModel> Shuffled(IReadOnlyList<ValidationModel> models, int seed)
    {
        var copy = models.ToArray();
        new Random(seed).Shuffle(copy);
        return [.. copy];
    }
}

/// <summary>Carries a whole-model measurement failure out of the interleaved run, naming the model.</summary>
internal sealed class ModelRunFailedException(string modelPath, Exception inner) : Exception(inner.Message, inner)
{
    public string ModelPath { get; } = modelPath;
}
