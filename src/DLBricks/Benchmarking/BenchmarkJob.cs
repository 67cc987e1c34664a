namespace DLBricks.Benchmarking;

/// <summary>
/// How long and how often a model is measured. Every measurement (BenchmarkDotNet iteration) runs the model
/// <c>k</c> times back to back, where <c>k</c> is picked per model from a short pilot so one iteration lasts about
/// <see cref="TargetIterationTime"/>; warmup and measured iteration counts are fixed. A model's cost therefore scales with
/// its latency: roughly (<see cref="WarmupCount"/> + <see cref="IterationCount"/>) × max(latency, target) plus a fixed few ms.
/// </summary>
/// <param name="Name">Stored in <see cref="RunConfiguration.Job"/>; results of different jobs never mix.</param>
/// <param name="WarmupCount">Iterations run before measuring.</param>
/// <param name="IterationCount">Measured iterations; the statistics' N.</param>
/// <param name="TargetIterationTime">Wanted duration of one iteration.</param>
/// <param name="PilotTime">How long the pilot runs the model to estimate its latency (at least one run).</param>
internal sealed record BenchmarkJob(string Name, int WarmupCount, int IterationCount, TimeSpan TargetIterationTime, TimeSpan PilotTime)
{
    /// <summary>
    /// The default job, after the paper: 100 measured iterations (the statistics' N, 20 % trimmed mean), each about 0.1 ms
    /// so sub-millisecond bricks are averaged over several runs instead of timer noise.
    /// </summary>
    public static BenchmarkJob Default { get; } = new("default", 10, 100, TimeSpan.FromMilliseconds(0.1), TimeSpan.FromMilliseconds(1));

    /// <summary>
    /// The default job with the cheaper measurement rules on (docs/bench.md, "Cutting the fixed cost"): measured iterations stop
    /// once the median is known to ±1 % (<see cref="MedianStoppingRule.Default"/>, at least 20, at most 100), and the pilot
    /// stops after one timed call when that call alone fixes the invocation count.
    /// </summary>
    public static BenchmarkJob Lean { get; } = Default with
    {
        Name = "lean", Stopping = MedianStoppingRule.Default, Pilot = PilotMode.StopWhenSlow, CasesPerRun = 16,
    };

    /// <summary>A smoke-test job: one warmup and five short iterations.</summary>
    public static BenchmarkJob Quick { get; } = new("quick", 1, 5, TimeSpan.FromMilliseconds(0.2), TimeSpan.FromMilliseconds(1));

    /// <summary>
    /// Bytes a brick's copies should span together so each run finds its weights and inputs out of the core's private caches,
    /// as inside a model where other layers ran in between. Defaults to <see cref="CacheTopology.RotationBytes"/> of this
    /// machine (8 × its largest L1/L2 cache, 8 MiB when unknown); 0 disables rotation.
    /// </summary>
    public long RotationBytes { get; init; } = CacheTopology.Current.RotationBytes;

    /// <summary>Most copies of one brick kept in rotation (bounds memory and session count).</summary>
    public int MaxCopies { get; init; } = 8;

    /// <summary>Bricks whose weights are smaller than this run as a single copy: nothing of theirs would be cold in a model.</summary>
    public long MinRotatedWeightBytes { get; init; } = DefaultMinRotatedWeightBytes;

    /// <summary>The default of <see cref="MinRotatedWeightBytes"/>: 64 KiB, chosen on the nine shared models (docs/results.md).</summary>
    public const long DefaultMinRotatedWeightBytes = 64 << 10;

    /// <summary>
    /// How many copies of a brick to rotate through: enough that their data spans <see cref="RotationBytes"/>, but only for bricks
    /// with weights (<paramref name="weightBytes"/> ≥ <see cref="MinRotatedWeightBytes"/>). A weightless layer (Relu, Reshape, Add)
    /// reads activations its predecessor just wrote, warm in the model as in the loop; rotating it would only add the cost of
    /// switching sessions.
    /// </summary>
    public int CopiesFor(long bytesMoved, long weightBytes)
    {
        if (RotationBytes <= 0 || MaxCopies <= 1 || weightBytes < MinRotatedWeightBytes) return 1;
        var bytes = Math.Max(bytesMoved, 4096);
        return (int)Math.Clamp((RotationBytes + bytes - 1) / bytes, 1, MaxCopies);
    }

    /// <summary>
    /// True when every session of the configuration runs on the process's shared ONNX Runtime thread pool
    /// (<see cref="Benchmarking.SharedThreadPool"/>), so a multi-threaded brick can rotate through copies without each copy's own
    /// pool spinning against the others. Set by <c>BricksOptions.ToMeasurement</c> when the pool is in use; false keeps
    /// per-session pools (and one copy per multi-threaded brick).
    /// </summary>
    public bool SharedThreadPool { get; init; }

