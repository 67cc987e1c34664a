namespace DLBricks.Benchmarking;

/// <summary>The result of measuring one model under a <see cref="BenchmarkJob"/>.</summary>
/// <param name="Statistics">Latency per run, in milliseconds.</param>
/// <param name="InvocationsPerIteration">Runs per BenchmarkDotNet iteration, chosen from the pilot.</param>
/// <param name="PilotEstimate">Per-run latency the pilot saw.</param>
/// <param name="WallTime">Wall time of the whole measurement (pilot and BenchmarkDotNet run).</param>
public sealed record LatencyMeasurement(LatencyStatistics Statistics, int InvocationsPerIteration, TimeSpan PilotEstimate, TimeSpan WallTime)
{
    /// <summary>Where <see cref="WallTime"/> went (pilot, BenchmarkDotNet's stages, export); null when not recorded.</summary>
    public MeasurementPhases? Phases { get; init; }
}
