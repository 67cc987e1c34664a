using DLBricks.Benchmarking;
using DLBricks.Estimation;
using DLBricks.Graph;
using DLBricks.Reporting;

namespace DLBricks;

/// <summary>Where ONNX Runtime runs models and bricks.</summary>
public enum ExecutionProvider
{
    /// <summary>The CPU execution provider.</summary>
    Cpu,
    /// <summary>The CUDA execution provider (needs the GPU build of ONNX Runtime, see docs/gpu.md).</summary>
    Cuda,
}

/// <summary>ONNX Runtime's execution mode: how the operators of one session are scheduled.</summary>
public enum ExecutorMode
{
    /// <summary>Operators run one after another (the default; what the thread-CPU clock needs).</summary>
    Sequential,
    /// <summary>Independent operators may run concurrently on the inter-op thread pool.</summary>
    Parallel,
}

/// <summary>Which clock times each benchmark iteration.</summary>
public enum IterationClock
{
    /// <summary>The thread-CPU clock when every kernel runs on the calling thread (CPU, one thread, sequential) and the OS has it; else wall.</summary>
    Auto,
    /// <summary>Wall-clock time.</summary>
    Wall,
    /// <summary>CPU time of the measuring thread: immune to preemption on a loaded machine; needs CPU, one thread, sequential.</summary>
    ThreadCpu,
}

/// <summary>How long each brick and model is measured.</summary>
public enum MeasurementJob
{
    /// <summary>The default job: 10 warmup and 100 measured iterations of about 0.1 ms each.</summary>
    Default,
    /// <summary>A smoke-test job: 1 warmup and 5 iterations. Fast, noisy; its results are stored apart from the default job's.</summary>
    Quick,
    /// <summary>
    /// The default job with the cost-cutting rules on: a sequential stopping rule on the median, a pilot that stops when the
    /// first call is slow, and several bricks per BenchmarkDotNet run. Stored apart from the default job's results.
    /// </summary>
    Lean,
}

/// <summary>Which estimators <see cref="Bricks.Estimate(IReadOnlyList{string}, IResultStore, BricksOptions?, IProgress{BricksProgress}?, CancellationToken)"/> runs.</summary>
[Flags]
public enum Estimators
{
    /// <summary>Sum over every brick occurrence (the paper's estimate).</summary>
    Sequential = 1,
    /// <summary>Longest latency-weighted path through the brick DAG.</summary>
    CriticalPath = 2,
    /// <summary>Cheapest cover of the layers by overlapping windows; splits the model with overlap windows.</summary>
    OverlapCover = 4,
    /// <summary>Every estimator (overlap cover only where the recipe has windows).</summary>
    All = Sequential | CriticalPath | OverlapCover,
}

/// <summary>
/// Whether the sessions of a multi-threaded CPU configuration share one process-wide ONNX Runtime thread pool, so bricks can
/// rotate through copies as they do with one thread (docs/bench.md, "Multi-threaded bricks: one shared thread pool").
/// </summary>
public enum SharedPoolMode
{
    /// <summary>
    /// Use the shared pool when the configuration has a thread pool (CPU, more than one intra-op thread or the parallel executor
    /// with inter-op threads) and ONNX Runtime can still get it in this process; otherwise per-session pools and one copy per brick.
    /// </summary>
    Auto,
    /// <summary>As <see cref="Auto"/>, but fail instead of falling back when the pool is unavailable; refused with CUDA.</summary>
    On,
    /// <summary>Per-session thread pools; multi-threaded bricks run one copy (the behaviour before the shared pool).</summary>
    Off,
}

/// <summary>
/// Everything <see cref="Bricks"/> needs to split, measure, estimate and validate, in one immutable record built fluently:
/// <c>BricksOptions.Default.WithProvider(ExecutionProvider.Cpu).WithThreads(1).WithGranularity(1)</c>. The defaults are the
/// ones the command line uses and the measurements in docs/results.md chose; they are defined here once.
/// </summary>
public sealed record BricksOptions
{
    // Validation defaults live with the validation runner; reading them here keeps one definition.
    private static readonly ValidationRunOptions ValidationDefaults = new();

    /// <summary>CPU, one intra-op thread, sequential, session level <c>all</c>, the default job, auto clock, G = 1, optimized layer source.</summary>
    public static BricksOptions Default { get; } = new();

    /// <summary>Execution provider models and bricks run on.</summary>
    public ExecutionProvider Provider { get; init; } = ExecutionProvider.Cpu;

