using DLBricks.Benchmarking;
using DLBricks.Storage;

namespace DLBricks.Samples.Generator;

/// <summary>How the sample runs models and bricks: the CLI's defaults (CPU, one intra-op thread, sequential, level "all", thread-CPU clock when available) with a job picked by <see cref="SampleRigor"/>.</summary>
public static class SampleSession
{
    /// <summary>
    /// The sample's default job: 3 warmup and 30 measured iterations of about 1 ms. The paper's 10 + 100 iterations would
    /// spend ~3.3× as long per brick and per end-to-end measurement, which does not fit the sample's 10-minute budget on two
    /// cores; 30 iterations still give a stable median (the statistic compared) for the single-threaded CPU-time clock.
    /// </summary>
    public static BenchmarkJob SampleJob { get; } = new("sample", 3, 30, TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(5));

    /// <summary>The job of <paramref name="rigor"/>, timed by the thread-CPU clock when the OS offers it.</summary>
    public static BenchmarkJob JobFor(SampleRigor rigor)
    {
        var job = rigor switch
        {
            SampleRigor.Paper => BenchmarkJob.Default,
            SampleRigor.Quick => BenchmarkJob.Quick,
            _ => SampleJob,
        };
        MeasurementClocks.TryResolve("auto", intraOpThreads: 1, "sequential", out var clock, out _);
        return job.WithClock(clock);
    }

    /// <summary>The configuration results are stored under for <paramref name="job"/>.</summary>
    public static RunConfiguration ConfigurationFor(BenchmarkJob job) =>
        new("cpu", null, IntraOpThreads: 1, InterOpThreads: 0, "sequential", "all", job.Name);
}
