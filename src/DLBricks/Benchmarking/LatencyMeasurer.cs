using System.Diagnostics;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Loggers;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.NoEmit;
using Perfolizer.Mathematics.OutlierDetection;

namespace DLBricks.Benchmarking;

/// <summary>
/// Measures the latency of one call (typically <see cref="OnnxModelRunner.Run"/>) with BenchmarkDotNet, in-process.
/// A short pilot estimates the call's latency; BenchmarkDotNet then runs a job with a fixed invocation count chosen so one
/// iteration lasts about <see cref="BenchmarkJob.TargetIterationTime"/>, fixed warmup and iteration counts, no pilot and no
/// overhead stage, no forced GCs and no outlier removal (the 20 % trimmed mean handles outliers). The cost of measuring a call
/// is thus proportional to its latency plus BenchmarkDotNet's fixed cost per case (a few ms; see docs/bench.md).
/// </summary>
public sealed class LatencyMeasurer
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

    /// <summary>Measures <paramref name="runner"/>. <paramref name="label"/> names the case in the exported reports.</summary>
    public LatencyMeasurement Measure(string label, OnnxModelRunner runner) => Measure(label, runner.Run);

    /// <summary>Measures any call; it must be safe to run many times.</summary>
    /// <exception cref="BenchmarkFailedException">The call threw or BenchmarkDotNet produced no measurements.</exception>
    public LatencyMeasurement Measure(string label, Action call)
    {
        var wall = Stopwatch.StartNew();
        var (perCall, pilotCalls) = Pilot(call);
        var pilotTime = wall.Elapsed;
        var invocations = Job.InvocationsFor(perCall);

        Exception? thrown = null;
        void Guarded()
        {
            try
            {
                call();
            }
            catch (Exception e)
            {
                thrown ??= e;
                throw;
            }
        }

        BenchmarkDotNet.Reports.Summary summary;
        var engineTime = Stopwatch.StartNew();
        lock (Gate)
        {
            ModelCallBenchmark.Target = Guarded;
            try
            {
                engineTime.Restart();
                summary = BenchmarkRunner.Run(typeof(ModelCallBenchmark), CreateConfig(label, invocations));
                engineTime.Stop();
            }
            finally
            {
                ModelCallBenchmark.Target = null;
            }
        }

        var report = summary.Reports.FirstOrDefault();
        if (thrown is not null)
            throw new BenchmarkFailedException($"run failed: {thrown.Message}", thrown);
        if (report?.ResultStatistics is not { N: > 0 } statistics)
        {
            var why = summary.ValidationErrors.FirstOrDefault()?.Message ?? "BenchmarkDotNet produced no measurements";
            throw new BenchmarkFailedException(why);
        }
        var exportTime = Stopwatch.StartNew();
        _reports?.Append(label, summary);
        exportTime.Stop();
        return new LatencyMeasurement(BdnStatistics.ToLatency(statistics), invocations, perCall, wall.Elapsed)
        {
            Phases = PhasesOf(report, pilotTime, pilotCalls, engineTime.Elapsed, exportTime.Elapsed),
        };
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

    private ManualConfig CreateConfig(string label, int invocations)
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
            .WithId(label);
        if (Job.Clock == MeasurementClock.ThreadCpu)
            job = job.WithClock(ThreadCpuClock.Instance);
        if (Job.Stopping is { } rule)
            job = job.WithEngineFactory(new SequentialStoppingEngineFactory(rule));
        return ManualConfig.CreateEmpty()
            .AddJob(job)
            .AddLogger(NullLogger.Instance)
            .AddColumnProvider(DefaultColumnProviders.Instance)
            .WithArtifactsPath(_artifacts)
            // Test and debug builds of the caller must still be measurable; our own assembly is always built optimized.
            .WithOptions(ConfigOptions.DisableLogFile | ConfigOptions.DisableOptimizationsValidator);
    }
}

/// <summary>A model could not be measured; the message is the reason.</summary>
public sealed class BenchmarkFailedException(string message, Exception? inner = null) : Exception(message, inner);