    /// <summary>CUDA device; null means device 0 for <see cref="ExecutionProvider.Cuda"/> and nothing for the CPU.</summary>
    public int? Device { get; init; }

    /// <summary>Intra-op threads (0 = ONNX Runtime's default). One thread keeps measurements stable on a shared machine.</summary>
    public int Threads { get; init; } = 1;

    /// <summary>Inter-op threads (0 = ONNX Runtime's default).</summary>
    public int InterOpThreads { get; init; }

    /// <summary>
    /// Whether a multi-threaded CPU configuration's sessions (bricks, their rotated copies and the end-to-end runs) share one
    /// process-wide thread pool. Whether it was used is part of the results' configuration key.
    /// </summary>
    public SharedPoolMode SharedPool { get; init; } = SharedPoolMode.Auto;

    /// <summary>ONNX Runtime execution mode of the measuring sessions.</summary>
    public ExecutorMode Executor { get; init; } = ExecutorMode.Sequential;

    /// <summary>
    /// With <see cref="ExecutorMode.Parallel"/>: schedule the critical-path estimate on the executor's inter-op workers at the
    /// system's measured speedup when bricks run together (<see cref="ConcurrencyProfile"/>, measured once per system and
    /// configuration by <c>bench</c> and <c>validate</c>). False: the longest path alone, as if branches overlapped perfectly.
    /// </summary>
    public bool WorkerSchedule { get; init; } = true;

    /// <summary>Graph optimization level of the measuring sessions (bricks of an optimized source always run with it disabled).</summary>
    public OptimizationLevel SessionLevel { get; init; } = OptimizationLevel.All;

    /// <summary>How long each brick and model is measured.</summary>
    public MeasurementJob Job { get; init; } = MeasurementJob.Default;

    /// <summary>
    /// Bricks with fewer bytes of weights than this run as one copy, the others rotate through copies so their weights are not
    /// cache-hot (docs/measurement.md). Null keeps the job's default (64 KiB); the value is part of the results' configuration key.
    /// </summary>
    public long? MinRotatedWeightBytes { get; init; }

    /// <summary>Which clock times each iteration.</summary>
    public IterationClock Clock { get; init; } = IterationClock.Auto;

    /// <summary>G: the most layers per brick, for split and estimate.</summary>
    public int Granularity { get; init; } = 1;

    /// <summary>The G values a validation compares.</summary>
    public IReadOnlyList<int> Granularities { get; init; } = ValidationDefaults.Granularities;

    /// <summary>Split the graph ONNX Runtime executes after its optimizations (default) or the model as written.</summary>
    public LayerSourceKind Source { get; init; } = LayerSourceOptions.Default.Kind;

    /// <summary>Optimization level of the optimized layer source.</summary>
    public OptimizationLevel SourceLevel { get; init; } = LayerSourceOptions.Default.Level;

    /// <summary>Also cut every window of up to G consecutive layers (needed by the overlap-cover estimator).</summary>
    public bool Overlap { get; init; }

    /// <summary>Shapes, dims and values per model name (file name without extension); null: every model's defaults.</summary>
    public Func<string, ModelInputBindings>? Inputs { get; init; }

    /// <summary>Load every multi-layer brick in ONNX Runtime while splitting (a refused one falls back to single layers).</summary>
    public bool VerifyBricks { get; init; } = true;

    /// <summary>Audit a split's public files for the models' names and trained values before writing them.</summary>
    public bool PrivacyAudit { get; init; } = true;

    /// <summary>
    /// Where models' optimized graphs and shape probes are kept between runs; null (the default for library callers)
    /// optimizes and probes every model afresh. The CLI passes <see cref="Graph.GraphCache.DefaultFolder"/> unless
    /// <c>--no-cache</c>.
    /// </summary>
    public GraphCache? GraphCache { get; init; }

    /// <summary>Models split at once (at least 1). The output does not depend on it; memory grows with it.</summary>
    public int SplitJobs { get; init; } = SplitOptions.DefaultJobs;

    /// <summary>Estimators to run.</summary>
    public Estimators Estimators { get; init; } = Estimators.All;

    /// <summary>Per-brick statistic estimates (and validations) use.</summary>
    public LatencyStatistic Statistic { get; init; } = ValidationDefaults.Statistic;

    /// <summary>Subtract the per-call harness cost for all but one brick run.</summary>
    public bool FixedCost { get; init; }

    /// <summary>Estimate: benchmark the bricks the store has no result for before estimating.</summary>
    public bool BenchMissing { get; init; }

