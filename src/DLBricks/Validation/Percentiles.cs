namespace DLBricks.Validation;

/// <summary>Nearest-rank percentiles, as MLPerf's load generator reports them (no interpolation between samples).</summary>
internal static class Percentiles
{
    public static double NearestRank(IReadOnlyList<double> sorted, double fraction)
    {
        if (sorted.Count == 0) return double.NaN;
        var rank = (int)Math.Ceiling(fraction * sorted.Count);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Count - 1)];
    }

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0) return double.NaN;
        var mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
