using System.Diagnostics;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Loggers;
using BenchmarkDotNet.Parameters;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.NoEmit;
using Perfolizer.Mathematics.OutlierDetection;

namespace DLBricks.Benchmarking;

/// <summary>
/// Measures the latency of one call (typically <see cref="OnnxModelRunner.Run"/>) with BenchmarkDotNet, in-process.
/// A short pilot estimates the call's latency; BenchmarkDotNet then runs a job with a fixed invocation count chosen so one
/// iteration lasts about <see cref="BenchmarkJob.TargetIterationTime"/>, fixed warmup and iteration counts, no pilot and no
/// overhead stage, no forced GCs and no outlier removal (the 20 % trimmed mean handles outliers). The cost of measuring a call
/// is thus proportional to its latency plus BenchmarkDotNet's fixed cost per case (a few ms; see docs/bench.md). The job's
/// cheaper rules (<see cref="BenchmarkJob.Stopping"/>, <see cref="BenchmarkJob.Pilot"/>) apply here; <see cref="MeasureMany"/>
/// shares one BenchmarkDotNet run among several calls. This is the BenchmarkDotNet <see cref="ILatencyEngine"/>: what bench,
/// estimate and validate store.
/// </summary>
internal sealed class LatencyMeasurer : ILatencyEngine
{
    // BenchmarkDotNet reaches the call through a static slot, so measurements in one process take turns.
    private static readonly Lock Gate = new();
    private readonly BenchmarkReportWriter? _reports;
    private readonly string _artifacts;

    /// <summary>Creates a measurer for <paramref name="job"/>; exporter summaries go to <paramref name="reports"/> when given.</summary>
    public LatencyMeasurer(BenchmarkJob job, BenchmarkReportWriter? reports = null)
    {
        job.Stopping?.Validate();
        Job = job;
        _reports = reports;
        // BenchmarkDotNet insists on an (empty, with our config) artifacts folder even with its log file off; keep it out of
        // the working directory and the run folder.
        _artifacts = Path.Combine(Path.GetTempPath(), "dlbricks-bdn");
    }

    /// <summary>The job every measurement uses.</summary>
    public BenchmarkJob Job { get; }

    /// <inheritdoc />
    public string Name => "benchmarkdotnet";

    /// <summary>Measures <paramref name="runner"/>. <paramref name="label"/> names the case in the exported reports.</summary>
    public LatencyMeasurement Measure(string label, OnnxModelRunner runner) => Measure(label, runner.Query);

    /// <summary>Measures any call; it must be safe to run many times.</summary>
    /// <exception cref="BenchmarkFailedException">The call threw or BenchmarkDotNet produced no measurements.</exception>
    public LatencyMeasurement Measure(string label, Action call)
    {
        var result = MeasureMany([new MeasuredCall(label, call)])[0];
        return result.Measurement ?? throw result.Error!;
    }