    /// <summary>Estimate for this system key instead of this machine (results measured elsewhere).</summary>
    public string? TargetSystem { get; init; }

    /// <summary>Estimate from this configuration key instead of the one these options describe.</summary>
    public string? TargetConfiguration { get; init; }

    /// <summary>Validation settings that only a validation uses (repeats, spread, runs, profile check).</summary>
    public ValidationSettings Validation { get; init; } = new();

    /// <summary>These options on <paramref name="provider"/> (and, for CUDA, <paramref name="device"/>).</summary>
    public BricksOptions WithProvider(ExecutionProvider provider, int? device = null) => this with { Provider = provider, Device = device };

    /// <summary>These options with <paramref name="threads"/> intra-op (and optionally <paramref name="interOpThreads"/> inter-op) threads.</summary>
    public BricksOptions WithThreads(int threads, int interOpThreads = 0) => this with { Threads = threads, InterOpThreads = interOpThreads };

    /// <summary>These options with the shared thread pool <paramref name="mode"/>.</summary>
    public BricksOptions WithSharedPool(SharedPoolMode mode) => this with { SharedPool = mode };

    /// <summary>These options with ONNX Runtime execution mode <paramref name="executor"/>.</summary>
    public BricksOptions WithExecutor(ExecutorMode executor) => this with { Executor = executor };

    /// <summary>These options with session optimization level <paramref name="level"/>.</summary>
    public BricksOptions WithSessionLevel(OptimizationLevel level) => this with { SessionLevel = level };

    /// <summary>These options with the measurement job <paramref name="job"/>.</summary>
    public BricksOptions WithJob(MeasurementJob job) => this with { Job = job };

    /// <summary>These options rotating bricks with at least <paramref name="bytes"/> of weights (null: the job's default).</summary>
    public BricksOptions WithMinRotatedWeightBytes(long? bytes) => this with { MinRotatedWeightBytes = bytes };

    /// <summary>These options with the iteration clock <paramref name="clock"/>.</summary>
    public BricksOptions WithClock(IterationClock clock) => this with { Clock = clock };

    /// <summary>These options splitting at G = <paramref name="granularity"/>.</summary>
    public BricksOptions WithGranularity(int granularity) => this with { Granularity = granularity };

    /// <summary>These options validating at each of <paramref name="granularities"/>.</summary>
    public BricksOptions WithGranularities(params int[] granularities) => this with { Granularities = granularities };

    /// <summary>These options splitting <paramref name="source"/> (at <paramref name="level"/> for the optimized source).</summary>
    public BricksOptions WithLayerSource(LayerSourceKind source, OptimizationLevel level = OptimizationLevel.All) => this with { Source = source, SourceLevel = level };

    /// <summary>These options with overlap windows on or off.</summary>
    public BricksOptions WithOverlap(bool overlap = true) => this with { Overlap = overlap };

    /// <summary>These options with input shapes, dims and values per model name.</summary>
    public BricksOptions WithInputs(Func<string, ModelInputBindings>? inputs) => this with { Inputs = inputs };

    /// <summary>These options running <paramref name="estimators"/>.</summary>
    public BricksOptions WithEstimators(Estimators estimators) => this with { Estimators = estimators };

    /// <summary>These options using the per-brick statistic <paramref name="statistic"/>.</summary>
    public BricksOptions WithStatistic(LatencyStatistic statistic) => this with { Statistic = statistic };

    /// <summary>These options with the fixed-cost correction on or off.</summary>
    public BricksOptions WithFixedCost(bool fixedCost = true) => this with { FixedCost = fixedCost };

    /// <summary>These options benchmarking missing bricks before estimating (or not).</summary>
    public BricksOptions WithBenchMissing(bool benchMissing = true) => this with { BenchMissing = benchMissing };

    /// <summary>These options estimating for a stored system and configuration (either may be null: this machine, these options).</summary>
    public BricksOptions WithTarget(string? system, string? configuration = null) => this with { TargetSystem = system, TargetConfiguration = configuration };

    /// <summary>These options with the validation settings changed by <paramref name="change"/>.</summary>
    public BricksOptions WithValidation(Func<ValidationSettings, ValidationSettings> change) => this with { Validation = change(Validation) };

    /// <summary>Provider name as stores and layer sources spell it.</summary>
    internal string ProviderName => Provider == ExecutionProvider.Cuda ? "cuda" : "cpu";

