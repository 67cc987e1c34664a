using DLBricks.Benchmarking;
using DLBricks.Storage;

namespace DLBricks.Samples.Generator;

/// <summary>How the sample runs models and bricks: the CLI's defaults (CPU, one intra-op thread, sequential, level "all", thread-CPU clock when available) with a job picked by <see cref="SampleRigor"/>.</summary>
internal static class SampleSession
{
    /// <summary>
    /// The light job (<c>--rigor light</c>): 3 warmup and 30 measured iterations of about 1 ms. The default subset runs in
    /// 3.7 min with the paper's job and 1.5 min with this one (2026-11-23, two shared cores); 30 iterations still give a stable
    /// median (the statistic compared) under the single-threaded CPU-time clock. Its results are stored apart (job name "light").
    /// </summary>
    public static BenchmarkJob LightJob { get; } = new("light", 3, 30, TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(5));

    /// <summary>The job of <paramref name="rigor"/>, timed by the thread-CPU clock when the OS offers it.</summary>
    public static BenchmarkJob JobFor(SampleRigor rigor)
    {
        var job = rigor switch
        {
            SampleRigor.Light => LightJob,
            SampleRigor.Quick => BenchmarkJob.Quick,
            _ => BenchmarkJob.Default,
        };
        MeasurementClocks.TryResolve("auto", intraOpThreads: 1, "sequential", "cpu", out var clock, out _);
        return job.WithClock(clock);
    }

    /// <summary>The configuration results are stored under for <paramref name="job"/>.</summary>
    public static RunConfiguration ConfigurationFor(BenchmarkJob job) =>
        job.Configuration("cpu", null, intraOpThreads: 1, interOpThreads: 0, "sequential", "all");
}
