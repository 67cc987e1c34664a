namespace DLBricks.Shared;

/// <summary>
/// Latency statistics of one benchmark case, in milliseconds per run: BenchmarkDotNet's own statistics plus the
/// paper's 20 % trimmed mean.
/// </summary>
/// <param name="Mean">Arithmetic mean.</param>
/// <param name="Median">Median.</param>
/// <param name="StdDev">Standard deviation.</param>
/// <param name="P90">90th percentile.</param>
/// <param name="P95">95th percentile.</param>
/// <param name="CiLower">Lower bound of the 99.9 % confidence interval of the mean.</param>
/// <param name="CiUpper">Upper bound of the 99.9 % confidence interval of the mean.</param>
/// <param name="TrimmedMean">Mean after dropping the fastest and slowest 20 % of measurements.</param>
/// <param name="N">Number of measurements (iterations) the statistics come from.</param>
/// <param name="Min">Fastest measurement.</param>
/// <param name="Max">Slowest measurement.</param>
/// <param name="P10">10th percentile (nearest rank); NaN when the source did not keep it (result stores do not).</param>
/// <param name="P25">25th percentile (nearest rank); NaN when the source did not keep it.</param>
public sealed record LatencyStatistics(
    double Mean,
    double Median,
    double StdDev,
    double P90,
    double P95,
    double CiLower,
    double CiUpper,
    double TrimmedMean,
    int N,
    double Min,
    double Max,
    double P10 = double.NaN,
    double P25 = double.NaN)
{
    /// <summary>
    /// The per-iteration latencies the statistics come from, for tail-latency estimates; null when the source did not keep them
    /// (results stored before schema version 6).
    /// </summary>
    public LatencyDistribution? Distribution { get; init; }

    /// <summary>Returns the statistic named <paramref name="statistic"/>.</summary>
    public double Get(LatencyStatistic statistic) => statistic switch
    {
        LatencyStatistic.Median => Median,
        LatencyStatistic.Mean => Mean,
        LatencyStatistic.TrimmedMean => TrimmedMean,
        LatencyStatistic.P90 => P90,
        LatencyStatistic.Min => Min,
        LatencyStatistic.P10 => P10,
        LatencyStatistic.P25 => P25,
        _ => throw new ArgumentOutOfRangeException(nameof(statistic), statistic, null),
    };
}

/// <summary>Which per-run latency statistic an estimate uses.</summary>
public enum LatencyStatistic
{
    /// <summary>Median of the measurements (default).</summary>
    Median,
    /// <summary>Arithmetic mean.</summary>
    Mean,
    /// <summary>20 % trimmed mean, as in the paper.</summary>
    TrimmedMean,
    /// <summary>90th percentile.</summary>
    P90,
    /// <summary>Fastest measurement.</summary>
    Min,
    /// <summary>
    /// 10th percentile: a low quantile resists one-sided noise (preemption, neighbours' cache traffic only ever slow a run down)
    /// while depending less on a single lucky iteration than <see cref="Min"/>.
    /// </summary>
    P10,
    /// <summary>25th percentile (lower quartile).</summary>
    P25,
}

/// <summary>Facts about <see cref="LatencyStatistic"/> values.</summary>
public static class LatencyStatisticExtensions
{
    /// <summary>
    /// False for the statistics result stores do not keep (<see cref="LatencyStatistic.P10"/>, <see cref="LatencyStatistic.P25"/>):
    /// estimates with them need bricks measured in the same process.
    /// </summary>
    public static bool IsKeptByStores(this LatencyStatistic statistic) => statistic is not (LatencyStatistic.P10 or LatencyStatistic.P25);
}