    /// <summary>
    /// Whether bricks of a configuration with <paramref name="intraOpThreads"/> intra-op threads rotate through copies
    /// (<see cref="CopiesFor"/>): with one thread, or when all copies share one thread pool. With a pool per session, idle copies'
    /// spinning workers would compete for the cores (a measured 1.29x over-estimate), so those configurations run one copy.
    /// </summary>
    public bool Rotates(int intraOpThreads) => intraOpThreads == 1 || SharedThreadPool;

    /// <summary>
    /// When set, measured iterations end as soon as this rule is satisfied, with <see cref="IterationCount"/> as the cap; null
    /// (the default) always runs <see cref="IterationCount"/> iterations.
    /// </summary>
    public MedianStoppingRule? Stopping { get; init; }

    /// <summary>
    /// Bricks measured in one BenchmarkDotNet run (<see cref="LatencyMeasurer.MeasureMany"/>), so its fixed cost per run is shared;
    /// 1 (the default) runs each brick alone. A run's bricks keep their sessions open together, so a batch also closes once
    /// their copies hold <see cref="BatchBytes"/>.
    /// </summary>
    public int CasesPerRun { get; init; } = 1;

    /// <summary>Bytes of weights and tensors (all copies) a batch of <see cref="CasesPerRun"/> bricks may hold open at once.</summary>
    public const long BatchBytes = 256L << 20;

    /// <summary>How long the pilot that picks the invocation count runs; <see cref="PilotMode.Full"/> unless set.</summary>
    public PilotMode Pilot { get; init; } = PilotMode.Full;

    /// <summary>
    /// With <see cref="PilotMode.StopWhenSlow"/>, a timed call at least this many <see cref="TargetIterationTime"/>s long ends the
    /// pilot: the steady state would have to be this many times faster for the invocation count to differ from 1.
    /// </summary>
    public const double SlowCallFactor = 3;

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

    /// <summary>
    /// The measurement harness version this job measures with: <see cref="MeasurementHarness.Version"/>, settable only so tests can
    /// stand in for an older or newer release.
    /// </summary>
    internal int HarnessVersion { get; init; } = MeasurementHarness.Version;

    /// <summary>
    /// Everything about this job that changes a timing, as canonical text for <see cref="Shared.RunConfiguration.Measurement"/>:
    /// harness version, warmup and iteration counts, iteration and pilot times, rotation settings, clock and, when used, the
    /// shared thread pool (which turns rotation on for multi-threaded bricks). The job's
    /// <see cref="Name"/> is not part of it: two jobs measuring the same way share results, one name reused for a changed job does not.
    /// </summary>
    public string Provenance
    {
        get
        {
            var ci = System.Globalization.CultureInfo.InvariantCulture;
            var text = string.Create(ci,
                $"harness={HarnessVersion};warmup={WarmupCount};iterations={IterationCount};target-ticks={TargetIterationTime.Ticks};" +
                $"pilot-ticks={PilotTime.Ticks};rotation-bytes={RotationBytes};max-copies={MaxCopies};min-rotated={MinRotatedWeightBytes};" +
                $"max-invocations={MaxInvocationsPerIteration};clock={Clock}");
            // Appended only when on, so jobs without them keep the keys their stored results were saved under.
            if (Stopping is { } s)
                text += string.Create(ci, $";stop=median-ci:min={s.MinIterations},half-width={s.MaxRelativeHalfWidth:R},confidence={s.Confidence:R}");
            if (Pilot != PilotMode.Full)
                text += string.Create(ci, $";pilot={Pilot}");
            if (CasesPerRun > 1)
                text += string.Create(ci, $";cases-per-run={CasesPerRun}");
            if (SharedThreadPool)
                text += ";" + Benchmarking.SharedThreadPool.ProvenanceTag;
            return text;
        }
    }

    /// <summary>The configuration key fields of this job's measurements under the given session settings.</summary>
    /// <param name="executionProvider"><c>cpu</c> or <c>cuda</c>.</param>
    /// <param name="deviceId">CUDA device; null for CPU.</param>
    /// <param name="intraOpThreads">Intra-op threads (0 = ONNX Runtime default).</param>
    /// <param name="interOpThreads">Inter-op threads (0 = ONNX Runtime default).</param>
    /// <param name="executionMode"><c>sequential</c> or <c>parallel</c>.</param>
    /// <param name="optimizationLevel">Session graph optimization level.</param>
    public Shared.RunConfiguration Configuration(string executionProvider, int? deviceId, int intraOpThreads, int interOpThreads,
        string executionMode, string optimizationLevel)
        => new(executionProvider, deviceId, intraOpThreads, interOpThreads, executionMode, optimizationLevel, Name, Provenance);

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

/// <summary>How the pilot that picks a job's invocation count runs.</summary>
internal enum PilotMode
{
    /// <summary>One untimed call, then timed calls until <see cref="BenchmarkJob.PilotTime"/> has passed; their mean fixes the count.</summary>
    Full,

    /// <summary>
    /// As <see cref="Full"/>, but the pilot ends after its first timed call when that call lasts at least
    /// <see cref="BenchmarkJob.SlowCallFactor"/> × <see cref="BenchmarkJob.TargetIterationTime"/>: the count is then 1 either way.
    /// </summary>
    StopWhenSlow,
}
