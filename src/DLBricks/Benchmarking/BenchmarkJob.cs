namespace DLBricks.Benchmarking;

/// <summary>
/// How long and how often a model is measured. Every measurement (BenchmarkDotNet iteration) runs the model
/// <c>k</c> times back to back, where <c>k</c> is picked per model from a short pilot so one iteration lasts about
/// <see cref="TargetIterationTime"/>; warmup and measured iteration counts are fixed. A model's cost therefore scales with
/// its latency: roughly (<see cref="WarmupCount"/> + <see cref="IterationCount"/>) × max(latency, target) plus a fixed few ms.
/// </summary>
/// <param name="Name">Stored in <see cref="Storage.RunConfiguration.Job"/>; results of different jobs never mix.</param>
/// <param name="WarmupCount">Iterations run before measuring.</param>
/// <param name="IterationCount">Measured iterations; the statistics' N.</param>
/// <param name="TargetIterationTime">Wanted duration of one iteration.</param>
/// <param name="PilotTime">How long the pilot runs the model to estimate its latency (at least one run).</param>
public sealed record BenchmarkJob(string Name, int WarmupCount, int IterationCount, TimeSpan TargetIterationTime, TimeSpan PilotTime)
{
    /// <summary>
    /// The default job, after the paper: 100 measured iterations (the statistics' N, 20 % trimmed mean), each about 1 ms
    /// so sub-millisecond bricks are averaged over several runs instead of timer noise.
    /// </summary>
    public static BenchmarkJob Default { get; } = new("default", 10, 100, TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(5));

    /// <summary>A smoke-test job: one warmup and five short iterations.</summary>
    public static BenchmarkJob Quick { get; } = new("quick", 1, 5, TimeSpan.FromMilliseconds(0.2), TimeSpan.FromMilliseconds(1));

    /// <summary>
    /// Bytes a brick's copies should span together so each run finds its weights and inputs out of the core's private caches,
    /// as inside a model where other layers ran in between (8 MiB by default; 0 disables rotation).
    /// </summary>
    public long RotationBytes { get; init; } = 8L << 20;

    /// <summary>Most copies of one brick kept in rotation (bounds memory and session count).</summary>
    public int MaxCopies { get; init; } = 8;

    /// <summary>How many copies of a brick that touches <paramref name="bytesMoved"/> bytes per run to rotate through.</summary>
    public int CopiesFor(long bytesMoved)
    {
        if (RotationBytes <= 0 || MaxCopies <= 1) return 1;
        var bytes = Math.Max(bytesMoved, 4096);
        return (int)Math.Clamp((RotationBytes + bytes - 1) / bytes, 1, MaxCopies);
    }

    /// <summary>Which clock times an iteration; <see cref="MeasurementClock.Wall"/> unless set with <see cref="WithClock"/>.</summary>
    public MeasurementClock Clock { get; init; } = MeasurementClock.Wall;

    /// <summary>
    /// This job timed with <paramref name="clock"/>. The thread-CPU clock gets its own job name (suffix <c>+cpu</c>), so its results
    /// are stored apart from wall-clock results.
    /// </summary>
    /// <exception cref="PlatformNotSupportedException">The thread-CPU clock is not available on this OS.</exception>
    public BenchmarkJob WithClock(MeasurementClock clock)
    {
        if (clock == Clock) return this;
        if (clock == MeasurementClock.ThreadCpu && !ThreadCpuClock.Instance.IsAvailable)
            throw new PlatformNotSupportedException("the thread-CPU clock needs Linux; use the wall clock.");
        var baseName = Name.EndsWith("+cpu", StringComparison.Ordinal) ? Name[..^4] : Name;
        return this with { Clock = clock, Name = clock == MeasurementClock.ThreadCpu ? baseName + "+cpu" : baseName };
    }

    /// <summary>Calls per iteration for a model whose single run takes <paramref name="perCall"/>.</summary>
    public int InvocationsFor(TimeSpan perCall)
    {
        if (perCall <= TimeSpan.Zero)
            return MaxInvocationsPerIteration;
        var calls = TargetIterationTime.TotalNanoseconds / perCall.TotalNanoseconds;
        return (int)Math.Clamp(Math.Round(calls), 1, MaxInvocationsPerIteration);
    }

    /// <summary>Upper bound on calls per iteration, so a mis-measured pilot cannot make one iteration run for minutes.</summary>
    public const int MaxInvocationsPerIteration = 1_000_000;
}
