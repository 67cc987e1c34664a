using System.Diagnostics;

namespace DLBricks.Shared;

/// <summary>The phases a split spends its time in, in the order a model goes through them.</summary>
internal enum SplitPhase
{
    /// <summary>Reading the model file (protobuf parse, external data checks) and hashing it for the graph cache.</summary>
    Read,
    /// <summary>ONNX Runtime's graph optimizations (the optimized layer source), or loading their cached result.</summary>
    Optimize,
    /// <summary>The shape probe: one ONNX Runtime run exposing every node output, or loading its cached result.</summary>
    Probe,
    /// <summary>Constant folding, the layer DAG, Algorithms 1 and 2 and brick hashing (runtime checks excluded).</summary>
    Split,
    /// <summary>Writing brick files (materialized values) and catalog entries.</summary>
    Export,
    /// <summary>Loading written bricks in ONNX Runtime (the runnability check of Algorithm 2 and the final check).</summary>
    Verify,
    /// <summary>Indexing each model's names and trained values for the privacy audit, as the split reads the model.</summary>
    Index,
    /// <summary>The privacy audit's scan of the public files against that index.</summary>
    Audit,
}

/// <summary>
/// Time spent per <see cref="SplitPhase"/>, summed over models. Phases nest (the split calls the runtime check of each
/// candidate brick): a phase's time excludes the time of the phases measured inside it on the same thread, so the phases add
/// up to the work done. Thread-safe: with several models split in parallel the sums add the time of every worker, so they can
/// exceed the run's wall time.
/// </summary>
internal sealed class SplitPhaseTimes
{
    private readonly long[] _ticks = new long[Enum.GetValues<SplitPhase>().Length];

    // Time of inner measurements on this thread since the innermost running Measure began.
    [ThreadStatic] private static long _innerTicks;

    /// <summary>Runs <paramref name="work"/> and adds its wall time, less that of phases measured inside it, to <paramref name="phase"/>.</summary>
    public T Measure<T>(SplitPhase phase, Func<T> work)
    {
        var outer = _innerTicks;
        _innerTicks = 0;
        var start = Stopwatch.GetTimestamp();
        try
        {
            return work();
        }
        finally
        {
            var elapsed = Stopwatch.GetElapsedTime(start).Ticks;
            Interlocked.Add(ref _ticks[(int)phase], Math.Max(0, elapsed - _innerTicks));
            _innerTicks = outer + elapsed;
        }
    }

    /// <summary>Runs <paramref name="work"/> and adds its time to <paramref name="phase"/>, as <see cref="Measure{T}"/>.</summary>
    public void Measure(SplitPhase phase, Action work) => Measure(phase, () => { work(); return true; });

    /// <summary>Adds <paramref name="elapsed"/> to <paramref name="phase"/> (and counts it as inner time of a running <see cref="Measure{T}"/>).</summary>
    public void Add(SplitPhase phase, TimeSpan elapsed)
    {
        Interlocked.Add(ref _ticks[(int)phase], elapsed.Ticks);
        _innerTicks += elapsed.Ticks;
    }

    /// <summary>Time spent in <paramref name="phase"/> so far.</summary>
    public TimeSpan this[SplitPhase phase] => TimeSpan.FromTicks(Interlocked.Read(ref _ticks[(int)phase]));

    /// <summary>One line, e.g. <c>read 0.4 s, optimize 2.1 s, …</c>, phases in pipeline order.</summary>
    public override string ToString() =>
        string.Join(", ", Enum.GetValues<SplitPhase>().Select(p => $"{p.ToString().ToLowerInvariant()} {this[p].TotalSeconds:0.0} s"));
}
