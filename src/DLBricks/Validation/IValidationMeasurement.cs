using DLBricks.Benchmarking;

namespace DLBricks.Validation;

/// <summary>
/// How a validation measures: models end to end, bricks, and the per-call calibration, all on one engine so both sides of
/// the ratio are timed alike. <see cref="EngineMeasurement"/> measures with an <see cref="ILatencyEngine"/> (BenchmarkDotNet by
/// default) and stores brick results; <see cref="ScenarioMeasurer"/> is the quick path that stores nothing.
/// </summary>
internal interface IValidationMeasurement
{
    /// <summary>Measures a whole model end to end on its resolved inputs.</summary>
    /// <exception cref="InvalidModelException">The model cannot be read or run (a per-model failure).</exception>
    LatencyStatistics MeasureModel(string modelPath);

    /// <summary>Measures <paramref name="bricks"/>; one result per brick hash, a brick that cannot run being a failed result.</summary>
    IReadOnlyDictionary<string, BrickResult> MeasureBricks(IReadOnlyList<BrickLocation> bricks);

    /// <summary>The harness's per-call cost on an Identity model, timed as the bricks are.</summary>
    LatencyStatistics Calibrate();

    /// <summary>
    /// The system's speedup when the bricks' configuration runs several at once (<see cref="ConcurrencyCalibration"/>), timed as
    /// the bricks are; null when that configuration runs one brick at a time.
    /// </summary>
    ConcurrencyProfile? CalibrateConcurrency();
}
