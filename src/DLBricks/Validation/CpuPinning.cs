using System.Diagnostics;

namespace DLBricks.Validation;

/// <summary>
/// Restricts the process to a set of logical CPUs for the duration of a measurement and restores the previous set on
/// dispose. Pinning keeps the scheduler from migrating the benchmark between cores (cold caches, other tenants' cores),
/// which narrows the spread of repeated measurements at the cost of fewer cores for ONNX Runtime's thread pool.
/// <para>
/// Effect by platform: on Windows the mask applies to every thread of the process. On Linux .NET calls
/// <c>sched_setaffinity</c> on the process id, which is the main thread; threads created afterwards inherit it, threads
/// that already exist keep their mask — so pin before creating sessions (ONNX Runtime creates its pools per session).
/// macOS has no affinity API, so pinning is reported as not applied.
/// </para>
/// </summary>
public sealed class CpuPinning : IDisposable
{
    private readonly nint? _previous;

    private CpuPinning(bool applied, string detail, nint? previous)
    {
        Applied = applied;
        Detail = detail;
        _previous = previous;
    }

    /// <summary>True when the affinity was changed.</summary>
    public bool Applied { get; }

    /// <summary>What was done, or why nothing was.</summary>
    public string Detail { get; }

    /// <summary>Pins the current process to <paramref name="cores"/> (logical CPU indices).</summary>
    public static CpuPinning Apply(IReadOnlyList<int> cores)
    {
        ArgumentNullException.ThrowIfNull(cores);
        if (cores.Count == 0) return new CpuPinning(false, "no cores requested; affinity unchanged.", null);
        if (!OperatingSystem.IsWindows() && !OperatingSystem.IsLinux())
            return new CpuPinning(false, "CPU affinity is not supported on this OS; affinity unchanged.", null);
        var invalid = cores.Where(c => c < 0 || c >= Environment.ProcessorCount || c >= 8 * nint.Size).ToList();
        if (invalid.Count > 0)
            return new CpuPinning(false, $"core(s) {string.Join(", ", invalid)} do not exist (0..{Environment.ProcessorCount - 1}); affinity unchanged.", null);

        var mask = cores.Aggregate(0L, (m, c) => m | (1L << c));
        using var process = Process.GetCurrentProcess();
        var previous = process.ProcessorAffinity;
        process.ProcessorAffinity = (nint)mask;
        return new CpuPinning(true, $"pinned to core(s) {string.Join(", ", cores.Order())}.", previous);
    }

    /// <summary>Restores the affinity that was in effect before <see cref="Apply"/>.</summary>
    public void Dispose()
    {
        if (_previous is not { } previous) return;
        if (!OperatingSystem.IsWindows() && !OperatingSystem.IsLinux()) return;
        using var process = Process.GetCurrentProcess();
        process.ProcessorAffinity = previous;
    }
}
