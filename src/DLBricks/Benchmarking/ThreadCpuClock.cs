using System.Runtime.InteropServices;
using Perfolizer.Horology;

namespace DLBricks.Benchmarking;

/// <summary>Which clock BenchmarkDotNet reads to time an iteration.</summary>
internal enum MeasurementClock
{
    /// <summary>Wall-clock time (BenchmarkDotNet's default Stopwatch clock).</summary>
    Wall,

    /// <summary>
    /// CPU time of the measuring thread. With one intra-op thread ONNX Runtime computes on the calling thread, so this is the
    /// run's latency minus the time the thread spent preempted: on a shared, noisy machine it stays put where wall time drifts
    /// by tens of percent. Only meaningful when all work runs on the caller's thread (intra-op threads = 1, sequential).
    /// </summary>
    ThreadCpu,
}

/// <summary>
/// A BenchmarkDotNet clock reading the calling thread's CPU time (Linux <c>CLOCK_THREAD_CPUTIME_ID</c>, nanoseconds).
/// BenchmarkDotNet reads the start and end timestamps of an iteration on the thread that runs the workload, which is exactly
/// the thread whose CPU time we want.
/// </summary>
internal sealed class ThreadCpuClock : IClock
{
    private const int ClockThreadCpuTimeId = 3;

    /// <summary>The single instance.</summary>
    public static ThreadCpuClock Instance { get; } = new();

    private ThreadCpuClock() { }

    /// <inheritdoc />
    public string Title => "ThreadCpuTime";

    /// <inheritdoc />
    public bool IsAvailable => OperatingSystem.IsLinux();

    /// <inheritdoc />
    public Frequency Frequency => Frequency.FromHz(1_000_000_000);

    /// <inheritdoc />
    public long GetTimestamp()
    {
        if (clock_gettime(ClockThreadCpuTimeId, out var t) != 0)
            throw new InvalidOperationException("clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed");
        return t.Seconds * 1_000_000_000L + t.Nanoseconds;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [DllImport("libc", EntryPoint = "clock_gettime", SetLastError = true)]
    private static extern int clock_gettime(int clockId, out TimeSpec time);
}

/// <summary>Resolves the <c>--clock</c> choice against the execution provider and thread settings.</summary>
internal static class MeasurementClocks
{
    /// <summary>
    /// <c>auto</c> picks the thread-CPU clock when every kernel runs on the calling thread (CPU provider, one intra-op thread,
    /// sequential mode) and the OS offers it, else the wall clock; <c>cpu</c> demands the thread-CPU clock and fails otherwise.
    /// A non-CPU provider always gets the wall clock: its kernels run on the device while the calling thread waits for them,
    /// so the thread's CPU time would leave the GPU time out.
    /// </summary>
    public static bool TryResolve(string choice, int intraOpThreads, string executionMode, string executionProvider,
        out MeasurementClock clock, out string? error)
    {
        var onCpu = string.Equals(executionProvider, "cpu", StringComparison.OrdinalIgnoreCase);
        var singleThreaded = intraOpThreads == 1 && executionMode == "sequential";
        error = null;
        clock = MeasurementClock.Wall;
        switch (choice)
        {
            case "wall":
                return true;
            case "auto":
                if (onCpu && singleThreaded && ThreadCpuClock.Instance.IsAvailable) clock = MeasurementClock.ThreadCpu;
                return true;
            case "cpu":
                if (!onCpu)
                {
                    error = $"--clock cpu cannot see time spent on the {executionProvider} device (only the calling thread's CPU time); use --clock wall or auto with --ep {executionProvider}.";
                    return false;
                }
                if (!singleThreaded)
                {
                    error = "--clock cpu measures the calling thread only; it needs --threads 1 and --executor sequential.";
                    return false;
                }
                if (!ThreadCpuClock.Instance.IsAvailable)
                {
                    error = "--clock cpu needs Linux (CLOCK_THREAD_CPUTIME_ID); use --clock wall.";
                    return false;
                }
                clock = MeasurementClock.ThreadCpu;
                return true;
            default:
                error = $"--clock {choice}: expected auto, wall or cpu.";
                return false;
        }
    }
}
