using System.Diagnostics;

namespace DLBricks.Validation;

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

/// <summary>MLPerf-style end-to-end scenarios over a <see cref="ScenarioSession"/>.</summary>
internal static class Scenarios
{
    /// <summary>Single-stream: issues the next query only when the previous finished, and reports latency percentiles.</summary>
    public static SingleStreamResult SingleStream(ScenarioSession session, ScenarioOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(session);
        options ??= new ScenarioOptions();
        options.Validate();
        for (var i = 0; i < options.WarmupQueries; i++) session.RunQuery();

        var latencies = new List<double>(options.MinQueries);
        var total = Stopwatch.StartNew();
        while (latencies.Count < options.MaxQueries && (latencies.Count < options.MinQueries || total.Elapsed < options.MinDuration))
        {
            var start = Stopwatch.GetTimestamp();
            session.RunQuery();
            latencies.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
        total.Stop();

        latencies.Sort();
        return new SingleStreamResult(latencies.Count,
            Percentiles.NearestRank(latencies, 0.50), Percentiles.NearestRank(latencies, 0.90), Percentiles.NearestRank(latencies, 0.99),
            latencies.Average(), latencies[0], latencies[^1], total.Elapsed.TotalMilliseconds, latencies);
    }

    /// <summary>Offline: runs whole batches back to back and reports throughput.</summary>
    public static OfflineResult Offline(ScenarioSession session, ScenarioOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(session);
        options ??= new ScenarioOptions();
        options.Validate();
        for (var i = 0; i < options.WarmupQueries; i++) session.RunQuery();

        var queries = 0;
        var total = Stopwatch.StartNew();
        while (queries < options.MaxQueries && (queries < options.MinQueries || total.Elapsed < options.MinDuration))
        {
            session.RunQuery();
            queries++;
        }
        total.Stop();
        return new OfflineResult(session.BatchSize, session.Strategy, queries, (long)queries * session.BatchSize, total.Elapsed.TotalMilliseconds);
    }
}
