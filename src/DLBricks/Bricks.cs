using DLBricks.Benchmarking;
using DLBricks.Estimation;
using DLBricks.Reporting;
using DLBricks.Splitting;
using DLBricks.Storage;
using DLBricks.Validation;

namespace DLBricks;

/// <summary>
/// The front door of the library, in the manner of BenchmarkDotNet's <c>BenchmarkRunner.Run</c>: split models into bricks,
/// benchmark the bricks, estimate models from them, and validate estimates against end-to-end runs, each configured by one
/// <see cref="BricksOptions"/> record. Batch calls return a result or a failure per model (<see cref="ModelOutcome{T}"/>):
/// one bad model never throws for the batch. Progress arrives as <see cref="BricksProgress"/> events, and every call stops
/// between steps when its token is cancelled (throwing <see cref="OperationCanceledException"/>; nothing partial is written).
/// </summary>
/// <remarks>
/// The calls throw only for what concerns the whole call: an unusable option (<see cref="InvalidModelException"/>), an
/// execution provider missing from this ONNX Runtime build (<see cref="ExecutionProviderUnavailableException"/>), an
/// unreachable store (<see cref="ResultStoreUnavailableException"/>), a privacy finding in a split
/// (<see cref="PrivacyLeakException"/>) and cancellation.
/// </remarks>
public static class Bricks
{
    /// <summary>The results database <see cref="Estimate(string, string, BricksOptions?, IProgress{BricksProgress}?, CancellationToken)"/> uses when none is named.</summary>
    public const string DefaultDatabase = "dlbricks.db";

    /// <summary>
    /// Splits <paramref name="models"/> into deduplicated bricks of at most <see cref="BricksOptions.Granularity"/> layers and
    /// writes <c>catalog.json</c>, <c>bricks/</c> (public) and <c>recipes/</c> (private) into <paramref name="outputDirectory"/>.
    /// </summary>
    public static SplitSummary Split(IReadOnlyList<string> models, string outputDirectory, BricksOptions? options = null,
        IProgress<BricksProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(models);
        options ??= BricksOptions.Default;
        options.EnsureGranularity();
        // The split starts ONNX Runtime (optimizer, shape probe, brick checks): set up the options' shared pool first, so a
        // Bench or Validate with the same options later in this process can still use it.
        options.ResolveSharedPool();
        var names = NamesOf(models);
        var duplicate = names.GroupBy(n => n).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new InvalidModelException($"two models are named '{duplicate.Key}'; recipes are keyed by file name, so rename one.");
        SplitResult split;
        try
        {
            split = SplitRunner.Run(models, options.ToSplitOptions(options.Granularity, options.Overlap), outputDirectory,
                StageProgress.For(BricksStage.Split, names, progress), cancellationToken);
        }
        catch (InvalidModelException e)
        {
            // No model could be split (options were checked above): every model fails with the runner's reason.
            return new SplitSummary(FailAll<ModelSplitSummary>(models, "split", e), null, null, new Dictionary<string, string>());
        }
        var outcomes = models.Select(path =>
        {
            var name = Path.GetFileNameWithoutExtension(path);
            return split.Models.FirstOrDefault(m => m.Model == name) is { } summary
                ? ModelOutcome<ModelSplitSummary>.Success(name, path, summary)
                : ModelOutcome<ModelSplitSummary>.Failed(name, path, split.Failures.FirstOrDefault(f => f.Model == name)
                    ?? new ModelFailure(name, "split", $"{path}: not split"));
        }).ToList();
        return new SplitSummary(outcomes, split.OutputDirectory, split.Catalog, split.RefusedBricks);
    }

    /// <inheritdoc cref="Split(IReadOnlyList{string}, string, BricksOptions?, IProgress{BricksProgress}?, CancellationToken)"/>
    public static Task<SplitSummary> SplitAsync(IReadOnlyList<string> models, string outputDirectory, BricksOptions? options = null,
        IProgress<BricksProgress>? progress = null, CancellationToken cancellationToken = default) =>
        Task.Run(() => Split(models, outputDirectory, options, progress, cancellationToken), cancellationToken);