    /// <summary>The layer source these options split.</summary>
    internal LayerSourceOptions LayerSource =>
        (Source == LayerSourceKind.Raw ? LayerSourceOptions.Raw : new LayerSourceOptions(LayerSourceKind.Optimized, SourceLevel))
        with { Provider = ProviderName };

    /// <summary>Split options for one run at G = <paramref name="granularity"/>.</summary>
    internal SplitOptions ToSplitOptions(int granularity, bool overlap) => new()
    {
        Granularity = granularity,
        Source = LayerSource,
        Overlap = overlap,
        Bindings = Inputs,
        VerifyWithRuntime = VerifyBricks,
        PrivacyAudit = PrivacyAudit,
        Cache = GraphCache,
        Jobs = SplitJobs,
    };

    /// <summary>
    /// The string-keyed configuration the stores and the measuring stages use, and the job, with the clock resolved.
    /// </summary>
    /// <exception cref="InvalidModelException">A setting is out of range or the clock cannot serve these settings.</exception>
    internal (RunConfiguration Configuration, BenchmarkJob Job) ToMeasurement()
    {
        if (Threads < 0) throw new InvalidModelException($"threads {Threads}: use 0 (ONNX Runtime's default) or more.");
        if (InterOpThreads < 0) throw new InvalidModelException($"inter-op threads {InterOpThreads}: use 0 (ONNX Runtime's default) or more.");
        if (Device is < 0) throw new InvalidModelException($"device {Device}: a CUDA device number is 0 or more.");
        var mode = Executor == ExecutorMode.Parallel ? "parallel" : "sequential";
        var clockName = Clock switch { IterationClock.Wall => "wall", IterationClock.ThreadCpu => "cpu", _ => "auto" };
        if (!MeasurementClocks.TryResolve(clockName, Threads, mode, ProviderName, out var clock, out var error))
            throw new InvalidModelException(error!);
        var job = (Job switch { MeasurementJob.Quick => BenchmarkJob.Quick, MeasurementJob.Lean => BenchmarkJob.Lean, _ => BenchmarkJob.Default }).WithClock(clock);
        // Before anything else starts ONNX Runtime in this process: the pool can only be set up with its environment.
        if (MinRotatedWeightBytes is < 0) throw new InvalidModelException($"--min-rotated-bytes {MinRotatedWeightBytes}: give 0 or more bytes.");
        job = job with
        {
            SharedThreadPool = ResolveSharedPool(mode).InUse,
            MinRotatedWeightBytes = MinRotatedWeightBytes ?? job.MinRotatedWeightBytes,
        };
        var device = Provider == ExecutionProvider.Cuda ? Device ?? 0 : (int?)null;
        return (job.Configuration(ProviderName, device, Threads, InterOpThreads, mode, LayerSourceOptions.LevelName(SessionLevel)), job);
    }

    /// <summary>
    /// Sets up the process's shared thread pool for these options when they use one (<see cref="Benchmarking.SharedThreadPool.Ensure"/>)
    /// and says whether their sessions run on it. Idempotent; called by <see cref="ToMeasurement"/> and, so a split's own ONNX
    /// Runtime sessions do not start the runtime without it, by <see cref="Bricks.Split"/>.
    /// </summary>
    /// <exception cref="InvalidModelException"><see cref="SharedPoolMode.On"/> with CUDA, or with the pool unavailable.</exception>
    internal SharedPoolDecision ResolveSharedPool() => ResolveSharedPool(Executor == ExecutorMode.Parallel ? "parallel" : "sequential");

    private SharedPoolDecision ResolveSharedPool(string mode)
    {
        if (SharedPool == SharedPoolMode.On && Provider != ExecutionProvider.Cpu)
            throw new InvalidModelException("--shared-pool on: the shared thread pool serves the CPU provider's thread pools; " +
                                            "use --shared-pool auto or off with --ep cuda.");
        if (Threads < 0 || InterOpThreads < 0)
            return new SharedPoolDecision(SharedPoolState.NotNeeded, null);
        var decision = SharedThreadPool.Ensure(SharedPool != SharedPoolMode.Off, ProviderName, Threads, InterOpThreads, mode);
        if (SharedPool == SharedPoolMode.On && decision.State == SharedPoolState.Unavailable)
            throw new InvalidModelException($"--shared-pool on: the shared thread pool is unavailable ({decision.Reason}); " +
                                            "use --shared-pool auto to fall back to per-session thread pools.");
        return decision;
    }

    /// <summary>Fails on a granularity below 1.</summary>
    internal void EnsureGranularity()
    {
        if (Granularity < 1) throw new InvalidModelException($"G = {Granularity}: G must be at least 1.");
    }

