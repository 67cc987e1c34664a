using System.Diagnostics;
using DLBricks.Export;
using DLBricks.Storage;
using DLBricks.Splitting;

namespace DLBricks.Benchmarking;

/// <summary>Options of one <see cref="BrickBenchmarkRunner.Run"/>.</summary>
/// <param name="Force">Measure bricks again even when the store already has a result for this system and configuration.</param>
/// <param name="RunFolder">Where BenchmarkDotNet's reports go; default <c>DIR/runs/&lt;timestamp&gt;</c>.</param>
internal sealed record BrickBenchmarkOptions(bool Force = false, string? RunFolder = null);

/// <summary>What happened to one brick.</summary>
public enum BrickOutcomeKind
{
    /// <summary>Measured and stored.</summary>
    Measured,
    /// <summary>A result was already stored; nothing was run.</summary>
    Skipped,
    /// <summary>The brick could not be loaded or run; the error was stored.</summary>
    Failed,
}

/// <summary>The outcome of one brick in a run.</summary>
/// <param name="Hash">Brick hash.</param>
/// <param name="Kind">Measured, skipped or failed.</param>
/// <param name="Statistics">Latency when measured.</param>
/// <param name="Error">Reason when failed.</param>
/// <param name="WallTime">Time spent on the brick, including loading it.</param>
public sealed record BrickOutcome(string Hash, BrickOutcomeKind Kind, LatencyStatistics? Statistics, string? Error, TimeSpan WallTime)
{
    /// <summary>Where <see cref="WallTime"/> went, for bricks this run measured (or tried to); null when skipped.</summary>
    internal BrickCost? Cost { get; init; }
}

/// <summary>Progress of a run, reported before each brick starts (<see cref="Current"/> set) and after it ends (<see cref="Last"/> set).</summary>
/// <param name="Completed">Bricks finished (measured, skipped or failed).</param>
/// <param name="Total">Bricks in the catalog.</param>
/// <param name="Current">Hash of the brick being measured, if any.</param>
/// <param name="Last">Outcome of the brick that just finished, if any.</param>
/// <param name="Elapsed">Time since the run started.</param>
/// <param name="Remaining">Estimated time left, from the mean cost of the bricks measured so far.</param>
internal sealed record BrickBenchmarkProgress(int Completed, int Total, string? Current, BrickOutcome? Last, TimeSpan Elapsed, TimeSpan? Remaining);

/// <summary>The result of a run.</summary>
/// <param name="System">The machine.</param>
/// <param name="Configuration">How the bricks were run.</param>
/// <param name="Total">Bricks in the catalog.</param>
/// <param name="Measured">Bricks measured in this run.</param>
/// <param name="Skipped">Bricks skipped because a result existed.</param>
/// <param name="Failures">Bricks that failed in this run.</param>
/// <param name="Calibration">The harness's per-call cost measured in this run on the empty model, if measured.</param>
/// <param name="RunFolder">Folder with BenchmarkDotNet's reports; null when nothing was measured.</param>
/// <param name="Elapsed">Wall time of the run.</param>
/// <param name="Cancelled">True when the run stopped early on cancellation.</param>
public sealed record BrickBenchmarkSummary(
    SystemFingerprint System,
    RunConfiguration Configuration,
    int Total,
    int Measured,
    int Skipped,
    IReadOnlyList<BrickOutcome> Failures,
    LatencyStatistics? Calibration,
    string? RunFolder,
    TimeSpan Elapsed,
    bool Cancelled);

/// <summary>
/// Benchmarks every brick of a split output folder and stores one result per brick. Resumable: bricks with a stored result
/// for this system and configuration are skipped unless forced, and each result is saved on its own as soon as it is known, so
/// an interrupted run loses at most the brick in flight. A brick that fails is stored with its error and the run goes on.
/// Each brick's session, tensors and options are disposed before the next brick starts, so memory stays flat.
/// </summary>
internal sealed class BrickBenchmarkRunner
{
    private readonly IResultStore _store;

