using System.Text.Json.Serialization;

namespace DLBricks.Reporting;

/// <summary>How one model at one G came out across repeated whole validations (<c>validate --runs K</c>).</summary>
/// <param name="Model">Model name.</param>
/// <param name="G">Granularity.</param>
/// <param name="Normalized">Normalized latency (sequential estimate / end-to-end) of each run, in run order.</param>
/// <param name="E2eMs">End-to-end latency of each run.</param>
/// <param name="EstimateMs">Sequential estimate of each run.</param>
/// <param name="NormalizedMedian">Median of <see cref="Normalized"/>.</param>
/// <param name="NormalizedSpread">(max − min) / median of <see cref="Normalized"/>.</param>
/// <param name="E2eSpread">(max − min) / median of <see cref="E2eMs"/>: the end-to-end side's run-to-run spread.</param>
/// <param name="EstimateSpread">(max − min) / median of <see cref="EstimateMs"/>: the brick side's run-to-run spread.</param>
/// <param name="MaxDeviation">Largest |run / median − 1| of <see cref="Normalized"/>.</param>
/// <param name="Reproducible">True when every run's normalized latency is within the tolerance of the median.</param>
public sealed record ReproducibilityRow(
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("g")] int G,
    [property: JsonPropertyName("normalized")] IReadOnlyList<double> Normalized,
    [property: JsonPropertyName("e2e_ms")] IReadOnlyList<double> E2eMs,
    [property: JsonPropertyName("estimate_ms")] IReadOnlyList<double> EstimateMs,
    [property: JsonPropertyName("normalized_median")] double NormalizedMedian,
    [property: JsonPropertyName("normalized_spread")] double NormalizedSpread,
    [property: JsonPropertyName("e2e_spread")] double E2eSpread,
    [property: JsonPropertyName("estimate_spread")] double EstimateSpread,
    [property: JsonPropertyName("max_deviation")] double MaxDeviation,
    [property: JsonPropertyName("reproducible")] bool Reproducible);

/// <summary>Run-to-run figures of one G.</summary>
/// <param name="G">Granularity.</param>
/// <param name="Models">Models with a row at this G in every run.</param>
/// <param name="Reproducible">Models whose normalized latency stayed within the tolerance in every run.</param>
/// <param name="GeomeanErrorPerRun">Geometric mean of |1 − normalized| over the models, for each run.</param>
/// <param name="GeomeanErrorOfMedians">Geometric mean of |1 − median normalized| over the models.</param>
/// <param name="UntrustworthyPerRun">Models flagged untrustworthy in each run.</param>
public sealed record ReproducibilitySummary(
    [property: JsonPropertyName("g")] int G,
    [property: JsonPropertyName("models")] int Models,
    [property: JsonPropertyName("reproducible")] int Reproducible,
    [property: JsonPropertyName("geomean_error_per_run")] IReadOnlyList<double> GeomeanErrorPerRun,
    [property: JsonPropertyName("geomean_error_of_medians")] double GeomeanErrorOfMedians,
    [property: JsonPropertyName("untrustworthy_per_run")] IReadOnlyList<int> UntrustworthyPerRun);

/// <summary>
/// Reproducibility as a measured figure: the same validation repeated <see cref="Runs"/> times, and per model how far its
/// normalized latency (and each side of it) moved between runs.
/// </summary>
/// <param name="Runs">Whole validations compared.</param>
/// <param name="Tolerance">A model is reproducible when every run's normalized latency is within this fraction of the median run.</param>
/// <param name="Rows">One row per model and G.</param>
/// <param name="Summary">One row per G.</param>
public sealed record ReproducibilityReport(
    [property: JsonPropertyName("runs")] int Runs,
    [property: JsonPropertyName("tolerance")] double Tolerance,
    [property: JsonPropertyName("rows")] IReadOnlyList<ReproducibilityRow> Rows,
    [property: JsonPropertyName("summary")] IReadOnlyList<ReproducibilitySummary> Summary)
{
    /// <summary>Default tolerance: ±3 % of the median run.</summary>
    public const double DefaultTolerance = 0.03;

    /// <summary>
    /// Compares the reports of repeated runs of the same validation. A model (at a G) missing from any run is left out, since
    /// its spread would be meaningless.
    /// </summary>
    /// <param name="runs">At least two reports, in run order.</param>
    /// <param name="tolerance">Allowed |run / median − 1| of the normalized latency.</param>
    /// <exception cref="ArgumentException">Fewer than two runs.</exception>
    public static ReproducibilityReport Build(IReadOnlyList<ValidationReport> runs, double tolerance = DefaultTolerance)
    {
        ArgumentNullException.ThrowIfNull(runs);
        if (runs.Count < 2) throw new ArgumentException("reproducibility needs at least two runs.", nameof(runs));
        ArgumentOutOfRangeException.ThrowIfNegative(tolerance);

        var byRun = runs.Select(r => r.Models.ToDictionary(m => (m.Model, m.G))).ToList();
        var keys = runs[0].Models.Select(m => (m.Model, m.G)).Where(k => byRun.All(d => d.ContainsKey(k))).ToList();
        var rows = new List<ReproducibilityRow>();
        foreach (var key in keys)
        {
            var perRun = byRun.Select(d => d[key]).ToList();
            var normalized = perRun.Select(r => r.Normalized).ToList();
            var median = Median(normalized);
            var deviation = normalized.Max(n => Math.Abs(n / median - 1));
            rows.Add(new ReproducibilityRow(key.Model, key.G, normalized, perRun.Select(r => r.E2eMs).ToList(), perRun.Select(r => r.EstimateMs).ToList(),
                median, Spread(normalized), Spread(perRun.Select(r => r.E2eMs).ToList()), Spread(perRun.Select(r => r.EstimateMs).ToList()),
                deviation, double.IsFinite(deviation) && deviation <= tolerance));
        }

        var summary = rows.GroupBy(r => r.G).OrderBy(g => g.Key).Select(g =>
        {
            var models = g.Select(r => r.Model).ToHashSet(StringComparer.Ordinal);
            var perRunError = Enumerable.Range(0, runs.Count)
                .Select(i => GeomeanError(runs[i].Models.Where(m => m.G == g.Key && models.Contains(m.Model)).Select(m => m.Normalized)))
                .ToList();
            var flagged = runs.Select(r => r.Models.Count(m => m.G == g.Key && models.Contains(m.Model) && !m.Trustworthy)).ToList();
            return new ReproducibilitySummary(g.Key, g.Count(), g.Count(r => r.Reproducible), perRunError,
                GeomeanError(g.Select(r => r.NormalizedMedian)), flagged);
        }).ToList();
        return new ReproducibilityReport(runs.Count, tolerance, rows, summary);
    }

    /// <summary>exp(mean(ln |1 − x|)), with errors floored at 1e-6 so one exact hit does not zero the mean; NaN without values.</summary>
    public static double GeomeanError(IEnumerable<double> normalized)
    {
        var errors = normalized.Where(double.IsFinite).Select(n => Math.Max(Math.Abs(1 - n), 1e-6)).ToList();
        return errors.Count == 0 ? double.NaN : Math.Exp(errors.Average(Math.Log));
    }

    private static double Spread(IReadOnlyList<double> values)
    {
        var median = Median(values);
        return median > 0 ? (values.Max() - values.Min()) / median : double.NaN;
    }

    private static double Median(IReadOnlyList<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0) return double.NaN;
        var mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
