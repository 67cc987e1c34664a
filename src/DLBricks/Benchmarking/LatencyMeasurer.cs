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
internal sealed class LatencyMeasurer
{
    // BenchmarkDotNet reaches the call through a static slot, so measurements in one process take turns.
    private static readonly Lock Gate = new();
    private readonly BenchmarkReportWriter? _reports;
    private readonly string _artifacts;

    /// <summary>Creates a measurer for <paramref name="job"/>; exporter summaries go to <paramref name="reports"/> when given.</summary>
    public LatencyMeasurer(BenchmarkJob job, BenchmarkReportWriter? reports = null)
    {
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
        var perCall = Pilot(call);
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
        lock (Gate)
        {
            ModelCallBenchmark.Target = Guarded;
            try
            {
                summary = BenchmarkRunner.Run(typeof(ModelCallBenchmark), CreateConfig(label, invocations));
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
        _reports?.Append(label, summary);
        return new LatencyMeasurement(BdnStatistics.ToLatency(statistics), invocations, perCall, wall.Elapsed);
    }

    /// <summary>
    /// Runs the call once (lazy initialisation, first-run allocations), then repeatedly until <see cref="BenchmarkJob.PilotTime"/>
    /// has passed, and returns the mean latency of the repeated runs.
    /// </summary>
    private TimeSpan Pilot(Action call)
    {
        try
        {
            call();
            var watch = Stopwatch.StartNew();
            var count = 0;
            do
            {
                call();
                count++;
            } while (watch.Elapsed < Job.PilotTime && count < BenchmarkJob.MaxInvocationsPerIteration);
            return watch.Elapsed / count;
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
internal sealed class BenchmarkFailedException(string message, Exception? inner = null) : Exception(message, inner);