    /// <summary>Creates a runner writing to <paramref name="store"/>.</summary>
    /// <param name="store">Where results go.</param>
    /// <param name="configuration">Execution provider and session options; its <see cref="RunConfiguration.Measurement"/> must be
    /// <paramref name="job"/>'s <see cref="BenchmarkJob.Provenance"/> (build it with <see cref="BenchmarkJob.Configuration"/>).</param>
    /// <param name="job">How long each brick is measured.</param>
    /// <param name="system">The machine; detected when null.</param>
    public BrickBenchmarkRunner(IResultStore store, RunConfiguration configuration, BenchmarkJob job, SystemFingerprint? system = null)
    {
        if (configuration.Measurement != job.Provenance)
            throw new ArgumentException($"configuration measurement settings '{configuration.Measurement}' do not match job '{job.Name}' " +
                                        $"({job.Provenance}); build the configuration with BenchmarkJob.Configuration.", nameof(configuration));
        _store = store;
        Configuration = configuration;
        Job = job;
        System = system ?? SystemFingerprintDetector.Detect(configuration.ExecutionProvider);
    }

    /// <summary>
    /// The configuration asked for. Bricks of a catalog run, and are stored, under <see cref="RunConfiguration.ForBricks"/> of it
    /// (<see cref="BrickBenchmarkSummary.Configuration"/>).
    /// </summary>
    public RunConfiguration Configuration { get; }

    /// <summary>Test seam: called at fixed points of each brick, to crash or hang a run deterministically.</summary>
    internal IBenchFaults? Faults { get; init; }

    /// <summary>The measurement job.</summary>
    public BenchmarkJob Job { get; }

    /// <summary>The machine results are stored for.</summary>
    public SystemFingerprint System { get; }

    /// <summary>Benchmarks the bricks of the split output folder <paramref name="catalogFolder"/>.</summary>
    /// <exception cref="InvalidDataException">No readable catalog in the folder, or its bricks were optimized for another provider.</exception>
    /// <exception cref="ExecutionProviderUnavailableException">The configuration's provider is missing; nothing was written.</exception>
    public BrickBenchmarkSummary Run(string catalogFolder, BrickBenchmarkOptions? options = null,
        IProgress<BrickBenchmarkProgress>? progress = null, CancellationToken cancellationToken = default)
        => Execute(catalogFolder, queue: null, options ?? new BrickBenchmarkOptions(), progress, cancellationToken);

    /// <summary>
    /// Benchmarks the bricks of <paramref name="catalogFolder"/> as one of many workers sharing <paramref name="queue"/>: each
    /// brick is claimed before it is measured and its result stored together with the claim's completion, so every brick is
    /// measured once per system and configuration however many workers run. Returns when no brick is left to claim or wait for.
    /// </summary>
    /// <param name="catalogFolder">Split output folder; every worker of the queue must use the same catalog (or one with the same bricks).</param>
    /// <param name="queue">The queue of this runner's system and configuration (see <see cref="IWorkQueueStore.OpenQueue"/>).</param>
    /// <param name="options">Run folder; <see cref="BrickBenchmarkOptions.Force"/> is not supported with a queue.</param>
    /// <param name="progress">Progress of this worker's bricks.</param>
    /// <param name="cancellationToken">Stops after the brick in flight; a brick claimed but not started is given back.</param>
    /// <exception cref="ArgumentException"><see cref="BrickBenchmarkOptions.Force"/> was set.</exception>
    public BrickBenchmarkSummary RunWorker(string catalogFolder, IBrickWorkQueue queue, BrickBenchmarkOptions? options = null,
        IProgress<BrickBenchmarkProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        options ??= new BrickBenchmarkOptions();
        if (options.Force)
            throw new ArgumentException("--force cannot be combined with a shared work queue: workers would undo each other's results.", nameof(options));
        return Execute(catalogFolder, queue, options, progress, cancellationToken);
    }

