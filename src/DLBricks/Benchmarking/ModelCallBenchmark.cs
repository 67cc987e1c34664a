using System.ComponentModel;
using BenchmarkDotNet.Attributes;

namespace DLBricks.Benchmarking;

/// <summary>
/// The benchmark class BenchmarkDotNet runs in-process for <see cref="LatencyMeasurer"/>. It only forwards to the call being
/// measured; not meant for direct use (it has to be public for BenchmarkDotNet).
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public class ModelCallBenchmark
{
    // BenchmarkDotNet creates the instance itself, so the call reaches it through a static slot; LatencyMeasurer holds a
    // process-wide lock while the slot is in use.
    internal static Action? Target;

    /// <summary>One call of the measured model.</summary>
    [Benchmark]
    public void Call() => Target!();
}