    /// <summary>
    /// Benchmarks every brick of the split folder <paramref name="splitFolder"/> that has no result in <paramref name="store"/>
    /// for this system and configuration (all of them with <paramref name="force"/>), storing each result as it is known.
    /// </summary>
    public static BrickBenchmarkSummary Bench(string splitFolder, IResultStore store, BricksOptions? options = null, bool force = false,
        IProgress<BricksProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        var (configuration, job) = (options ?? BricksOptions.Default).ToMeasurement();
        SessionOptionsFactory.EnsureAvailable(configuration);
        if (!Directory.Exists(splitFolder)) throw new InvalidModelException($"{splitFolder}: no such folder; give a folder written by split.");
        var runner = new BrickBenchmarkRunner(store, configuration, job);
        IProgress<BrickBenchmarkProgress>? bricks = progress is null ? null : new Relay<BrickBenchmarkProgress>(p =>
            progress.Report(new BricksProgress(BricksStage.Bench, null, p.Completed, p.Total, BenchMessage(p))));
        return runner.Run(splitFolder, new BrickBenchmarkOptions(Force: force), bricks, cancellationToken);
    }

    /// <inheritdoc cref="Bench(string, IResultStore, BricksOptions?, bool, IProgress{BricksProgress}?, CancellationToken)"/>
    public static Task<BrickBenchmarkSummary> BenchAsync(string splitFolder, IResultStore store, BricksOptions? options = null, bool force = false,
        IProgress<BricksProgress>? progress = null, CancellationToken cancellationToken = default) =>
        Task.Run(() => Bench(splitFolder, store, options, force, progress, cancellationToken), cancellationToken);

    /// <summary>
    /// Estimates one model's latency on this machine from the results in the SQLite database <paramref name="database"/> (created
    /// when missing). The model is split privately in memory; with <see cref="BricksOptions.BenchMissing"/> the bricks the
    /// database lacks are benchmarked first, else they are listed in <see cref="ModelLatencyEstimate.Missing"/>.
    /// </summary>
    /// <exception cref="InvalidModelException">The model cannot be estimated; the message says why.</exception>
    public static ModelLatencyEstimate Estimate(string model, string database = DefaultDatabase, BricksOptions? options = null,
        IProgress<BricksProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        using var store = new SqliteResultStore(database);
        return Estimate([model], store, options, progress, cancellationToken).Models[0].Value;
    }

    /// <inheritdoc cref="Estimate(string, string, BricksOptions?, IProgress{BricksProgress}?, CancellationToken)"/>
    public static Task<ModelLatencyEstimate> EstimateAsync(string model, string database = DefaultDatabase, BricksOptions? options = null,
        IProgress<BricksProgress>? progress = null, CancellationToken cancellationToken = default) =>
        Task.Run(() => Estimate(model, database, options, progress, cancellationToken), cancellationToken);

    /// <summary>
    /// Estimates each of <paramref name="models"/> from the results in <paramref name="store"/>. An entry may be an ONNX model
    /// (split privately in memory), a recipe <c>.json</c> or a split folder (one estimate per recipe). The system and
    /// configuration are <see cref="BricksOptions.TargetSystem"/>/<see cref="BricksOptions.TargetConfiguration"/> when set;
    /// else this machine and the configuration the options describe when the store has them; else the only ones it holds.
    /// </summary>
    public static EstimateSummary Estimate(IReadOnlyList<string> models, IResultStore store, BricksOptions? options = null,
        IProgress<BricksProgress>? progress = null, CancellationToken cancellationToken = default) =>
        EstimateBatch.Run(models, store, options ?? BricksOptions.Default, progress, cancellationToken);

    /// <inheritdoc cref="Estimate(IReadOnlyList{string}, IResultStore, BricksOptions?, IProgress{BricksProgress}?, CancellationToken)"/>
    public static Task<EstimateSummary> EstimateAsync(IReadOnlyList<string> models, IResultStore store, BricksOptions? options = null,
        IProgress<BricksProgress>? progress = null, CancellationToken cancellationToken = default) =>
        Task.Run(() => Estimate(models, store, options, progress, cancellationToken), cancellationToken);