    private BrickBenchmarkSummary Execute(string catalogFolder, IBrickWorkQueue? queue, BrickBenchmarkOptions options,
        IProgress<BrickBenchmarkProgress>? progress, CancellationToken cancellationToken)
    {
        var catalog = BrickCatalog.Load(catalogFolder);
        var folder = Directory.Exists(catalogFolder) ? catalogFolder : Path.GetDirectoryName(Path.GetFullPath(catalogFolder))!;
        EnsureSourceMatches(catalog.Source, Configuration, Path.Combine(folder, BrickCatalog.FileName));
        // Fail before touching the store when the provider cannot be used at all.
        SessionOptionsFactory.EnsureAvailable(Configuration);
        // Results are keyed by what the bricks really run with, not by what was asked for.
        var configuration = Configuration.ForBricks(catalog.Source?.Kind);

        _store.RegisterSystem(System);
        _store.RegisterConfiguration(configuration);
        // Alone on a store that can lock, one bench per system and configuration: a second would measure the same bricks at the
        // same time, each disturbing the other's timings. Workers of a queue share the bricks instead.
        using var benchLock = queue is null && _store is IBenchLockingStore locking ? locking.LockBench(System.Key, configuration.Key) : null;
        var bricks = catalog.Bricks.DistinctBy(b => b.Hash).ToList();
        queue?.Enqueue(bricks.Select(b => b.Hash).ToList());
        var done = options.Force
            ? new HashSet<string>()
            : _store.GetResults(System.Key, configuration.Key).Keys.ToHashSet(StringComparer.Ordinal);
        var toMeasure = bricks.Count(b => !done.Contains(b.Hash));

        var clock = Stopwatch.StartNew();
        BenchmarkReportWriter? reports = null;
        LatencyStatistics? calibration = null;
        var failures = new List<BrickOutcome>();
        int measured = 0, skipped = 0, completed = 0;
        var measuringTime = TimeSpan.Zero;
        var cancelled = false;
        try
        {
            LatencyMeasurer Measurer()
            {
                reports ??= new BenchmarkReportWriter(options.RunFolder ?? RunFolderFor(folder, queue));
                return new LatencyMeasurer(Job, reports);
            }

            if (toMeasure > 0 || _store.GetCalibration(System.Key, configuration.Key) is null)
            {
                calibration = Calibrate(Measurer(), configuration);
                _store.SaveCalibration(System.Key, configuration.Key, calibration);
            }
            // With the parallel executor, estimates schedule the bricks on its workers at the speedup measured here.
            if (ConcurrencyCalibration.Workers(configuration) > 1
                && (toMeasure > 0 || ConcurrencyCalibration.FromResults(configuration, _store.GetResults(System.Key, configuration.Key), LatencyStatistic.Median) is null))
            {
                ConcurrencyCalibration.Measure(Measurer(), configuration, LatencyStatistic.Median, (key, statistics) =>
                    _store.Save(new BrickResult(key, System.Key, configuration.Key, statistics, null, DateTimeOffset.UtcNow, MeasurementHarness.Version)));
            }

            // Alone, the runner walks the catalog; as a worker, it measures whatever the queue hands it.
            var work = queue is null
                ? bricks.Select(b => (Brick: b, Skip: done.Contains(b.Hash)))
                : Claims(queue, bricks.ToDictionary(b => b.Hash, StringComparer.Ordinal), cancellationToken);
            // Alone, bricks are measured CasesPerRun at a time: the first of a batch measures them all, the others take their
            // outcome from here (so a cancelled run still stores what its last batch measured).
            var ahead = new Dictionary<string, BrickOutcome>(StringComparer.Ordinal);
            var upcoming = queue is null ? bricks.Where(b => !done.Contains(b.Hash)).ToList() : [];
            var position = 0;
            foreach (var (brick, skip) in work)
            {
                if (cancellationToken.IsCancellationRequested && !ahead.ContainsKey(brick.Hash))
                {
                    queue?.Release(brick.Hash);
                    cancelled = true;
                    break;
                }
                BrickOutcome outcome;
                if (skip)
                {
                    outcome = new BrickOutcome(brick.Hash, BrickOutcomeKind.Skipped, null, null, TimeSpan.Zero);
                    skipped++;
                }
                else
                {
                    progress?.Report(new BrickBenchmarkProgress(completed, bricks.Count, brick.Hash, null, clock.Elapsed,
                        Remaining(measuringTime, measured + failures.Count, toMeasure)));
                    if (!ahead.Remove(brick.Hash, out outcome!))
                    {
                        var batch = queue is null && Job.CasesPerRun > 1 ? BatchFrom(brick, upcoming.Skip(position + 1)) : [brick];
                        foreach (var b in batch) Faults?.BeforeMeasure(b.Hash);
                        var outcomes = MeasureMany(folder, batch, Measurer(), catalog.Source, () => queue?.Renew(brick.Hash));
                        for (var i = 1; i < batch.Count; i++) ahead[batch[i].Hash] = outcomes[i];
                        outcome = outcomes[0];
                    }
                    position++;
                    Faults?.BeforeStore(brick.Hash);
                    var result = new BrickResult(brick.Hash, System.Key, configuration.Key, outcome.Statistics, outcome.Error, DateTimeOffset.UtcNow,
                        Job.HarnessVersion);
                    measuringTime += outcome.WallTime;
                    if (queue is null)
                        _store.Save(result);
                    else if (!queue.Complete(result))
                        // The lease ran out and another worker owns the brick now; its result is the one kept.
                        outcome = outcome with { Kind = BrickOutcomeKind.Skipped };
                    if (outcome.Kind == BrickOutcomeKind.Failed)
                        failures.Add(outcome);
                    else if (outcome.Kind == BrickOutcomeKind.Measured)
                        measured++;
                }
                completed++;
                progress?.Report(new BrickBenchmarkProgress(completed, queue is null ? bricks.Count : toMeasure, null, outcome, clock.Elapsed,
                    Remaining(measuringTime, measured + failures.Count, toMeasure)));
            }
            if (queue is not null && cancellationToken.IsCancellationRequested)
                cancelled = true; // stopped while waiting for other workers' leases
        }
        finally
        {
            reports?.Dispose();
        }
        if (queue is not null)
            skipped = bricks.Count - measured - failures.Count; // measured by other workers or earlier runs
        return new BrickBenchmarkSummary(System, configuration, bricks.Count, measured, skipped, failures, calibration,
            reports?.Folder, clock.Elapsed, cancelled);
    }

