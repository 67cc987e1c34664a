using System.CommandLine;
using System.Globalization;

namespace DLBricks.Cli.Commands;

/// <summary>
/// How models and bricks are run (execution provider, threads, executor, session optimization level, job, clock and shared
/// thread pool), for every
/// verb that measures: <c>bench</c>, <c>estimate --bench-missing</c> and <c>validate</c>. Defaults are
/// <see cref="BricksOptions.Default"/>'s, so all three store and find results under the same configuration.
/// </summary>
internal sealed class SessionCliOptions
{
    private static readonly BricksOptions Defaults = BricksOptions.Default;
    private readonly bool _withExecutor;

    /// <param name="withExecutor">Offer <c>--executor</c> (bench, validate: the parallel executor is validated against the critical-path estimate); estimate measures sequentially.</param>
    /// <param name="legacyLevel">Accept the old <c>--level</c> as a hidden spelling of <c>--session-level</c> (bench, where it meant that).</param>
    public SessionCliOptions(bool withExecutor = false, bool legacyLevel = false)
    {
        _withExecutor = withExecutor;
        var level = new Option<string>("--session-level")
        {
            Description = "ONNX Runtime graph optimization level of the sessions: disabled, basic, extended or all.",
            DefaultValueFactory = _ => CliVocabulary.LevelName(Defaults.SessionLevel),
        };
        // Values are checked when read (exit 2 naming the value), as bench always did.
        SessionLevel = legacyLevel ? new RenamedOption<string>(level, "--level") : null;
        SessionLevelOption = level;
        if (!legacyLevel) level.AcceptOnlyFromAmong(CliVocabulary.SessionLevels);
        Executor = new RenamedOption<string>(new Option<string>("--executor")
        {
            Description = "ONNX Runtime execution mode: sequential or parallel.",
            DefaultValueFactory = _ => CliVocabulary.ExecutorName(Defaults.Executor),
        }, "--mode");
        Clock.AcceptOnlyFromAmong(CliVocabulary.Clocks);
        SharedPool.AcceptOnlyFromAmong(CliVocabulary.SharedPools);
    }

    public Option<string> Ep { get; } = new("--ep") { Description = "Execution provider: cpu or cuda[:DEVICE].", DefaultValueFactory = _ => "cpu" };
    public Option<int> Threads { get; } = new("--threads") { Description = "Intra-op threads (0 = ONNX Runtime default).", DefaultValueFactory = _ => Defaults.Threads };
    public Option<int> InterThreads { get; } = new("--inter-threads") { Description = "Inter-op threads (0 = ONNX Runtime default).", DefaultValueFactory = _ => Defaults.InterOpThreads };
    public Option<string> SessionLevelOption { get; }
    private RenamedOption<string>? SessionLevel { get; }
    private RenamedOption<string> Executor { get; }
    public Option<bool> Quick { get; } = new("--quick") { Description = "Short smoke-test job (1 warmup, 5 iterations) instead of the default 100 iterations." };
    public Option<bool> Lean { get; } = new("--lean") { Description = BenchCommand.LeanDescription };
    public Option<long?> MinRotatedBytes { get; } = new("--min-rotated-bytes")
    {
        Description = "Bricks with at least this many bytes of weights rotate through copies so their weights are not cache-hot " +
                      "(default 65536; part of the results' configuration key).",
    };
    public Option<string> Clock { get; } = new("--clock")
    {
        Description = "Clock timing each iteration: wall, cpu (thread CPU time: immune to preemption on noisy machines; needs --threads 1), " +
                      "or auto (cpu when --ep cpu --threads 1 on Linux, else wall).",
        DefaultValueFactory = _ => CliVocabulary.ClockName(Defaults.Clock),
    };

    public Option<string> SharedPool { get; } = new("--shared-pool")
    {
        Description = "Multi-threaded CPU sessions (--threads other than 1, or --executor parallel with inter-op threads) share one " +
                      "ONNX Runtime thread pool, so bricks rotate through copies as with one thread: auto (when available), " +
                      "on (fail if unavailable; not with --ep cuda) or off (a pool per session, one copy per brick).",
        DefaultValueFactory = _ => CliVocabulary.SharedPoolName(Defaults.SharedPool),
    };

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { Ep, Threads, InterThreads })
            command.Options.Add(option);
        if (SessionLevel is null) command.Options.Add(SessionLevelOption);
        else SessionLevel.AddTo(command);
        if (_withExecutor) Executor.AddTo(command);
        command.Options.Add(Quick);
        command.Options.Add(Lean);
        command.Options.Add(MinRotatedBytes);
        command.Options.Add(Clock);
        command.Options.Add(SharedPool);
    }

    /// <summary><paramref name="options"/> with the measuring settings given on the command line.</summary>
    /// <exception cref="InvalidModelException">An option value is malformed.</exception>
    public BricksOptions Apply(ParseResult result, BricksOptions options)
    {
        var (provider, device) = CliVocabulary.ParseProvider(result.GetValue(Ep)!);
        var level = SessionLevel?.GetValue(result) ?? result.GetValue(SessionLevelOption)!;
        options = options
            .WithProvider(provider, device)
            .WithThreads(result.GetValue(Threads), result.GetValue(InterThreads))
            .WithSessionLevel(CliVocabulary.ParseLevel(level))
            .WithJob(ReadJob(result))
            .WithMinRotatedWeightBytes(result.GetValue(MinRotatedBytes))
            .WithClock(CliVocabulary.ParseClock(result.GetValue(Clock)!))
            .WithSharedPool(CliVocabulary.ParseSharedPool(result.GetValue(SharedPool)!));
        return _withExecutor ? options.WithExecutor(CliVocabulary.ParseExecutor(Executor.GetValue(result))) : options;
    }

    /// <exception cref="InvalidModelException">Both --quick and --lean were given.</exception>
    private MeasurementJob ReadJob(ParseResult result)
    {
        if (result.GetValue(Quick) && result.GetValue(Lean))
            throw new InvalidModelException("--quick and --lean are two different jobs: choose one.");
        return result.GetValue(Quick) ? MeasurementJob.Quick : result.GetValue(Lean) ? MeasurementJob.Lean : MeasurementJob.Default;
    }

    /// <summary>The store's configuration and the job these options describe.</summary>
    /// <exception cref="InvalidModelException">An option value is malformed or the clock cannot serve these settings.</exception>
    public (RunConfiguration Configuration, Benchmarking.BenchmarkJob Job) Read(ParseResult result) => Apply(result, Defaults).ToMeasurement();
}
