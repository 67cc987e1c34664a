using System.CommandLine;
using System.Globalization;
using DLBricks.Benchmarking;
using DLBricks.Storage;

namespace DLBricks.Cli.Commands;

/// <summary><c>dlbricks bench DIR</c>: benchmarks every brick of a split output folder and stores the results.</summary>
internal sealed class BenchCommand : Command
{
    private readonly Argument<string> _folder = new("DIR") { Description = "Split output folder holding catalog.json and bricks/." };
    private readonly ResultStoreOptions _store = new();
    private readonly Option<bool> _worker = new("--worker") { Description = "Share the bricks with other workers of the same --store: claim one brick at a time until none is left." };
    private readonly Option<string?> _workerId = new("--worker-id") { Description = "Name of this worker in the queue (default HOST-PID)." };
    private readonly Option<int> _leaseSeconds = new("--lease-seconds") { Description = "How long a claimed brick stays with a worker that stops making progress (killed, crashed or hung) before another takes it up; must exceed the longest single brick measurement.", DefaultValueFactory = _ => 120 };
    private readonly Option<int> _maxAttempts = new("--max-attempts") { Description = "Claims of one brick whose workers all stopped without a result (native crash, kill, hang) before the brick is stored as failed.", DefaultValueFactory = _ => 3 };
    // Session options shared with estimate and validate; --level and --mode stay as hidden old spellings of
    // --session-level and --executor.
    private readonly SessionCliOptions _session = new(withExecutor: true, legacyLevel: true);
    private readonly Option<bool> _force = new("--force") { Description = "Measure bricks again even if results exist for this system and configuration." };

    /// <summary>Help text of <c>--lean</c>, shared with the verbs that measure on the side.</summary>
    internal const string LeanDescription = "Cheaper job: measured iterations stop once the median is known to ±1 % (20 to 100), the pilot " +
                                            "stops at a slow first call, and 16 bricks share one BenchmarkDotNet run (docs/bench.md).";

    public BenchCommand() : base("bench", "Benchmark every brick of a split output folder with BenchmarkDotNet on ONNX Runtime and store the results.")
    {
        Arguments.Add(_folder);
        _store.AddTo(this);
        _session.AddTo(this);
        foreach (var option in new Option[] { _force, _worker, _workerId, _leaseSeconds, _maxAttempts })
            Options.Add(option);
        // Run off the invoking thread so System.CommandLine can see Ctrl+C: the runner stops after the brick in flight.
        SetAction((result, cancellationToken) => Task.Run(() => Invoke(result, cancellationToken), CancellationToken.None));
    }