    /// <summary>
    /// Measures several calls in one BenchmarkDotNet run: each call gets its own pilot, invocation count and case, and the run's
    /// fixed cost (case setup, validation, summary, export) is paid once for all of them. Each call's
    /// <see cref="LatencyMeasurement.WallTime"/> is its pilot, its own iterations, and an equal share of the rest of the run and
    /// of the export. A call that throws
    /// fails alone; the others are still measured.
    /// </summary>
    /// <param name="calls">The calls, each safe to run many times; their labels name the cases in the exported reports.</param>
    /// <returns>One result per call, in the order given.</returns>
    public IReadOnlyList<CallMeasurement> MeasureMany(IReadOnlyList<MeasuredCall> calls)
    {
        ArgumentNullException.ThrowIfNull(calls);
        var results = new CallMeasurement?[calls.Count];
        var pilots = new (TimeSpan PerCall, int Calls, TimeSpan Time)[calls.Count];
        var runnable = new List<int>();
        for (var i = 0; i < calls.Count; i++)
        {
            var watch = Stopwatch.StartNew();
            try
            {
                var (perCall, count) = Pilot(calls[i].Call);
                pilots[i] = (perCall, count, watch.Elapsed);
                runnable.Add(i);
            }
            catch (BenchmarkFailedException e)
            {
                results[i] = new CallMeasurement(calls[i].Label, null, e);
            }
        }
        if (runnable.Count == 0)
            return results.Select(r => r!).ToList();

        var thrown = new Exception?[calls.Count];
        var targets = new Action[calls.Count];
        foreach (var i in runnable)
        {
            var call = calls[i].Call;
            var slot = i;
            targets[i] = () =>
            {
                try
                {
                    call();
                }
                catch (Exception e)
                {
                    thrown[slot] ??= e;
                    throw;
                }
            };
        }

        BenchmarkDotNet.Reports.Summary summary;
        Dictionary<int, BenchmarkCase> cases;
        var engineTime = new Stopwatch();
        lock (Gate)
        {
            ModelCallBenchmark.Targets = targets;
            try
            {
                var info = RunInfo(calls, runnable, i => Job.InvocationsFor(pilots[i].PerCall), out cases);
                engineTime.Start();
                summary = BenchmarkRunner.Run(info);
                engineTime.Stop();
            }
            finally
            {
                ModelCallBenchmark.Targets = null;
                ModelCallBenchmark.Target = null;
            }
        }

        var exportTime = Stopwatch.StartNew();
        var measured = runnable.Where(i => thrown[i] is null && ReportOf(summary, cases[i])?.ResultStatistics is { N: > 0 }).ToList();
        if (measured.Count > 0)
            _reports?.Append(measured.Count == 1 ? calls[measured[0]].Label : $"{calls[measured[0]].Label} … {calls[measured[^1]].Label} ({measured.Count} cases)", summary);
        exportTime.Stop();

        // Each case carries its own iterations plus an equal part of what the run spent besides iterations, and of the export.
        var iterations = runnable.ToDictionary(i => i, i => ReportOf(summary, cases[i]) is { } r ? IterationTime(r) : TimeSpan.Zero);
        var overheadShare = Max(engineTime.Elapsed - TimeSpan.FromTicks(iterations.Values.Sum(t => t.Ticks)), TimeSpan.Zero) / runnable.Count;
        var exportShare = exportTime.Elapsed / runnable.Count;
        foreach (var i in runnable)
        {
            var report = ReportOf(summary, cases[i]);
            var engineShare = iterations[i] + overheadShare;
            if (thrown[i] is { } e)
                results[i] = new CallMeasurement(calls[i].Label, null, new BenchmarkFailedException($"run failed: {e.Message}", e));
            else if (report?.ResultStatistics is not { N: > 0 } statistics)
                results[i] = new CallMeasurement(calls[i].Label, null, new BenchmarkFailedException(
                    summary.ValidationErrors.FirstOrDefault()?.Message ?? "BenchmarkDotNet produced no measurements"));
            else
                results[i] = new CallMeasurement(calls[i].Label, new LatencyMeasurement(BdnStatistics.ToLatency(statistics), (int)cases[i].Job.Run.InvocationCount,
                    pilots[i].PerCall, pilots[i].Time + engineShare + exportShare)
                {
                    Phases = PhasesOf(report, pilots[i].Time, pilots[i].Calls, engineShare, exportShare),
                }, null);
        }
        return results.Select(r => r!).ToList();
    }

    private static TimeSpan IterationTime(BenchmarkDotNet.Reports.BenchmarkReport report)
        // Result-stage entries are BenchmarkDotNet's per-operation copies of the actual iterations, not time spent.
        => TimeSpan.FromTicks((long)(report.AllMeasurements.Where(m => m.IterationStage != IterationStage.Result).Sum(m => m.Nanoseconds) / 100));

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private static BenchmarkDotNet.Reports.BenchmarkReport? ReportOf(BenchmarkDotNet.Reports.Summary summary, BenchmarkCase benchmarkCase)
        => summary.Reports.FirstOrDefault(r => ReferenceEquals(r.BenchmarkCase, benchmarkCase));

    /// <summary>
    /// One BenchmarkDotNet case per runnable call: its own job (invocation count, id = label) and its index as the case's
    /// parameter, through which <see cref="ModelCallBenchmark"/> finds the call.
    /// </summary>
    private BenchmarkRunInfo RunInfo(IReadOnlyList<MeasuredCall> calls, IReadOnlyList<int> runnable, Func<int, int> invocations,
        out Dictionary<int, BenchmarkCase> cases)
    {
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        var config = CreateConfig();
        foreach (var i in runnable)
        {
            // BenchmarkDotNet tells cases apart by job id; a repeated label gets the call's index appended.
            var id = ids.ContainsKey(calls[i].Label) ? $"{calls[i].Label}#{i}" : calls[i].Label;
            ids[id] = i;
            config = config.AddJob(CreateJob(id, invocations(i)));
        }
        var template = BenchmarkConverter.TypeToBenchmarks(typeof(ModelCallBenchmark), config);
        var index = new ParameterDefinition(nameof(ModelCallBenchmark.Index), false, runnable.Cast<object>().ToArray(), false, typeof(int), 0);
        cases = new Dictionary<int, BenchmarkCase>();
        var ordered = new List<BenchmarkCase>();
        foreach (var c in template.BenchmarksCases)
        {
            var i = ids[c.Job.Id];
            var withIndex = BenchmarkCase.Create(c.Descriptor, c.Job, new ParameterInstances([new ParameterInstance(index, i, c.Config.SummaryStyle)]), c.Config);
            cases[i] = withIndex;
            ordered.Add(withIndex);
        }
        return new BenchmarkRunInfo(ordered.ToArray(), template.Type, template.Config);
    }

