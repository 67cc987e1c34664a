using DLBricks.Benchmarking;
using DLBricks.Export;
using DLBricks.Graph;
using DLBricks.Onnx;
using DLBricks.Storage;
using DLBricks.Splitting;

namespace DLBricks.Validation;

/// <summary>
/// Measures whole models and bricks the same way: one engine (<see cref="ILatencyEngine"/>, BenchmarkDotNet's
/// <see cref="LatencyMeasurer"/> unless told otherwise), one job, one execution provider and one set of session options (those
/// of <c>dlbricks bench</c>). Brick results go through an <see cref="IResultStore"/>, so a brick measured once on this system
/// and configuration is never measured again, by validate, estimate or bench. A validation measures through
/// <see cref="ForValidation"/>.
/// </summary>
internal sealed class EngineMeasurement
{
    private readonly IResultStore _store;
    private readonly BrickBenchmarkRunner _bricks;
    private readonly ILatencyEngine _engine;
    private readonly Func<string, ModelInputBindings> _bindings;

    /// <summary>Creates the engine.</summary>
    /// <param name="store">Where brick results are read and written.</param>
    /// <param name="configuration">Execution provider and session options for models and bricks alike.</param>
    /// <param name="job">The BenchmarkDotNet job (and clock).</param>
    /// <param name="bindings">Input shapes and values per model name, for end-to-end runs.</param>
    /// <param name="engine">What times every call; null is the BenchmarkDotNet engine running <paramref name="job"/>.</param>
    public EngineMeasurement(IResultStore store, RunConfiguration configuration, BenchmarkJob job, Func<string, ModelInputBindings>? bindings = null,
        ILatencyEngine? engine = null)
    {
        _store = store;
        _bricks = new BrickBenchmarkRunner(store, configuration, job);
        _engine = engine ?? new LatencyMeasurer(job);
        _bindings = bindings ?? (_ => ModelInputBindings.None);
        store.RegisterSystem(_bricks.System);
        store.RegisterConfiguration(configuration);
    }

    /// <summary>
    /// The engine with the CLI's defaults: CPU, one intra-op thread, sequential, session level <c>all</c>, BenchmarkDotNet's
    /// default job (or the quick one) timed with the thread-CPU clock where the OS has it.
    /// </summary>
    public static EngineMeasurement WithDefaults(IResultStore store, bool quick = false, Func<string, ModelInputBindings>? bindings = null)
    {
        var job = quick ? BenchmarkJob.Quick : BenchmarkJob.Default;
        if (ThreadCpuClock.Instance.IsAvailable) job = job.WithClock(MeasurementClock.ThreadCpu);
        return new EngineMeasurement(store, job.Configuration("cpu", null, 1, 0, "sequential", "all"), job, bindings);
    }

    /// <summary>The system results are stored under.</summary>
    public SystemFingerprint System => _bricks.System;

    /// <summary>The configuration results are stored under.</summary>
    public RunConfiguration Configuration => _bricks.Configuration;

    /// <summary>Measures a whole model end to end, with inputs sized and filled from the model's bindings.</summary>
    /// <exception cref="InvalidModelException">The model cannot be read or run.</exception>
    public LatencyStatistics MeasureModel(string modelPath)
    {
        var model = OnnxModel.Load(modelPath);
        var resolved = ModelInputs.Resolve(model, _bindings(model.Name));
        try
        {
            // A model exported at another batch size runs re-declared at the sizes its bricks were cut at.
            using var runner = OnnxModelRunner.OpenModel(model.Path, Configuration, new ModelRunOptions(resolved));
            return _engine.Measure(model.Name, runner).Statistics;
        }
        catch (Microsoft.ML.OnnxRuntime.OnnxRuntimeException e)
        {
            throw new InvalidModelException($"{modelPath}: ONNX Runtime cannot run the model end to end: {e.Message.ReplaceLineEndings(" ")}", e);
        }
        catch (BenchmarkFailedException e)
        {
            throw new InvalidModelException($"{modelPath}: end-to-end measurement failed: {e.Message}", e);
        }
    }

    /// <summary>Measures the bricks that have no stored result yet and returns the results of all of them.</summary>
    /// <param name="bricks">Bricks to measure.</param>
    /// <param name="progress">Optional progress sink.</param>
    /// <param name="cancellationToken">Stops between bricks.</param>
    /// <param name="reuseStored">
    /// False measures every brick afresh (and stores the new result): repeated validations must see this moment's noise on
    /// both sides, and quantiles the store does not keep (p10, p25) need a fresh measurement.
    /// </param>
    public IReadOnlyDictionary<string, BrickResult> MeasureBricks(IReadOnlyList<BrickLocation> bricks, IProgress<string>? progress = null,
        CancellationToken cancellationToken = default, bool reuseStored = true)
    {
        // Bricks are stored under the configuration they really run with, which depends on their catalog's layer source.
        var storedBy = new Dictionary<string, IReadOnlyDictionary<string, BrickResult>>(StringComparer.Ordinal);
        var results = new Dictionary<string, BrickResult>(StringComparer.Ordinal);
        var pending = new List<(BrickLocation Brick, LayerSourceInfo Source, RunConfiguration Configuration)>();
        foreach (var brick in bricks)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var source = SourceOf(brick.CatalogFolder);
            var configuration = Configuration.ForBricks(source.Kind);
            if (!storedBy.TryGetValue(configuration.Key, out var stored))
            {
                _store.RegisterConfiguration(configuration);
                storedBy[configuration.Key] = stored = reuseStored
                    ? _store.GetResults(System.Key, configuration.Key)
                    : new Dictionary<string, BrickResult>();
            }
            if (stored.TryGetValue(brick.Entry.Hash, out var known) && known.Succeeded)
                results[brick.Entry.Hash] = known;
            else
                pending.Add((brick, source, configuration));
        }

