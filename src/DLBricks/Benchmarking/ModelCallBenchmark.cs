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

    // A run of several cases (LatencyMeasurer.MeasureMany) hands each case its call by index.
    internal static Action[]? Targets;

    /// <summary>The case's index into the run's calls; set by BenchmarkDotNet from the case's parameters.</summary>
    public int Index { get; set; }

    /// <summary>Picks this case's call before its engine starts.</summary>
    [GlobalSetup]
    public void Setup()
    {
        if (Targets is { } targets) Target = targets[Index];
    }

    /// <summary>One call of the measured model.</summary>
    [Benchmark]
    public void Call() => Target!();
}
