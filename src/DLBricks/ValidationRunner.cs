using DLBricks.Benchmarking;
using DLBricks.Estimation;
using DLBricks.Export;
using DLBricks.Reporting;
using DLBricks.Storage;
using DLBricks.Splitting;
using DLBricks.Validation;

namespace DLBricks;

/// <summary>Options of an end-to-end validation (<c>dlbricks validate</c>).</summary>
public sealed record ValidationRunOptions
{
    /// <summary>Granularities to split at (the paper uses several to show the trade-off).</summary>
    public IReadOnlyList<int> Granularities { get; init; } = [1, 3, 5];

    /// <summary>Also emit overlap windows, enabling the overlap-cover estimate.</summary>
    public bool Overlap { get; init; }

    /// <summary>End-to-end measurements per model, interleaved with its bricks.</summary>
    public int EndToEndRepeats { get; init; } = 3;

    /// <summary>Spread above which a ratio is flagged.</summary>
    public double SpreadThreshold { get; init; } = 0.05;

    /// <summary>Statistic compared on both sides.</summary>
    public LatencyStatistic Statistic { get; init; } = LatencyStatistic.Median;

    /// <summary>Subtract the harness's per-call cost (measured here on an Identity model) from the estimates.</summary>
    public bool FixedCostCorrection { get; init; }

    /// <summary>Also run the Observation-1 profile check on every model.</summary>
    public bool Profile { get; init; } = true;

    /// <summary>Session settings for every measurement (threads, optimization level).</summary>
    public ScenarioSessionOptions Session { get; init; } = new(IntraOpThreads: 1);

    /// <summary>How long each end-to-end (and quick brick) measurement runs.</summary>
    public ScenarioOptions Scenario { get; init; } = new(MinQueries: 30, WarmupQueries: 5);

    /// <summary>Options for each split (source, bindings, verification); granularity and overlap are set per run.</summary>
    public SplitOptions Split { get; init; } = new();
}

/// <summary>
/// The front door of <c>dlbricks validate</c>: split the models at each G, measure models end to end interleaved with
/// their bricks, estimate, and build the report. Brick measurement is pluggable: by default the quick single-stream
/// <see cref="ScenarioMeasurer"/>; the CLI passes the BenchmarkDotNet engine to measure bricks exactly as <c>bench</c> does.
/// </summary>
public static class ValidationRunner
{
    /// <summary>Runs the validation, keeping splits under <paramref name="workDirectory"/>/split-g&lt;G&gt;.</summary>
    /// <param name="modelPaths">ONNX models to validate.</param>
    /// <param name="options">What to run.</param>
    /// <param name="workDirectory">Where splits are written.</param>
    /// <param name="measureBricks">Brick pipeline; null uses <see cref="ScenarioMeasurer.MeasureBricks"/>.</param>
    /// <param name="progress">Optional progress sink.</param>
    /// <param name="cancellationToken">Stops between steps.</param>
    /// <exception cref="InvalidModelException">A model cannot be split.</exception>
    /// <exception cref="InvalidDataException">A model cannot be loaded for end-to-end measurement.</exception>
    public static ValidationReport Run(
        IReadOnlyList<string> modelPaths,
        ValidationRunOptions options,
        string workDirectory,
        Func<IReadOnlyList<BrickLocation>, IReadOnlyDictionary<string, BrickResult>>? measureBricks = null,
        IProgress<string>? progress = null,
        CancellationToken cancellationToken = default)
        => Run(modelPaths, options, workDirectory, null, measureBricks, null, progress, cancellationToken);

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
        => Run(modelPaths, options, workDirectory, engine.MeasureModel, bricks => engine.MeasureBricks(bricks, progress, cancellationToken),
            engine.Calibrate, progress, cancellationToken);

    private static ValidationReport Run(
        IReadOnlyList<string> modelPaths,
        ValidationRunOptions options,
        string workDirectory,
        Func<string, LatencyStatistics>? measureModel,
        Func<IReadOnlyList<BrickLocation>, IReadOnlyDictionary<string, BrickResult>>? measureBricks,
        Func<LatencyStatistics>? calibrate,
        IProgress<string>? progress,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(modelPaths);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Granularities.Count == 0 || options.Granularities.Any(g => g < 1))
            throw new InvalidModelException("validate needs at least one G, each at least 1.");

        var measurer = new ScenarioMeasurer(options.Session, options.Scenario);
        measureBricks ??= bricks => measurer.MeasureBricks(bricks, "local", "scenario");

        var locations = new Dictionary<string, BrickLocation>(StringComparer.Ordinal);
        var recipes = modelPaths.ToDictionary(p => p, _ => new List<ModelRecipe>());
        foreach (var g in options.Granularities.Distinct().Order())
        {
            cancellationToken.ThrowIfCancellationRequested();
            var split = SplitRunner.Run(modelPaths, options.Split with { Granularity = g, Overlap = options.Overlap },
                Path.Combine(workDirectory, $"split-g{g}"), progress, cancellationToken);
            foreach (var brick in split.Catalog.Bricks) locations.TryAdd(brick.Hash, new BrickLocation(split.OutputDirectory!, brick));
            for (var i = 0; i < modelPaths.Count; i++) recipes[modelPaths[i]].Add(split.Models[i].Recipe);
        }

        var plan = new ValidationPlan(
            modelPaths.Select(p => new ValidationModel(Path.GetFileNameWithoutExtension(p), p, recipes[p])).ToList(),
            options.EndToEndRepeats, options.SpreadThreshold, options.Statistic);
        var validation = new InterleavedValidation(
            model =>
            {
                cancellationToken.ThrowIfCancellationRequested();
                return measureModel is null ? measurer.MeasureModel(model.ModelPath) : measureModel(model.ModelPath);
            },
            hashes =>
            {
                cancellationToken.ThrowIfCancellationRequested();
                return measureBricks(hashes.Select(h => locations[h]).ToList());
            });
        var run = validation.Run(plan, progress: progress);

        var corrections = new List<IEstimateCorrection>();
        double? overheadMs = null;
        if (options.FixedCostCorrection)
        {
            progress?.Report("calibrating the per-call cost on an Identity model");
            var overhead = calibrate is null ? measurer.MeasureCallOverhead() : calibrate();
            overheadMs = overhead.Get(options.Statistic);
            corrections.Add(new FixedCostCorrection(overhead));
        }

        var profiles = new List<ProfileSumResult>();
        if (options.Profile)
        {
            foreach (var path in modelPaths)
            {
                cancellationToken.ThrowIfCancellationRequested();
                progress?.Report($"{Path.GetFileNameWithoutExtension(path)}: profiling (Observation 1)");
                profiles.Add(ProfileSumCheck.Run(path, runs: 10, warmupRuns: 2, options.Session));
            }
        }

        return ValidationReportBuilder.Build(run, new EstimateOptions(options.Statistic, corrections), profiles) with { CallOverheadMs = overheadMs };
    }
}
