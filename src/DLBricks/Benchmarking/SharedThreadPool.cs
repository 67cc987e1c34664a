using Microsoft.ML.OnnxRuntime;

namespace DLBricks.Benchmarking;

/// <summary>The thread pools of a configuration: intra-op threads (0 = ONNX Runtime's default) and inter-op threads.</summary>
/// <param name="IntraOp">Intra-op threads, as <see cref="RunConfiguration.IntraOpThreads"/>.</param>
/// <param name="InterOp">Inter-op threads; 1 (no pool) unless the parallel executor uses them.</param>
internal readonly record struct ThreadPoolSize(int IntraOp, int InterOp)
{
    public override string ToString() => $"{Threads(IntraOp)} intra-op, {Threads(InterOp)} inter-op";

    private static string Threads(int n) => n == 0 ? "default" : n.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>What <see cref="SharedThreadPool.Decide"/> found.</summary>
internal enum SharedPoolState
{
    /// <summary>Switched off: sessions keep their own thread pools.</summary>
    Off,
    /// <summary>The configuration has no thread pool to share (one thread, sequential; or not the CPU provider).</summary>
    NotNeeded,
    /// <summary>ONNX Runtime is not started yet: start it now with the pool.</summary>
    Create,
    /// <summary>The process's ONNX Runtime has exactly this pool: every session of the configuration uses it.</summary>
    InUse,
    /// <summary>ONNX Runtime was started without this pool: sessions keep their own pools (and bricks run one copy).</summary>
    Unavailable,
}

/// <summary>Whether a configuration's sessions share the process-wide pool, and why not.</summary>
/// <param name="State">The outcome.</param>
/// <param name="Size">The pool the configuration needs; null when it needs none.</param>
/// <param name="Reason">Why the pool is unavailable (one line); null otherwise.</param>
internal sealed record SharedPoolDecision(SharedPoolState State, ThreadPoolSize? Size, string? Reason = null)
{
    /// <summary>True when every session of the configuration runs on the shared pool.</summary>
    public bool InUse => State == SharedPoolState.InUse;

    /// <summary>One line for the user; null when there is nothing to say (off, or no pool needed).</summary>
    public string? Describe() => State switch
    {
        SharedPoolState.InUse => $"shared thread pool ({Size}): every session uses it, bricks rotate through copies",
        SharedPoolState.Unavailable => $"shared thread pool unavailable ({Reason}): sessions keep their own thread pools, one copy per brick",
        _ => null,
    };
}

/// <summary>
/// One process-wide ONNX Runtime thread pool for every session of a multi-threaded CPU configuration. Each
/// <c>InferenceSession</c> normally owns an intra-op pool (and, with the parallel executor, an inter-op pool); a brick
/// rotated through several copies then has several pools whose idle workers spin and compete for the cores, so
/// multi-threaded configurations used to measure one copy and found their weights hot in cache. ONNX Runtime's global pools
/// (created with the environment, <c>OrtEnv.CreateInstanceWithOptions</c>, used by sessions that call
/// <c>SessionOptions.DisablePerSessionThreads</c>) let the copies share one pool, so rotation works again.
/// </summary>
/// <remarks>
/// The environment can be created once per process, and anything that touches ONNX Runtime creates it lazily without global
/// pools; so the pool is set up by the front door (<see cref="Ensure"/>, from <c>BricksOptions.ToMeasurement</c>) before
/// anything else. When that is too late (another caller started ONNX Runtime first, or the process's pool has another size),
/// the pool is unavailable and the configuration is measured the old way: per-session pools, one copy per brick. Whether the
/// pool was used is part of the job's provenance (<see cref="BenchmarkJob.SharedThreadPool"/>, <see cref="ProvenanceTag"/>), so
/// both sides of a comparison and every stored result agree on it.
/// </remarks>
internal static class SharedThreadPool
{
    /// <summary>Written into <see cref="BenchmarkJob.Provenance"/> (and so the configuration key) when the pool is used.</summary>
    public const string ProvenanceTag = "pool=shared";

    private static readonly Lock Gate = new();
    private static ThreadPoolSize? s_created;

    /// <summary>The pool this process created for ONNX Runtime, if any.</summary>
    public static ThreadPoolSize? Current
    {
        get { lock (Gate) return s_created; }
    }

    /// <summary>
    /// The pool a configuration needs: null for a provider other than the CPU, and for one intra-op thread with the sequential
    /// executor (or with at most one inter-op thread), which has no pool at all.
    /// </summary>
    public static ThreadPoolSize? Needed(string executionProvider, int intraOpThreads, int interOpThreads, string executionMode)
    {
        if (executionProvider != "cpu") return null;
        var inter = executionMode == "parallel" ? interOpThreads : 1;
        return intraOpThreads == 1 && inter == 1 ? null : new ThreadPoolSize(intraOpThreads, inter);
    }

    /// <summary>The pool <paramref name="configuration"/> needs (see the other overload).</summary>
    public static ThreadPoolSize? Needed(RunConfiguration configuration) => Needed(configuration.ExecutionProvider,
        configuration.IntraOpThreads, configuration.InterOpThreads, configuration.ExecutionMode);

    /// <summary>
    /// The decision, from the request and the state of the process's ONNX Runtime alone (no side effect, so tests can cover
    /// every case whatever state their own process is in).
    /// </summary>
    /// <param name="enabled">False when switched off.</param>
    /// <param name="needed">The configuration's pool (<see cref="Needed(string, int, int, string)"/>).</param>
    /// <param name="runtimeStarted">Whether ONNX Runtime's environment exists in this process (<c>OrtEnv.IsCreated</c>).</param>
    /// <param name="existing">The global pool the environment was created with; null when it has none.</param>
    public static SharedPoolDecision Decide(bool enabled, ThreadPoolSize? needed, bool runtimeStarted, ThreadPoolSize? existing)
    {
        if (!enabled) return new SharedPoolDecision(SharedPoolState.Off, needed);
        if (needed is not { } size) return new SharedPoolDecision(SharedPoolState.NotNeeded, null);
        if (!runtimeStarted) return new SharedPoolDecision(SharedPoolState.Create, size);
        if (existing == size) return new SharedPoolDecision(SharedPoolState.InUse, size);
        return new SharedPoolDecision(SharedPoolState.Unavailable, size, existing is { } other
            ? $"this process's ONNX Runtime already has a shared pool of {other}; this configuration needs {size}"
            : "ONNX Runtime was started in this process before the pool could be set up");
    }

    /// <summary>
    /// Makes sure the process's ONNX Runtime has the pool the configuration needs: creates the environment with it when ONNX
    /// Runtime is not started yet, else reports whether the existing environment has it. Idempotent.
    /// </summary>
    public static SharedPoolDecision Ensure(bool enabled, string executionProvider, int intraOpThreads, int interOpThreads, string executionMode)
    {
        var needed = Needed(executionProvider, intraOpThreads, interOpThreads, executionMode);
        lock (Gate)
        {
            var decision = Decide(enabled, needed, OrtEnv.IsCreated, s_created);
            if (decision.State != SharedPoolState.Create) return decision;
            var size = decision.Size!.Value;
            // ONNX Runtime creates the pools with the environment, reading the options once: they can go afterwards.
            using var threading = new OrtThreadingOptions
            {
                GlobalIntraOpNumThreads = size.IntraOp,
                GlobalInterOpNumThreads = size.InterOp,
                // Per-session pools spin by default (session.intra_op.allow_spinning = 1): keep that.
                GlobalSpinControl = true,
            };
            var options = new EnvironmentCreationOptions { threadOptions = threading, logLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_WARNING };
            try
            {
                OrtEnv.CreateInstanceWithOptions(ref options);
            }
            catch (OnnxRuntimeException)
            {
                // Another thread started ONNX Runtime between the check and here.
                return Decide(enabled, needed, runtimeStarted: true, s_created);
            }
            s_created = size;
            return new SharedPoolDecision(SharedPoolState.InUse, size);
        }
    }

    /// <summary>True when <paramref name="configuration"/> was measured on the shared pool (its provenance says so).</summary>
    public static bool UsedBy(RunConfiguration configuration)
        => configuration.Measurement.Split(';').Contains(ProvenanceTag, StringComparer.Ordinal);

    /// <summary>
    /// Makes a session use the process's shared pool instead of its own.
    /// </summary>
    /// <param name="options">The session's options.</param>
    /// <param name="needed">The pool the session's configuration needs; checked against the process's when given.</param>
    /// <exception cref="InvalidOperationException">This process has no such pool: the configuration cannot be measured here as it was keyed.</exception>
    public static void Attach(SessionOptions options, ThreadPoolSize? needed = null)
    {
        var current = Current;
        if (current is null || (needed is { } size && size != current))
            throw new InvalidOperationException(
                $"the configuration runs on a shared thread pool of {needed?.ToString() ?? "some size"}, but this process's ONNX Runtime " +
                $"{(current is { } c ? $"has one of {c}" : "has none")}; set the pool up before anything else starts ONNX Runtime " +
                "(BricksOptions.ToMeasurement), or measure with the shared pool off.");
        options.DisablePerSessionThreads();
    }
}
