using System.Diagnostics;
using MathNet.Numerics.Distributions;

namespace DLBricks.Benchmarking;

/// <summary>How long a scenario runs: at least <see cref="MinQueries"/> queries and at least <see cref="MinDuration"/>.</summary>
/// <param name="MinQueries">Fewest timed queries.</param>
/// <param name="MinDuration">Shortest timed duration (MLPerf uses 60 s; the default keeps validation runs short).</param>
/// <param name="WarmupQueries">Untimed queries first, so lazy allocation and kernel selection are not measured.</param>
/// <param name="MaxQueries">Stop after this many timed queries even if <see cref="MinDuration"/> has not passed.</param>
internal sealed record ScenarioOptions(int MinQueries = 100, TimeSpan MinDuration = default, int WarmupQueries = 10, int MaxQueries = 1_000_000)
{
    internal void Validate()
    {
        if (MinQueries < 1) throw new ArgumentOutOfRangeException(nameof(MinQueries), MinQueries, "at least one query is needed.");
        if (WarmupQueries < 0) throw new ArgumentOutOfRangeException(nameof(WarmupQueries), WarmupQueries, null);
        if (MaxQueries < MinQueries) throw new ArgumentOutOfRangeException(nameof(MaxQueries), MaxQueries, "must be at least MinQueries.");
    }
}

/// <summary>Result of the single-stream scenario: one query at a time, latency per query in ms.</summary>
/// <param name="Queries">Timed queries.</param>
/// <param name="P50Ms">Median latency.</param>
/// <param name="P90Ms">90th percentile latency — MLPerf's headline metric for single-stream.</param>
/// <param name="P99Ms">99th percentile latency.</param>
/// <param name="MeanMs">Mean latency.</param>
/// <param name="MinMs">Fastest query.</param>
/// <param name="MaxMs">Slowest query.</param>
/// <param name="DurationMs">Wall-clock time of the timed queries.</param>
/// <param name="LatenciesMs">Every query's latency, sorted ascending.</param>
internal sealed record SingleStreamResult(int Queries, double P50Ms, double P90Ms, double P99Ms, double MeanMs, double MinMs, double MaxMs, double DurationMs, IReadOnlyList<double> LatenciesMs)
{
    /// <summary>The headline number (P90).</summary>
    public double HeadlineMs => P90Ms;
}

/// <summary>Result of the offline scenario: queries of a whole batch back to back, throughput in samples per second.</summary>
/// <param name="BatchSize">Samples per query.</param>
/// <param name="Strategy">How the batch was run.</param>
/// <param name="Queries">Timed queries.</param>
/// <param name="Samples">Samples processed (queries × batch).</param>
/// <param name="DurationMs">Wall-clock time of the timed queries.</param>
internal sealed record OfflineResult(int BatchSize, BatchStrategy Strategy, int Queries, long Samples, double DurationMs)
{
    /// <summary>Throughput — the headline number.</summary>
    public double SamplesPerSecond => DurationMs > 0 ? Samples / (DurationMs / 1000.0) : double.NaN;
}

/// <summary>
/// The quick latency engine: MLPerf-style scenarios over an <see cref="OnnxModelRunner"/>, timed query by query with a
/// stopwatch. Fewer statistical guarantees than the BenchmarkDotNet engine (no pilot stage, no outlier handling by
/// BenchmarkDotNet) but seconds instead of minutes; it serves percentiles (single stream), throughput (offline) and
/// validation's quick path.
/// </summary>
internal sealed class ScenarioEngine(ScenarioOptions? options = null) : ILatencyEngine
{
    /// <summary>How long each measurement runs; default 100 queries after 10 warm-ups.</summary>
    public ScenarioOptions Options { get; } = options ?? new ScenarioOptions();

    /// <inheritdoc />
    public string Name => "scenario";

    /// <summary>
    /// A configuration for runs timed by this engine alone (nothing is stored under it): CPU, sequential, optimization level
    /// <c>all</c>, <paramref name="intraOpThreads"/> intra-op threads (0 = ONNX Runtime's default).
    /// </summary>
    public static RunConfiguration Configuration(int intraOpThreads = 0)
        => new("cpu", null, intraOpThreads, 0, "sequential", "all", "scenario", "scenario");