    /// <summary>Splits the engine's time by stage from BenchmarkDotNet's own measurements (workload and overhead alike).</summary>
    private static MeasurementPhases PhasesOf(BenchmarkDotNet.Reports.BenchmarkReport report, TimeSpan pilot, int pilotCalls, TimeSpan engine, TimeSpan export)
    {
        static TimeSpan Sum(IEnumerable<BenchmarkDotNet.Reports.Measurement> ms) => TimeSpan.FromTicks((long)(ms.Sum(m => m.Nanoseconds) / 100));
        var all = report.AllMeasurements;
        var warmup = all.Where(m => m.IterationStage == IterationStage.Warmup).ToList();
        var actual = all.Where(m => m.IterationStage == IterationStage.Actual).ToList();
        return new MeasurementPhases(pilot, pilotCalls, engine,
            Sum(all.Where(m => m.IterationStage == IterationStage.Jitting)),
            Sum(warmup), warmup.Count(m => m.IterationMode == IterationMode.Workload),
            Sum(actual), actual.Count(m => m.IterationMode == IterationMode.Workload),
            export);
    }

    /// <summary>
    /// Runs the call once (lazy initialisation, first-run allocations), then repeatedly until <see cref="BenchmarkJob.PilotTime"/>
    /// has passed, and returns the mean latency of the repeated runs and the number of calls made. With
    /// <see cref="PilotMode.StopWhenSlow"/> a first timed call longer than <see cref="BenchmarkJob.SlowCallFactor"/> iteration
    /// times ends it: the invocation count is 1 whatever the following calls would show.
    /// </summary>
    private (TimeSpan PerCall, int Calls) Pilot(Action call)
    {
        try
        {
            call();
            var watch = Stopwatch.StartNew();
            var count = 0;
            var slow = Job.TargetIterationTime * BenchmarkJob.SlowCallFactor;
            do
            {
                call();
                count++;
                if (count == 1 && Job.Pilot == PilotMode.StopWhenSlow && watch.Elapsed >= slow)
                    break;
            } while (watch.Elapsed < Job.PilotTime && count < BenchmarkJob.MaxInvocationsPerIteration);
            return (watch.Elapsed / count, count + 1);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new BenchmarkFailedException($"run failed: {e.Message}", e);
        }
    }

    private BenchmarkDotNet.Jobs.Job CreateJob(string id, int invocations)
    {
        var job = BenchmarkDotNet.Jobs.Job.Default
            .WithToolchain(new InProcessNoEmitToolchain(TimeSpan.FromHours(1), logOutput: false))
            .WithStrategy(RunStrategy.Throughput)
            .WithInvocationCount(invocations)
            .WithUnrollFactor(1)
            .WithWarmupCount(Job.WarmupCount)
            .WithIterationCount(Job.IterationCount)
            .WithEvaluateOverhead(false)
            .WithGcForce(false)
            .WithOutlierMode(OutlierMode.DontRemove)
            .WithId(id);
        if (Job.Clock == MeasurementClock.ThreadCpu)
            job = job.WithClock(ThreadCpuClock.Instance);
        if (Job.Stopping is { } rule)
            job = job.WithEngineFactory(new SequentialStoppingEngineFactory(rule));
        return job;
    }

    private ManualConfig CreateConfig()
        => ManualConfig.CreateEmpty()
            .AddLogger(NullLogger.Instance)
            .AddColumnProvider(DefaultColumnProviders.Instance)
            .WithArtifactsPath(_artifacts)
            // Test and debug builds of the caller must still be measurable; our own assembly is always built optimized.
            .WithOptions(ConfigOptions.DisableLogFile | ConfigOptions.DisableOptimizationsValidator);
}

/// <summary>One call for <see cref="LatencyMeasurer.MeasureMany"/>.</summary>
/// <param name="Label">Names the case in the exported reports.</param>
/// <param name="Call">The call; it must be safe to run many times.</param>
internal sealed record MeasuredCall(string Label, Action Call);

/// <summary>The result of one call of <see cref="LatencyMeasurer.MeasureMany"/>: a measurement or the reason there is none.</summary>
/// <param name="Label">The call's label.</param>
/// <param name="Measurement">The measurement, when it succeeded.</param>
/// <param name="Error">Why it failed.</param>
internal sealed record CallMeasurement(string Label, LatencyMeasurement? Measurement, BenchmarkFailedException? Error);

/// <summary>A model could not be measured; the message is the reason.</summary>
internal sealed class BenchmarkFailedException(string message, Exception? inner = null) : Exception(message, inner);