    /// <summary>
    /// Refuses bricks cut from a graph optimized for another execution provider than <paramref name="configuration"/>'s: their
    /// latencies would describe neither the model on this provider nor on the other.
    /// </summary>
    /// <exception cref="InvalidDataException">The providers differ; the message names the catalog and the fix.</exception>
    public static void EnsureSourceMatches(LayerSourceInfo source, RunConfiguration configuration, string catalogPath)
    {
        if (source.MismatchWith(configuration.ExecutionProvider) is { } mismatch)
            throw new InvalidDataException($"{catalogPath}: {mismatch}");
    }

    /// <summary>The layer source of the catalog in <paramref name="catalogFolder"/>; raw for a folder of bricks without a catalog.</summary>
    internal static LayerSourceInfo SourceOf(string catalogFolder)
        => File.Exists(Path.Combine(catalogFolder, BrickCatalog.FileName)) ? BrickCatalog.Load(catalogFolder).Source : LayerSourceInfo.Raw;

    /// <summary>Workers starting together (or sharing the folder over the network) each get their own report folder.</summary>
    private static string RunFolderFor(string folder, IBrickWorkQueue? queue)
    {
        var run = BenchmarkReportWriter.NewRunFolder(folder);
        if (queue is null)
            return run;
        var worker = new string(queue.WorkerId.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_').ToArray());
        return run + "-" + worker;
    }

    /// <summary>Claims bricks until the queue is drained, waiting while other workers hold the last ones.</summary>
    private static IEnumerable<(BrickEntry Brick, bool Skip)> Claims(IBrickWorkQueue queue, IReadOnlyDictionary<string, BrickEntry> bricks,
        CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            var claim = queue.ClaimNext();
            if (claim.Hash is { } hash)
            {
                yield return (bricks[hash], false);
                continue;
            }
            if (claim.RetryAfter is not { } wait)
                yield break;
            // Another worker holds a brick; if it dies, its lease runs out and this worker takes the brick up.
            cancellationToken.WaitHandle.WaitOne(wait);
        }
    }

    /// <summary>Measures the harness's fixed per-call cost on the empty Identity model under this runner's configuration and job.</summary>
    public LatencyStatistics Calibrate(ILatencyEngine engine) => Calibrate(engine, Configuration);