    /// <summary>Single-stream: issues the next query only when the previous finished, and reports latency percentiles.</summary>
    public SingleStreamResult SingleStream(OnnxModelRunner runner)
    {
        ArgumentNullException.ThrowIfNull(runner);
        var (latencies, duration) = Time(runner.Query);
        return new SingleStreamResult(latencies.Count,
            Percentiles.NearestRank(latencies, 0.50), Percentiles.NearestRank(latencies, 0.90), Percentiles.NearestRank(latencies, 0.99),
            latencies.Average(), latencies[0], latencies[^1], duration.TotalMilliseconds, latencies);
    }

    /// <summary>Offline: runs whole batches back to back and reports throughput.</summary>
    public OfflineResult Offline(OnnxModelRunner runner)
    {
        ArgumentNullException.ThrowIfNull(runner);
        Options.Validate();
        var query = runner.Query;
        for (var i = 0; i < Options.WarmupQueries; i++) query();

        var queries = 0;
        var total = Stopwatch.StartNew();
        while (queries < Options.MaxQueries && (queries < Options.MinQueries || total.Elapsed < Options.MinDuration))
        {
            query();
            queries++;
        }
        total.Stop();
        var batch = runner.Batch;
        return new OfflineResult(batch.BatchSize, batch.Strategy, queries, (long)queries * batch.BatchSize, total.Elapsed.TotalMilliseconds);
    }

    /// <inheritdoc />
    public LatencyMeasurement Measure(string label, OnnxModelRunner runner)
    {
        ArgumentNullException.ThrowIfNull(runner);
        var result = MeasureMany([new MeasuredCall(label, runner.Query)])[0];
        return result.Measurement ?? throw result.Error!;
    }

    /// <inheritdoc />
    public IReadOnlyList<CallMeasurement> MeasureMany(IReadOnlyList<MeasuredCall> calls)
    {
        ArgumentNullException.ThrowIfNull(calls);
        Options.Validate();
        return calls.Select(call =>
        {
            var watch = Stopwatch.StartNew();
            try
            {
                var (latencies, _) = Time(call.Call);
                return new CallMeasurement(call.Label, new LatencyMeasurement(Statistics(latencies), 1, TimeSpan.Zero, watch.Elapsed), null);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                return new CallMeasurement(call.Label, null, new BenchmarkFailedException($"run failed: {e.Message}", e));
            }
        }).ToList();
    }

    /// <summary>The <see cref="LatencyStatistics"/> of raw per-query latencies (ms): nearest-rank percentiles, 99.9 % Student-t CI, 20 % trimmed mean.</summary>
    public static LatencyStatistics Statistics(IReadOnlyList<double> samplesMs)
    {
        ArgumentNullException.ThrowIfNull(samplesMs);
        if (samplesMs.Count == 0) throw new ArgumentException("no samples.", nameof(samplesMs));
        var sorted = samplesMs.Order().ToArray();
        var n = sorted.Length;
        var mean = sorted.Average();
        var stdDev = n > 1 ? Math.Sqrt(sorted.Sum(x => (x - mean) * (x - mean)) / (n - 1)) : 0;
        var halfWidth = n > 1 ? StudentT.InvCDF(0, 1, n - 1, 0.9995) * stdDev / Math.Sqrt(n) : 0;
        return new LatencyStatistics(mean, Percentiles.Median(sorted), stdDev,
            Percentiles.NearestRank(sorted, 0.90), Percentiles.NearestRank(sorted, 0.95),
            mean - halfWidth, mean + halfWidth, Percentiles.TrimmedMean(sorted), n, sorted[0], sorted[^1],
            Percentiles.NearestRank(sorted, 0.10), Percentiles.NearestRank(sorted, 0.25))
        {
            Distribution = LatencyDistribution.FromSamples(sorted),
        };
    }

    /// <summary>Warm-up queries, then timed queries one at a time; the latencies come back sorted ascending.</summary>
    private (List<double> LatenciesMs, TimeSpan Duration) Time(Action query)
    {
        Options.Validate();
        for (var i = 0; i < Options.WarmupQueries; i++) query();

        var latencies = new List<double>(Options.MinQueries);
        var total = Stopwatch.StartNew();
        while (latencies.Count < Options.MaxQueries && (latencies.Count < Options.MinQueries || total.Elapsed < Options.MinDuration))
        {
            var start = Stopwatch.GetTimestamp();
            query();
            latencies.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
        total.Stop();
        latencies.Sort();
        return (latencies, total.Elapsed);
    }
}
