namespace DLBricks.Benchmarking;

/// <summary>
/// How a call is timed. Every measurement of the library goes through one of two engines over the same session wrapper
/// (<see cref="OnnxModelRunner"/>) and input synthesizer (<see cref="SyntheticInputs"/>): the BenchmarkDotNet engine
/// (<see cref="LatencyMeasurer"/>: pilot, warmup and iterations under BenchmarkDotNet; what bench, estimate and validate store)
/// and the quick scenario engine (<see cref="ScenarioEngine"/>: single-stream queries timed one by one, percentiles and
/// throughput in seconds). What runs is the engine's caller's choice; how long and how it is timed is the engine's.
/// </summary>
internal interface ILatencyEngine
{
    /// <summary>Short name of the engine (<c>benchmarkdotnet</c>, <c>scenario</c>).</summary>
    string Name { get; }

    /// <summary>Measures <paramref name="runner"/> one query at a time. <paramref name="label"/> names the case in reports.</summary>
    /// <exception cref="BenchmarkFailedException">The run threw or nothing was measured.</exception>
    LatencyMeasurement Measure(string label, OnnxModelRunner runner);

    /// <summary>Measures several calls, each on its own; a call that fails fails alone. One result per call, in order.</summary>
    IReadOnlyList<CallMeasurement> MeasureMany(IReadOnlyList<MeasuredCall> calls);
}
