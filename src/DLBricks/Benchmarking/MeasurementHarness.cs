namespace DLBricks.Benchmarking;

/// <summary>The version of the code that turns a brick into a latency, recorded with every configuration and result.</summary>
internal static class MeasurementHarness
{
    /// <summary>
    /// Bumped whenever measuring code changes what a timing means: session setup, input synthesis, rotation, pilot, iteration
    /// or statistics code. It is part of every configuration key (<see cref="BenchmarkJob.Provenance"/>), so results of an older
    /// harness are never reused: the next <c>bench</c> measures again without <c>--force</c>. History: 1 = before the version
    /// was recorded (stored as legacy configurations); 2 = first recorded version.
    /// </summary>
    public const int Version = 2;
}
