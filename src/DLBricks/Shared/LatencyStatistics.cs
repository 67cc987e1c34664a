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
    double Max)
{
    /// <summary>Returns the statistic named <paramref name="statistic"/>.</summary>
    public double Get(LatencyStatistic statistic) => statistic switch
    {
        LatencyStatistic.Median => Median,
        LatencyStatistic.Mean => Mean,
        LatencyStatistic.TrimmedMean => TrimmedMean,
        LatencyStatistic.P90 => P90,
        LatencyStatistic.Min => Min,
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
}