    /// <summary>
    /// Measures the harness's fixed per-call cost on the empty Identity model (<see cref="CalibrationModel"/>) under
    /// <paramref name="configuration"/> with <paramref name="engine"/>: the calibration of either engine.
    /// </summary>
    public static LatencyStatistics Calibrate(ILatencyEngine engine, RunConfiguration configuration)
    {
        using var runner = OnnxModelRunner.Open(CalibrationModel.Identity(), configuration);
        return engine.Measure("calibration-identity", runner).Statistics;
    }

    /// <summary>
    /// Measures one brick of the catalog in <paramref name="folder"/> (no store access); failures come back as an outcome.
    /// Bricks cut from a runtime-optimized model already are the graph ONNX Runtime executes, so their sessions run with graph
    /// optimizations off: optimizing a lone brick again would wrap it in layout conversions the model never pays. Small
    /// bricks run as several copies in rotation (<see cref="BenchmarkJob.CopiesFor"/>), so their weights are not hot in the
    /// core's cache the way a brick run alone in a loop would have them.
    /// </summary>
    /// <param name="folder">The catalog folder.</param>
    /// <param name="brick">The brick to measure.</param>
    /// <param name="engine">The measuring engine.</param>
    /// <param name="source">The catalog's layer source; decides the sessions' optimization level (<see cref="RunConfiguration.ForBricks"/>).</param>
    /// <param name="progress">Called after each session is loaded and before timing starts: a sign of life for a work queue's lease.</param>
    public BrickOutcome Measure(string folder, BrickEntry brick, ILatencyEngine engine, LayerSourceInfo? source = null, Action? progress = null)
        => MeasureMany(folder, [brick], engine, source, progress)[0];

    /// <summary>
    /// Measures several bricks of one catalog in a single engine call (with <see cref="LatencyMeasurer"/>, one BenchmarkDotNet run), each
    /// exactly as <see cref="Measure"/> would: their sessions are opened first, measured one case after the other, and all
    /// disposed at the end. A brick that fails to load or run fails alone.
    /// </summary>
    /// <param name="folder">The catalog folder.</param>
    /// <param name="bricks">The bricks, distinct.</param>
    /// <param name="engine">The measuring engine.</param>
    /// <param name="source">The catalog's layer source.</param>
    /// <param name="progress">Called after each session is loaded.</param>
    /// <returns>One outcome per brick, in the order given; each carries its <see cref="BrickOutcome.Cost"/>.</returns>
    public IReadOnlyList<BrickOutcome> MeasureMany(string folder, IReadOnlyList<BrickEntry> bricks, ILatencyEngine engine,
        LayerSourceInfo? source = null, Action? progress = null)
    {
        var configuration = Configuration.ForBricks(source?.Kind);
        var sets = new List<OnnxModelRunner>[bricks.Count];
        var costs = new (Stopwatch Watch, TimeSpan First, TimeSpan Copies, int Count)[bricks.Count];
        var outcomes = new BrickOutcome?[bricks.Count];
        var calls = new List<(int Index, MeasuredCall Call)>();
        try
        {
            for (var b = 0; b < bricks.Count; b++)
            {
                var brick = bricks[b];
                var watch = Stopwatch.StartNew();
                var runners = sets[b] = [];
                TimeSpan first = TimeSpan.Zero, others = TimeSpan.Zero;
                // Rotation emulates a cold private cache; with a thread pool per session, idle copies' spinning workers would
                // compete for the cores, so multi-threaded configurations rotate only on the shared pool (BenchmarkJob.Rotates).
                var copies = CopiesOf(brick);
                try
                {
                    for (var i = 0; i < copies; i++)
                    {
                        var opened = Stopwatch.GetTimestamp();
                        runners.Add(OnnxModelRunner.OpenBrick(folder, brick, configuration));
                        if (i == 0) first = Stopwatch.GetElapsedTime(opened);
                        else others += Stopwatch.GetElapsedTime(opened);
                        progress?.Invoke();
                    }
                    calls.Add((b, new MeasuredCall(brick.Hash, copies == 1 ? runners[0].Run : new RotatingCall(runners).Run)));
                }
                catch (ExecutionProviderUnavailableException)
                {
                    throw;
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    DisposeAll(runners);
                    outcomes[b] = new BrickOutcome(brick.Hash, BrickOutcomeKind.Failed, null, OneLine(e), watch.Elapsed)
                    {
                        Cost = new BrickCost(watch.Elapsed, first, others, copies, null),
                    };
                }
                watch.Stop();
                costs[b] = (watch, first, others, copies);
            }

            var measured = calls.Count == 0 ? [] : engine.MeasureMany(calls.Select(c => c.Call).ToList());
            for (var k = 0; k < calls.Count; k++)
            {
                var b = calls[k].Index;
                var (watch, first, others, copies) = costs[b];
                watch.Start();
                DisposeAll(sets[b]);
                watch.Stop();
                var m = measured[k];
                // The brick's wall time is its own setup and disposal plus its measurement (which holds its share of the run).
                var wall = watch.Elapsed + (m.Measurement?.WallTime ?? TimeSpan.Zero);
                var cost = new BrickCost(wall, first, others, copies, m.Measurement?.Phases);
                outcomes[b] = m.Measurement is { } measurement
                    ? new BrickOutcome(bricks[b].Hash, BrickOutcomeKind.Measured, measurement.Statistics, null, wall) { Cost = cost }
                    : new BrickOutcome(bricks[b].Hash, BrickOutcomeKind.Failed, null, OneLine(m.Error!), wall) { Cost = cost };
            }
            return outcomes.Select(o => o!).ToList();
        }
        finally
        {
            foreach (var set in sets)
                if (set is not null) DisposeAll(set);
        }
    }