    private int Invoke(ParseResult result, CancellationToken cancellationToken)
    {
        var folder = result.GetValue(_folder)!;
        RunConfiguration configuration;
        BenchmarkJob job;
        try
        {
            (configuration, job) = _session.Read(result);
        }
        catch (InvalidModelException e)
        {
            return Fail(ExitCodes.InvalidInput, e.Message);
        }
        try
        {
            // Validate provider and options before creating the database, so bad input writes nothing.
            SessionOptionsFactory.EnsureAvailable(configuration);
            if (!Directory.Exists(folder))
                return Fail(ExitCodes.InvalidInput, $"{folder}: no such folder.");
            _store.Validate(result);
            var worker = result.GetValue(_worker);
            var lease = result.GetValue(_leaseSeconds);
            if (worker && result.GetValue(_force))
                return Fail(ExitCodes.InvalidInput, "--force cannot be combined with --worker: workers would undo each other's results.");
            if (lease < 1)
                return Fail(ExitCodes.InvalidInput, $"--lease-seconds {lease}: must be at least 1.");
            var maxAttempts = result.GetValue(_maxAttempts);
            if (maxAttempts < 1)
                return Fail(ExitCodes.InvalidInput, $"--max-attempts {maxAttempts}: must be at least 1.");
            if (worker && !_store.IsShared(result))
                return Fail(ExitCodes.InvalidInput, "--worker needs a shared store: --store postgresql://USER@HOST:PORT/DB.");
            using var store = _store.Open(result);
            var runner = new BrickBenchmarkRunner(store, configuration, job);
            var options = new BrickBenchmarkOptions(Force: result.GetValue(_force));
            Console.WriteLine($"System {runner.System.Key}: {runner.System.CpuModel}, {runner.System.LogicalCores} cores, ONNX Runtime {runner.System.OnnxRuntimeVersion}" +
                              (runner.System.Gpu is { } gpu ? $", {gpu}" : ""));
            // Results are stored under what the bricks really run with (optimized-source bricks: level disabled).
            var stored = configuration.ForBricks(CatalogSourceKind(folder));
            Console.WriteLine($"Configuration {stored.Key}: {Describe(stored)}");
            if (_session.Apply(result, BricksOptions.Default).ResolveSharedPool().Describe() is { } pool)
                Console.WriteLine($"Threads: {pool}");
            BrickBenchmarkSummary summary;
            if (worker)
            {
                var workerId = result.GetValue(_workerId) ?? $"{Environment.MachineName}-{Environment.ProcessId}";
                using var queue = ((IWorkQueueStore)store).OpenQueue(runner.System.Key, stored.Key, workerId,
                    TimeSpan.FromSeconds(lease), maxAttempts);
                Console.WriteLine($"Worker {workerId}: claiming bricks from {store.Location} (lease {lease} s)");
                summary = BenchProgressView.Run(progress => runner.RunWorker(folder, queue, options, progress, cancellationToken));
            }
            else
            {
                summary = BenchProgressView.Run(progress => runner.Run(folder, options, progress, cancellationToken));
            }
            PrintSummary(summary, store.Location, worker);
            if (summary.Cancelled)
                return ExitCodes.Cancelled;
            return summary.Failures.Count > 0 ? ExitCodes.PartialFailure : ExitCodes.Success;
        }
        catch (ExecutionProviderUnavailableException e)
        {
            return Fail(ExitCodes.Unavailable, e.Message);
        }
        catch (ResultStoreUnavailableException e)
        {
            return Fail(ExitCodes.Unavailable, e.Message);
        }
        catch (ResultStoreBusyException e)
        {
            return Fail(ExitCodes.Unavailable, e.Message);
        }
        catch (ArgumentException e)
        {
            return Fail(ExitCodes.InvalidInput, e.Message);
        }
        catch (InvalidDataException e)
        {
            return Fail(ExitCodes.InvalidInput, e.Message);
        }
        catch (System.Data.Common.DbException e)
        {
            // The store went away mid-run (server restart, network): every result stored so far is kept.
            return Fail(ExitCodes.Unavailable, $"{_store.Describe(result)}: {_store.Redact(result, e.Message)}");
        }
    }

    /// <summary>The queue is keyed like the results: by the configuration the catalog's bricks really run with.</summary>
    private static string? CatalogSourceKind(string folder) => DLBricks.Splitting.BrickCatalog.Load(folder).Source?.Kind;

    private static string Describe(RunConfiguration c)
        => $"ep={c.ExecutionProvider}{(c.DeviceId is { } d ? $":{d}" : "")}, threads={c.IntraOpThreads}, inter-threads={c.InterOpThreads}, " +
           $"mode={c.ExecutionMode}, level={c.OptimizationLevel}, job={c.Job} ({c.Measurement})";

    private static void PrintSummary(BrickBenchmarkSummary summary, string database, bool worker)
    {
        var others = worker ? "measured by other workers or earlier runs" : "already in the database";
        Console.WriteLine($"{summary.Total} bricks: {summary.Measured} measured, {summary.Skipped} {others}, " +
                          $"{summary.Failures.Count} failed in {summary.Elapsed.TotalSeconds:F1} s.");
        if (summary.Calibration is { } calibration)
            Console.WriteLine($"Harness cost per call (Identity model): median {calibration.Median * 1000:F2} µs, trimmed mean {calibration.TrimmedMean * 1000:F2} µs.");
        if (summary.RunFolder is not null)
            Console.WriteLine($"BenchmarkDotNet reports: {summary.RunFolder}");
        Console.WriteLine($"Results: {database}");
        foreach (var failure in summary.Failures)
            Console.WriteLine($"FAILED {failure.Hash}: {failure.Error}");
        if (summary.Cancelled)
            Console.WriteLine("Cancelled; run the same command again to measure the remaining bricks.");
    }

    private static int Fail(int code, string message)
    {
        Console.Error.WriteLine($"dlbricks bench: {message}");
        return code;
    }
}
