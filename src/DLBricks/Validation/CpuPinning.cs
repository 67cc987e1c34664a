using System.Diagnostics;
using System.Runtime.InteropServices;

namespace DLBricks.Validation;

/// <summary>
/// Restricts the process to a set of logical CPUs for the duration of a measurement and restores the previous set on
/// dispose. Pinning keeps the scheduler from migrating the benchmark between cores (cold caches, other tenants' cores),
/// which narrows the spread of repeated measurements — at the cost of fewer cores for ONNX Runtime's thread pool, so
/// pin to at least as many cores as intra-op threads.
/// <para>
/// Effect by platform: on Windows <see cref="Process.ProcessorAffinity"/> applies to every thread of the process. On
/// Linux it only calls <c>sched_setaffinity</c> on the process id, i.e. the main thread (new threads inherit from their
/// creator, existing ones keep their mask), so this class also applies the mask to every thread listed in
/// <c>/proc/self/task</c>; threads started later inherit it from whichever pinned thread creates them.
/// macOS has no affinity API, so pinning is reported as not applied.
/// </para>
/// </summary>
internal sealed partial class CpuPinning : IDisposable
{
    private readonly nint? _previous;
    private bool _disposed;

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
        using var process = Process.GetCurrentProcess();
        var previous = process.ProcessorAffinity;
        // Containers (cpusets) and earlier pinning restrict which CPUs exist for us; their indices need not start at 0.
        var allowed = (long)previous;
        var invalid = cores.Where(c => c < 0 || c >= 64 || (allowed & (1L << c)) == 0).ToList();
        if (invalid.Count > 0)
            return new CpuPinning(false, $"core(s) {string.Join(", ", invalid)} are not available to this process (allowed: {string.Join(", ", Cores(allowed))}); affinity unchanged.", null);

        var mask = cores.Aggregate(0L, (m, c) => m | (1L << c));
        try
        {
            Set(process, (nint)mask);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            Set(process, previous);
            return new CpuPinning(false, $"the OS refused the affinity ({e.Message}); affinity unchanged.", null);
        }
        return new CpuPinning(true, $"pinned to core(s) {string.Join(", ", cores.Distinct().Order())}.", previous);
    }

    /// <summary>Logical CPUs the process may currently run on.</summary>
    public static IReadOnlyList<int> AllowedCores()
    {
        if (!OperatingSystem.IsWindows() && !OperatingSystem.IsLinux()) return Enumerable.Range(0, Environment.ProcessorCount).ToList();
        using var process = Process.GetCurrentProcess();
        return Cores((long)process.ProcessorAffinity);
    }

    private static List<int> Cores(long mask) => Enumerable.Range(0, 64).Where(c => (mask & (1L << c)) != 0).ToList();

    /// <summary>Restores the affinity that was in effect before <see cref="Apply"/>.</summary>
    public void Dispose()
    {
        if (_disposed || _previous is not { } previous) return;
        _disposed = true;
        using var process = Process.GetCurrentProcess();
        Set(process, previous);
    }

    private static void Set(Process process, nint mask)
    {
        if (!OperatingSystem.IsWindows() && !OperatingSystem.IsLinux()) return;
        process.ProcessorAffinity = mask;
        if (!OperatingSystem.IsLinux()) return;
        var bits = (ulong)mask;
        foreach (var task in Directory.EnumerateDirectories("/proc/self/task"))
        {
            // A thread may exit between listing and pinning; that is fine, it no longer needs a mask.
            if (int.TryParse(Path.GetFileName(task), out var tid)) _ = SchedSetAffinity(tid, sizeof(ulong), ref bits);
        }
    }

    [LibraryImport("libc", EntryPoint = "sched_setaffinity", SetLastError = true)]
    private static partial int SchedSetAffinity(int pid, nint cpuSetSize, ref ulong mask);
}
