namespace DLBricks.Benchmarking;

/// <summary>
/// A sequential stopping rule for the measured iterations of one case: after each iteration, once at least
/// <see cref="MinIterations"/> have run, stop when the distribution-free confidence interval of the median is narrow enough
/// — half its width at most <see cref="MaxRelativeHalfWidth"/> of the median. The job's iteration count stays the cap, so a
/// noisy case costs what it cost without the rule.
/// </summary>
/// <remarks>
/// The interval is the one from order statistics: with n sorted samples and z the normal quantile of the confidence, its ends
/// are the samples of rank ⌊n/2 − z√n/2⌋ and ⌈1 + n/2 + z√n/2⌉ (1-based; the normal approximation of the binomial
/// distribution of the number of samples below the median). It assumes nothing about the shape of the distribution, so
/// the long right tail of latencies does not widen it the way it widens an interval of the mean.
/// </remarks>
/// <param name="MinIterations">Floor: iterations always measured before the rule may stop (at least 5).</param>
/// <param name="MaxRelativeHalfWidth">Bound on the interval's half width relative to the median (e.g. 0.01 = ±1 %).</param>
/// <param name="Confidence">Confidence of the interval, in (0.5, 1).</param>
internal sealed record MedianStoppingRule(int MinIterations = 20, double MaxRelativeHalfWidth = 0.01, double Confidence = 0.99)
{
    /// <summary>The rule used by <see cref="BenchmarkJob.Lean"/>: at least 20 iterations, stop at ±1 % with 99 % confidence.</summary>
    public static MedianStoppingRule Default { get; } = new();

    /// <summary>Checks the parameters.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A parameter is outside its range.</exception>
    public void Validate()
    {
        if (MinIterations < 5)
            throw new ArgumentOutOfRangeException(nameof(MinIterations), MinIterations, "the stopping rule needs a floor of at least 5 iterations.");
        if (!(MaxRelativeHalfWidth > 0))
            throw new ArgumentOutOfRangeException(nameof(MaxRelativeHalfWidth), MaxRelativeHalfWidth, "the bound on the interval must be positive.");
        if (!(Confidence > 0.5 && Confidence < 1))
            throw new ArgumentOutOfRangeException(nameof(Confidence), Confidence, "the confidence must be between 0.5 and 1.");
    }

    /// <summary>
    /// Whether to stop after the measured <paramref name="samples"/> (in any order): true at the cap
    /// (<paramref name="maxIterations"/>), or past the floor with a narrow enough interval of the median.
    /// </summary>
    public bool ShouldStop(IReadOnlyList<double> samples, int maxIterations)
    {
        ArgumentNullException.ThrowIfNull(samples);
        if (samples.Count >= maxIterations) return true;
        if (samples.Count < MinIterations) return false;
        var sorted = samples.Order().ToArray();
        if (MedianInterval(sorted, Confidence) is not var (lower, upper)) return false;
        var median = Median(sorted);
        return median > 0 && (upper - lower) / 2 <= MaxRelativeHalfWidth * median;
    }

    /// <summary>
    /// The distribution-free confidence interval of the median of <paramref name="sorted"/> (ascending), or null when there are
    /// too few samples for one at this confidence.
    /// </summary>
    public static (double Lower, double Upper)? MedianInterval(IReadOnlyList<double> sorted, double confidence)
    {
        ArgumentNullException.ThrowIfNull(sorted);
        var n = sorted.Count;
        if (n == 0) return null;
        var z = NormalQuantile(0.5 + confidence / 2);
        var half = z * Math.Sqrt(n) / 2;
        var lowerRank = (int)Math.Floor(n / 2.0 - half);
        var upperRank = (int)Math.Ceiling(1 + n / 2.0 + half);
        if (lowerRank < 1 || upperRank > n) return null;
        return (sorted[lowerRank - 1], sorted[upperRank - 1]);
    }

    private static double Median(IReadOnlyList<double> sorted)
    {
        var n = sorted.Count;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /// <summary>Quantile of the standard normal distribution (Acklam's rational approximation, relative error below 1.2e-9).</summary>
    internal static double NormalQuantile(double p)
    {
        if (!(p > 0 && p < 1)) throw new ArgumentOutOfRangeException(nameof(p), p, "a probability strictly between 0 and 1 is needed.");
        double[] a = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00];
        double[] b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01, -1.328068155288572e+01];
        double[] c = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00];
        double[] d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00];
        const double low = 0.02425;
        if (p < low)
        {
            var q = Math.Sqrt(-2 * Math.Log(p));
            return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
        }
        if (p > 1 - low)
            return -NormalQuantile(1 - p);
        var r = p - 0.5;
        var s = r * r;
        return (((((a[0] * s + a[1]) * s + a[2]) * s + a[3]) * s + a[4]) * s + a[5]) * r / (((((b[0] * s + b[1]) * s + b[2]) * s + b[3]) * s + b[4]) * s + 1);
    }
}
