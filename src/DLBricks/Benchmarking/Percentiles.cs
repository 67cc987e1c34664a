namespace DLBricks.Benchmarking;

/// <summary>
/// Order statistics of latency samples, shared by both engines: nearest-rank percentiles, as MLPerf's load generator reports
/// them (no interpolation between samples), the median and the paper's trimmed mean.
/// </summary>
internal static class Percentiles
{
    /// <summary>Fraction dropped at each end for the trimmed mean, as in the paper.</summary>
    public const double TrimFraction = 0.2;

    /// <summary>Nearest-rank quantile of sorted values (no interpolation), NaN when empty.</summary>
    public static double NearestRank(IReadOnlyList<double> sorted, double fraction)
    {
        if (sorted.Count == 0) return double.NaN;
        var rank = (int)Math.Ceiling(fraction * sorted.Count);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Count - 1)];
    }

    /// <summary>Median (mean of the two middle values for an even count), NaN when empty.</summary>
    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0) return double.NaN;
        var mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    /// <summary>Mean of the sorted values after dropping floor(20 %) of them at each end, NaN when empty.</summary>
    public static double TrimmedMean(IReadOnlyList<double> sorted)
    {
        if (sorted.Count == 0)
            return double.NaN;
        var drop = (int)Math.Floor(sorted.Count * TrimFraction);
        var sum = 0.0;
        for (var i = drop; i < sorted.Count - drop; i++)
            sum += sorted[i];
        return sum / (sorted.Count - 2 * drop);
    }
}