    internal EstimateOptions ToEstimateOptions(IReadOnlyList<IEstimateCorrection> corrections) => new(Statistic, corrections);

    internal ModelEstimator ToEstimator()
    {
        if (Estimators == Estimators.All) return new ModelEstimator();
        var chosen = new List<ILatencyEstimator>();
        if (Estimators.HasFlag(Estimators.Sequential)) chosen.Add(ModelEstimator.For(EstimationMode.Sequential));
        if (Estimators.HasFlag(Estimators.CriticalPath)) chosen.Add(ModelEstimator.For(EstimationMode.CriticalPath));
        if (Estimators.HasFlag(Estimators.OverlapCover)) chosen.Add(ModelEstimator.For(EstimationMode.OverlapCover));
        if (chosen.Count == 0) throw new InvalidModelException("no estimator chosen; pick at least one (sequential, critical path, overlap cover).");
        return new ModelEstimator(chosen);
    }

    /// <summary>Validation options with every shared setting taken from these options.</summary>
    internal ValidationRunOptions ToValidationRunOptions(RunConfiguration configuration) => new()
    {
        Granularities = Granularities,
        Overlap = Overlap,
        EndToEndRepeats = Validation.Repeats,
        MaxEndToEndRepeats = Validation.MaxRepeats,
        SpreadThreshold = Validation.SpreadThreshold,
        Statistic = Statistic,
        FixedCostCorrection = FixedCost,
        FixedCostBelowMs = Validation.FixedCostBelowMs,
        Profile = Validation.Profile,
        // The trial run and the profile check open the models as the engine does: same provider, device and session options.
        Session = configuration,
        // Bricks are cut from the graph optimized for the provider they are measured with.
        Split = ToSplitOptions(Granularity, Overlap),
        Runs = Validation.Runs,
        ReproducibilityTolerance = Validation.RunTolerance,
        WorkerSchedule = WorkerSchedule,
    };
}

/// <summary>Settings only a validation uses; the defaults are those of <see cref="ValidationRunOptions"/>.</summary>
public sealed record ValidationSettings
{
    private static readonly ValidationRunOptions Defaults = new();

    /// <summary>End-to-end measurements per model, interleaved with its bricks (at least 2, to see spread).</summary>
    public int Repeats { get; init; } = Defaults.EndToEndRepeats;

    /// <summary>Adaptive cap: a model whose repeats disagree is measured again up to this many times (0: off).</summary>
    public int MaxRepeats { get; init; } = Defaults.MaxEndToEndRepeats;

    /// <summary>End-to-end spread (fraction) above which a model is flagged untrustworthy.</summary>
    public double SpreadThreshold { get; init; } = Defaults.SpreadThreshold;

    /// <summary>Without <see cref="BricksOptions.FixedCost"/>: subtract the per-call cost from estimates below this many ms (0: never).</summary>
    public double FixedCostBelowMs { get; init; } = Defaults.FixedCostBelowMs;

    /// <summary>Whole validations to run; 2 or more add run-to-run figures.</summary>
    public int Runs { get; init; } = Defaults.Runs;

    /// <summary>With several runs: a model is reproducible when every run is within this fraction of the median run.</summary>
    public double RunTolerance { get; init; } = Defaults.ReproducibilityTolerance;

    /// <summary>Also run the Observation-1 profile check on every model.</summary>
    public bool Profile { get; init; } = Defaults.Profile;

    /// <exception cref="InvalidModelException">A setting is out of range.</exception>
    internal void Validate(IReadOnlyList<int> granularities)
    {
        if (granularities.Count == 0 || granularities.Any(g => g < 1)) throw new InvalidModelException("validate needs at least one G, each at least 1.");
        if (Repeats < 2) throw new InvalidModelException("repeats: at least 2 end-to-end measurements are needed to see spread.");
        if (!double.IsFinite(FixedCostBelowMs) || FixedCostBelowMs < 0) throw new InvalidModelException("fixed-cost-below: milliseconds ≥ 0 (0 turns the correction off).");
        if (MaxRepeats != 0 && MaxRepeats <= Repeats) throw new InvalidModelException("max-repeats: 0 (off) or more than repeats.");
        if (Runs < 1) throw new InvalidModelException("runs: at least 1 run.");
        if (!double.IsFinite(RunTolerance) || RunTolerance < 0) throw new InvalidModelException("run-tolerance: a fraction ≥ 0, e.g. 0.03.");
    }
}
