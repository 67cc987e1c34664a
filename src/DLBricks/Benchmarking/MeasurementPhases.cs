namespace DLBricks.Benchmarking;

/// <summary>
/// Where the wall time of one <see cref="LatencyMeasurer.Measure(string, Action)"/> went. The pilot and the BenchmarkDotNet run
/// are timed with a wall-clock stopwatch; jitting, warmup and measured iterations are the sums BenchmarkDotNet's own
/// measurements report (with the thread-CPU clock those are CPU time, so the remainder also holds time the thread was off the
/// CPU). What the engine spent outside its iterations is <see cref="BenchmarkDotNetOverhead"/>.
/// </summary>
/// <param name="Pilot">Wall time of the pilot, first untimed call included.</param>
/// <param name="PilotCalls">Calls the pilot made (the untimed first call included).</param>
/// <param name="Engine">Wall time of <c>BenchmarkRunner.Run</c>: case setup, the engine's stages, summary.</param>
/// <param name="Jitting">BenchmarkDotNet's jitting stage (one overhead and one workload iteration).</param>
/// <param name="Warmup">Warmup iterations.</param>
/// <param name="WarmupIterations">How many warmup iterations ran.</param>
/// <param name="Measured">Measured iterations.</param>
/// <param name="MeasuredIterations">How many measured iterations ran (the statistics' N).</param>
/// <param name="Export">Writing the exporters' reports of the case.</param>
internal sealed record MeasurementPhases(
    TimeSpan Pilot,
    int PilotCalls,
    TimeSpan Engine,
    TimeSpan Jitting,
    TimeSpan Warmup,
    int WarmupIterations,
    TimeSpan Measured,
    int MeasuredIterations,
    TimeSpan Export)
{
    /// <summary>What the BenchmarkDotNet run cost beyond its iterations (case setup, validation, summary); never negative.</summary>
    public TimeSpan BenchmarkDotNetOverhead => Max(Engine - Jitting - Warmup - Measured, TimeSpan.Zero);

    /// <summary>Wall time of the whole measurement: pilot, engine and export.</summary>
    public TimeSpan Total => Pilot + Engine + Export;

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}

/// <summary>
/// Where the wall time of benchmarking one brick went (<see cref="BrickBenchmarkRunner.Measure"/>): opening its first session,
/// opening the extra copies it is rotated through, and the measurement itself. <see cref="Other"/> is what is left (reading
/// paths, disposing sessions), so the parts always add up to <see cref="Total"/>.
/// </summary>
/// <param name="Total">Wall time of the brick, from start to its sessions disposed.</param>
/// <param name="SessionCreation">Opening the first session (load, optimize, bind inputs and outputs).</param>
/// <param name="RotationSetup">Opening the other copies (zero with one copy).</param>
/// <param name="Copies">Sessions the brick was rotated through.</param>
/// <param name="Measurement">The measurement's phases; null when the brick failed before or during it.</param>
internal sealed record BrickCost(TimeSpan Total, TimeSpan SessionCreation, TimeSpan RotationSetup, int Copies, MeasurementPhases? Measurement)
{
    /// <summary>Time not attributed to a phase; never negative.</summary>
    public TimeSpan Other
    {
        get
        {
            var rest = Total - SessionCreation - RotationSetup - (Measurement?.Total ?? TimeSpan.Zero);
            return rest > TimeSpan.Zero ? rest : TimeSpan.Zero;
        }
    }
}