    /// <summary>
    /// Validates estimates against end-to-end latency: splits the models at each of <see cref="BricksOptions.Granularities"/>
    /// (into <paramref name="workDirectory"/>), measures every model end to end interleaved with its bricks on one
    /// BenchmarkDotNet engine (brick results go to <paramref name="store"/>), estimates, and builds the report.
    /// </summary>
    public static ValidationSummary Validate(IReadOnlyList<string> models, IResultStore store, string workDirectory, BricksOptions? options = null,
        IProgress<BricksProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(models);
        ArgumentNullException.ThrowIfNull(store);
        options ??= BricksOptions.Default;
        options.Validation.Validate(options.Granularities);
        var (configuration, job) = options.ToMeasurement();
        SessionOptionsFactory.EnsureAvailable(configuration);
        var names = NamesOf(models);
        var engine = new EngineMeasurement(store, configuration, job, options.Inputs);
        progress?.Report(new BricksProgress(BricksStage.Validate, null, 0, models.Count,
            $"system {engine.System.Key} ({engine.System.CpuModel}{(engine.System.Gpu is { } gpu ? $"; {gpu}" : "")}), configuration {configuration.Key} " +
            $"(level={configuration.OptimizationLevel}, threads={configuration.IntraOpThreads}, job={job.Name})" +
            (options.ResolveSharedPool().Describe() is { } pool ? $"; {pool}" : "")));
        ValidationReport report;
        try
        {
            report = ValidationRunner.Run(models, options.ToValidationRunOptions(configuration), workDirectory, engine,
                StageProgress.For(BricksStage.Validate, names, progress), cancellationToken);
        }
        catch (InvalidModelException e)
        {
            // Options were checked above: the runner throws only when no model could be validated.
            return new ValidationSummary(FailAll<IReadOnlyList<ModelValidationRow>>(models, "validate", e), null, [], engine.System, configuration);
        }
        var outcomes = models.Select(path =>
        {
            var name = Path.GetFileNameWithoutExtension(path);
            var rows = report.Models.Where(m => m.Model == name).ToList();
            return rows.Count > 0
                ? ModelOutcome<IReadOnlyList<ModelValidationRow>>.Success(name, path, rows)
                : ModelOutcome<IReadOnlyList<ModelValidationRow>>.Failed(name, path,
                    report.Failures.FirstOrDefault(f => f.Model == name) ?? new ModelFailure(name, "validate", $"{path}: not validated"));
        }).ToList();
        return new ValidationSummary(outcomes, report, ValidationHeadline.Of(report), engine.System, configuration);
    }

    /// <inheritdoc cref="Validate(IReadOnlyList{string}, IResultStore, string, BricksOptions?, IProgress{BricksProgress}?, CancellationToken)"/>
    public static Task<ValidationSummary> ValidateAsync(IReadOnlyList<string> models, IResultStore store, string workDirectory, BricksOptions? options = null,
        IProgress<BricksProgress>? progress = null, CancellationToken cancellationToken = default) =>
        Task.Run(() => Validate(models, store, workDirectory, options, progress, cancellationToken), cancellationToken);

    internal static List<string> NamesOf(IEnumerable<string> models) => models.Select(p => Path.GetFileNameWithoutExtension(p)).ToList();

    private static List<ModelOutcome<T>> FailAll<T>(IReadOnlyList<string> models, string stage, Exception e) where T : class =>
        models.Select(p => ModelOutcome<T>.Failed(Path.GetFileNameWithoutExtension(p), p, ModelFailure.From(Path.GetFileNameWithoutExtension(p), stage, e))).ToList();

    private static string BenchMessage(BrickBenchmarkProgress p)
    {
        static string Short(string hash) => hash.Length > 12 ? hash[..12] : hash;
        if (p.Last is { } last)
            return last.Kind switch
            {
                BrickOutcomeKind.Measured => $"{Short(last.Hash)} median {last.Statistics!.Median:F4} ms",
                BrickOutcomeKind.Skipped => $"{Short(last.Hash)} already measured",
                _ => $"{Short(last.Hash)} FAILED {last.Error}",
            };
        return p.Current is { } current ? $"measuring {Short(current)}" : "benchmarking";
    }

    /// <summary>Reports on the caller's thread (unlike <see cref="Progress{T}"/>, which posts to the thread pool out of order).</summary>
    internal sealed class Relay<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
