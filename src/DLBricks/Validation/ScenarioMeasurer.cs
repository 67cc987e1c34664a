using DLBricks.Benchmarking;
using DLBricks.Splitting;

namespace DLBricks.Validation;

/// <summary>
/// Validation's quick path: models and bricks measured with the scenario engine (<see cref="ScenarioEngine"/>) instead of
/// BenchmarkDotNet, on the same session wrapper and inputs as <c>bench</c> (<see cref="OnnxModelRunner.OpenModel"/>,
/// <see cref="OnnxModelRunner.OpenBrick"/>). Nothing is stored; seconds instead of minutes. As an
/// <see cref="IValidationMeasurement"/>, bricks are labelled system <c>local</c>, configuration <c>scenario</c>.
/// </summary>
internal sealed class ScenarioMeasurer : IValidationMeasurement
{
    private readonly RunConfiguration _configuration;
    private readonly ScenarioEngine _engine;
    private readonly Func<string, Graph.ModelInputs?>? _inputs;
    private readonly Dictionary<string, LayerSourceInfo> _sources = new(StringComparer.Ordinal);

    /// <summary>Creates a measurer; defaults: <see cref="ScenarioEngine.Configuration"/> (ONNX Runtime thread defaults), 100 queries after 10 warm-ups.</summary>
    /// <param name="configuration">Session settings of every measurement.</param>
    /// <param name="scenario">How long each measurement runs.</param>
    /// <param name="inputs">
    /// The resolved inputs per model path for <see cref="IValidationMeasurement.MeasureModel"/>; null resolves them without bindings.
    /// </param>
    public ScenarioMeasurer(RunConfiguration? configuration = null, ScenarioOptions? scenario = null, Func<string, Graph.ModelInputs?>? inputs = null)
    {
        _configuration = configuration ?? ScenarioEngine.Configuration();
        _engine = new ScenarioEngine(scenario);
        _inputs = inputs;
    }

    /// <summary>The engine every measurement of this measurer uses.</summary>
    public ScenarioEngine Engine => _engine;

    /// <summary>Measures a model file end to end, fed <paramref name="inputs"/> (default: resolved without bindings).</summary>
    /// <exception cref="InvalidModelException">The model cannot be loaded, or an input cannot be resolved; the message names it.</exception>
    /// <exception cref="BenchmarkFailedException">A run failed.</exception>
    public LatencyStatistics MeasureModel(string modelPath, Graph.ModelInputs? inputs = null)
    {
        using var runner = OnnxModelRunner.OpenModel(modelPath, _configuration, new ModelRunOptions(inputs));
        return _engine.Measure(Path.GetFileNameWithoutExtension(modelPath), runner).Statistics;
    }

    /// <summary>
    /// Measures one brick of a catalog, opened as <c>bench</c> opens it and under the configuration its catalog's layer source
    /// asks for (<see cref="RunConfiguration.ForBricks"/>); a brick that cannot load or run is a failed result with the reason.
    /// </summary>
    public BrickResult MeasureBrick(string catalogFolder, BrickEntry brick, string systemKey, string configurationKey)
    {
        ArgumentNullException.ThrowIfNull(brick);
        try
        {
            using var runner = OnnxModelRunner.OpenBrick(catalogFolder, brick, _configuration.ForBricks(SourceOf(catalogFolder).Kind));
            var stats = _engine.Measure(brick.Hash, runner).Statistics;
            return new BrickResult(brick.Hash, systemKey, configurationKey, stats, null, DateTimeOffset.UtcNow);
        }
        catch (Exception e) when (e is not (OutOfMemoryException or OperationCanceledException or ExecutionProviderUnavailableException))
        {
            var reason = e.Message.ReplaceLineEndings(" ").Trim();
            if (!reason.Contains(brick.File, StringComparison.Ordinal)) reason = $"{Path.Combine(catalogFolder, brick.File)}: {reason}";
            return new BrickResult(brick.Hash, systemKey, configurationKey, null, reason, DateTimeOffset.UtcNow);
        }
    }

    /// <summary>Measures many bricks one after another; a brick that cannot run is a failed result.</summary>
    public IReadOnlyDictionary<string, BrickResult> MeasureBricks(IReadOnlyList<BrickLocation> bricks, string systemKey, string configurationKey)
    {
        ArgumentNullException.ThrowIfNull(bricks);
        return bricks.ToDictionary(b => b.Entry.Hash, b => MeasureBrick(b.CatalogFolder, b.Entry, systemKey, configurationKey), StringComparer.Ordinal);
    }

    /// <summary>
    /// Measures the harness's fixed per-call cost: the same engine running the one-element Identity model
    /// (<see cref="BrickBenchmarkRunner.Calibrate(ILatencyEngine, RunConfiguration)"/>), whose compute is negligible. This is the
    /// calibration <see cref="Estimation.FixedCostCorrection"/> subtracts.
    /// </summary>
    public LatencyStatistics MeasureCallOverhead() => BrickBenchmarkRunner.Calibrate(_engine, _configuration);

    /// <inheritdoc />
    public ConcurrencyProfile? CalibrateConcurrency() => ConcurrencyCalibration.Measure(_engine, _configuration, LatencyStatistic.Median);

    LatencyStatistics IValidationMeasurement.MeasureModel(string modelPath) => MeasureModel(modelPath, _inputs?.Invoke(modelPath));

    IReadOnlyDictionary<string, BrickResult> IValidationMeasurement.MeasureBricks(IReadOnlyList<BrickLocation> bricks)
        => MeasureBricks(bricks, "local", "scenario");

    LatencyStatistics IValidationMeasurement.Calibrate() => MeasureCallOverhead();

    private LayerSourceInfo SourceOf(string folder)
    {
        if (!_sources.TryGetValue(folder, out var source))
            _sources[folder] = source = BrickBenchmarkRunner.SourceOf(folder);
        return source;
    }
}