        // Consecutive bricks of one catalog share a BenchmarkDotNet run when the job says so (BenchmarkJob.CasesPerRun).
        for (var i = 0; i < pending.Count;)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var (first, source, configuration) = pending[i];
            var batch = _bricks.BatchFrom(first.Entry,
                pending.Skip(i + 1).TakeWhile(p => p.Brick.CatalogFolder == first.CatalogFolder).Select(p => p.Brick.Entry));
            progress?.Report(batch.Count == 1
                ? $"brick {i + 1}/{pending.Count} {first.Entry.Hash[..12]} ({string.Join('+', first.Entry.OpTypes)})"
                : $"bricks {i + 1}-{i + batch.Count}/{pending.Count} in one run");
            var outcomes = _bricks.MeasureMany(first.CatalogFolder, batch, _engine, source);
            for (var k = 0; k < batch.Count; k++)
            {
                var outcome = outcomes[k];
                var result = new BrickResult(outcome.Hash, System.Key, configuration.Key, outcome.Statistics, outcome.Error, DateTimeOffset.UtcNow,
                    _bricks.Job.HarnessVersion);
                _store.Save(result);
                results[outcome.Hash] = result;
            }
            i += batch.Count;
        }
        return results;
    }

    private readonly Dictionary<string, LayerSourceInfo> _sources = new(StringComparer.Ordinal);

    private LayerSourceInfo SourceOf(string folder)
    {
        if (!_sources.TryGetValue(folder, out var source))
        {
            source = BrickBenchmarkRunner.SourceOf(folder);
            BrickBenchmarkRunner.EnsureSourceMatches(source, Configuration, Path.Combine(folder, BrickCatalog.FileName));
            _sources[folder] = source;
        }
        return source;
    }

    /// <summary>
    /// The harness's per-call cost on an Identity model, measured now under the configuration bricks of <paramref name="source"/>
    /// run with, and stored as that configuration's calibration.
    /// </summary>
    public LatencyStatistics Calibrate(LayerSourceInfo? source = null)
    {
        var configuration = Configuration.ForBricks(source?.Kind);
        _store.RegisterConfiguration(configuration);
        var overhead = BrickBenchmarkRunner.Calibrate(_engine, configuration);
        _store.SaveCalibration(System.Key, configuration.Key, overhead);
        return overhead;
    }

    /// <summary>
    /// The speedup of concurrent bricks under the configuration bricks of <paramref name="source"/> run with
    /// (<see cref="ConcurrencyCalibration"/>), measured now and stored under the calibration's reserved keys; null when that
    /// configuration runs one brick at a time.
    /// </summary>
    public ConcurrencyProfile? CalibrateConcurrency(LayerSourceInfo? source = null)
    {
        var configuration = Configuration.ForBricks(source?.Kind);
        if (ConcurrencyCalibration.Workers(configuration) <= 1) return null;
        _store.RegisterConfiguration(configuration);
        return ConcurrencyCalibration.Measure(_engine, configuration, LatencyStatistic.Median, (key, statistics) =>
            _store.Save(new BrickResult(key, System.Key, configuration.Key, statistics, null, DateTimeOffset.UtcNow, MeasurementHarness.Version)));
    }

    /// <summary>
    /// This engine as one validation measures with: bricks reported to <paramref name="progress"/> and stopped by
    /// <paramref name="cancellationToken"/>, stored results reused when <paramref name="reuseStored"/> says so
    /// (<see cref="MeasureBricks"/>), and the calibration taken under the configuration bricks of <paramref name="source"/> run with.
    /// </summary>
    public IValidationMeasurement ForValidation(LayerSourceInfo? source, bool reuseStored, IProgress<string>? progress = null,
        CancellationToken cancellationToken = default)
        => new ValidationView(this, source, reuseStored, progress, cancellationToken);

    private sealed class ValidationView(EngineMeasurement engine, LayerSourceInfo? source, bool reuseStored, IProgress<string>? progress,
        CancellationToken cancellationToken) : IValidationMeasurement
    {
        public LatencyStatistics MeasureModel(string modelPath) => engine.MeasureModel(modelPath);

        public IReadOnlyDictionary<string, BrickResult> MeasureBricks(IReadOnlyList<BrickLocation> bricks)
            => engine.MeasureBricks(bricks, progress, cancellationToken, reuseStored);

        public LatencyStatistics Calibrate() => engine.Calibrate(source);

        public ConcurrencyProfile? CalibrateConcurrency() => engine.CalibrateConcurrency(source);
    }
}