    /// <summary>
    /// The bricks measured together with <paramref name="first"/>: it and the next ones of <paramref name="upcoming"/>, up to the
    /// job's <see cref="BenchmarkJob.CasesPerRun"/> and <see cref="BenchmarkJob.BatchBytes"/> of open copies.
    /// </summary>
    internal IReadOnlyList<BrickEntry> BatchFrom(BrickEntry first, IEnumerable<BrickEntry> upcoming)
    {
        var batch = new List<BrickEntry> { first };
        var bytes = FootprintOf(first);
        foreach (var next in upcoming)
        {
            if (batch.Count >= Job.CasesPerRun) break;
            var more = FootprintOf(next);
            if (bytes + more > BenchmarkJob.BatchBytes) break;
            batch.Add(next);
            bytes += more;
        }
        return batch;
    }

    private long FootprintOf(BrickEntry brick)
    {
        var copies = CopiesOf(brick);
        return copies * (brick.Parameters * 4 + brick.BytesMoved);
    }

    /// <summary>Copies of <paramref name="brick"/> measured in rotation under this runner's configuration and job.</summary>
    internal int CopiesOf(BrickEntry brick)
        => Job.Rotates(Configuration.IntraOpThreads) ? Job.CopiesFor(brick.BytesMoved, brick.Parameters * 4) : 1;

    private static void DisposeAll(List<OnnxModelRunner> runners)
    {
        foreach (var runner in runners) runner.Dispose();
        runners.Clear();
    }

    /// <summary>Runs the next of several identical runners on each call.</summary>
    private sealed class RotatingCall(IReadOnlyList<OnnxModelRunner> runners)
    {
        private int _next;

        public void Run()
        {
            runners[_next].Run();
            _next = _next + 1 == runners.Count ? 0 : _next + 1;
        }
    }

    private static string OneLine(Exception e)
    {
        var message = e.Message.ReplaceLineEndings(" ").Trim();
        return message.Length == 0 ? e.GetType().Name : message;
    }

    private static TimeSpan? Remaining(TimeSpan spent, int finished, int total)
        => finished == 0 ? null : spent / finished * (total - finished);
}

/// <summary>
/// Fault injection for tests: the runner calls these at fixed points of every brick it measures, so a test can make a worker
/// crash (throw) or hang (block) at an exact step instead of racing a process kill against the clock.
/// </summary>
internal interface IBenchFaults
{
    /// <summary>After the brick was claimed (or picked) and before its sessions are loaded.</summary>
    void BeforeMeasure(string brickHash);

    /// <summary>After the brick was measured and before its result is stored (or its claim completed).</summary>
    void BeforeStore(string brickHash);
}
