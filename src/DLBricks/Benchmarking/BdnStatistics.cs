namespace DLBricks.Benchmarking;

/// <summary>Converts BenchmarkDotNet statistics (nanoseconds per operation) into <see cref="LatencyStatistics"/> (milliseconds).</summary>
internal static class BdnStatistics
{
    private const double NsPerMs = 1e6;

    public static LatencyStatistics ToLatency(BenchmarkDotNet.Mathematics.Statistics s)
    {
        var mean = s.Mean / NsPerMs;
        var ci = s.ConfidenceInterval;
        // With very few iterations BDN cannot form an interval; fall back to the mean so stores never see NaN.
        var lower = double.IsFinite(ci.Lower) ? ci.Lower / NsPerMs : mean;
        var upper = double.IsFinite(ci.Upper) ? ci.Upper / NsPerMs : mean;
        var stdDev = double.IsFinite(s.StandardDeviation) ? s.StandardDeviation / NsPerMs : 0;
        var sorted = s.OriginalValues.Order().ToList();
        return new LatencyStatistics(
            Mean: mean,
            Median: s.Median / NsPerMs,
            StdDev: stdDev,
            P90: s.Percentiles.P90 / NsPerMs,
            P95: s.Percentiles.P95 / NsPerMs,
            CiLower: lower,
            CiUpper: upper,
            TrimmedMean: Percentiles.TrimmedMean(sorted) / NsPerMs,
            N: s.N,
            Min: s.Min / NsPerMs,
            Max: s.Max / NsPerMs,
            P10: Percentiles.NearestRank(sorted, 0.10) / NsPerMs,
            P25: Percentiles.NearestRank(sorted, 0.25) / NsPerMs)
        {
            // Each value is one iteration's time per call; tail estimates draw from them (see docs/estimation.md).
            Distribution = LatencyDistribution.FromSamples(sorted.Select(v => v / NsPerMs)),
        };
    }
}
