using System.Diagnostics;
using DLBricks.Splitting;

namespace DLBricks.Benchmarking;

/// <summary>
/// A batch of bricks whose sessions (with their rotated copies) are open and ready to measure, from
/// <see cref="BrickBenchmarkRunner.Open"/>; a brick that failed to load already has its outcome. Disposing closes whatever is
/// still open, so a batch opened ahead and never measured (cancellation, an error) holds no native memory.
/// </summary>
internal sealed class OpenedBricks : IDisposable
{
    public OpenedBricks(string folder, IReadOnlyList<BrickEntry> bricks)
    {
        Folder = folder;
        Bricks = bricks;
        Sets = bricks.Select(_ => new List<OnnxModelRunner>()).ToArray();
        Costs = new (Stopwatch, TimeSpan, TimeSpan, int)[bricks.Count];
        Outcomes = new BrickOutcome?[bricks.Count];
    }

    /// <summary>The catalog folder the bricks come from.</summary>
    public string Folder { get; }

    /// <summary>The bricks, in the order they will be measured.</summary>
    public IReadOnlyList<BrickEntry> Bricks { get; }

    /// <summary>Each brick's open sessions: one, or its copies in rotation; empty when it failed to load.</summary>
    public List<OnnxModelRunner>[] Sets { get; }

    /// <summary>Per brick: the watch timing its setup and disposal, its first session's and its copies' opening times, its copies.</summary>
    public (Stopwatch Watch, TimeSpan First, TimeSpan Copies, int Count)[] Costs { get; }

    /// <summary>Per brick: its outcome once known (failed to load, or measured); null until then.</summary>
    public BrickOutcome?[] Outcomes { get; }

    /// <summary>The calls to measure: index into <see cref="Bricks"/> and the call running the brick (or rotating its copies).</summary>
    public List<(int Index, MeasuredCall Call)> Calls { get; } = [];

    /// <summary>True when this batch holds exactly <paramref name="bricks"/> of <paramref name="folder"/>, in that order.</summary>
    public bool Holds(string folder, IReadOnlyList<BrickEntry> bricks)
        => Folder == folder && Bricks.Count == bricks.Count && Bricks.Zip(bricks).All(p => p.First.Hash == p.Second.Hash);

    public void Dispose()
    {
        foreach (var set in Sets)
        {
            foreach (var runner in set) runner.Dispose();
            set.Clear();
        }
    }
}

/// <summary>
/// Opens the next batch of bricks on another thread while the current one is measured, so that session creation (about a
/// tenth of a brick's wall time on the default job, docs/performance.md) leaves the critical path. Used only when the
/// measurement leaves a core idle (<see cref="BrickBenchmarkRunner.Prefetches"/>); the opening then overlaps the measured
/// brick's pilot and warmup, which come first. Whatever was opened ahead and not taken is closed on <see cref="Dispose"/>.
/// </summary>
internal sealed class SessionPrefetch(BrickBenchmarkRunner runner) : IDisposable
{
    private Task<OpenedBricks>? _next;

    /// <summary>
    /// The open sessions of <paramref name="bricks"/>: the batch opened ahead when it is this one, else opened now (a batch
    /// opened ahead for other bricks is closed).
    /// </summary>
    public OpenedBricks Take(string folder, IReadOnlyList<BrickEntry> bricks, LayerSourceInfo? source)
    {
        var ahead = Collect();
        if (ahead is not null && ahead.Holds(folder, bricks)) return ahead;
        ahead?.Dispose();
        return runner.Open(folder, bricks, source);
    }

    /// <summary>Starts opening <paramref name="bricks"/> on the thread pool; <see cref="Take"/> picks them up.</summary>
    public void Start(string folder, IReadOnlyList<BrickEntry> bricks, LayerSourceInfo? source)
    {
        Collect()?.Dispose();
        // A thread of its own: a thread-pool task not yet started when Take waits would run inline on the measuring thread.
        _next = Task.Factory.StartNew(() => runner.Open(folder, bricks, source), CancellationToken.None,
            TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>Waits for the batch in flight, if any; its failure surfaces as the exception itself, as a serial open would throw it.</summary>
    private OpenedBricks? Collect()
    {
        var next = _next;
        _next = null;
        return next?.GetAwaiter().GetResult();
    }

    public void Dispose()
    {
        try
        {
            Collect()?.Dispose();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The batch would only have been measured later; a failure to open it is the next run's to report.
        }
    }
}
