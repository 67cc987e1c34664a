namespace DLBricks.Reporting;

/// <summary>
/// The headline of a validation at one G: how far the sequential estimates land from end-to-end latency, as the README's
/// results table states it.
/// </summary>
/// <param name="G">Granularity.</param>
/// <param name="Models">Models validated at this G.</param>
/// <param name="GeomeanAbsError">Geometric mean over the models of |1 − estimate / end-to-end| (NaN without models).</param>
/// <param name="WorstModel">Model with the largest |1 − normalized|, or null without models.</param>
/// <param name="WorstNormalized">That model's normalized latency (estimate / end-to-end).</param>
/// <param name="WithinTolerance">Models whose |1 − normalized| is at most <paramref name="Tolerance"/>.</param>
/// <param name="Tolerance">The tolerance <paramref name="WithinTolerance"/> counts against.</param>
public sealed record ValidationHeadline(int G, int Models, double GeomeanAbsError, string? WorstModel, double WorstNormalized,
    int WithinTolerance, double Tolerance)
{
    /// <summary>Tolerance of the README's "within ±15 %" column.</summary>
    public const double DefaultTolerance = 0.15;

    /// <summary>One headline per G of <paramref name="report"/>, in the report's G order.</summary>
    public static IReadOnlyList<ValidationHeadline> Of(ValidationReport report, double tolerance = DefaultTolerance) =>
        report.Summary.Select(s =>
        {
            var rows = report.Models.Where(m => m.G == s.G && m.Normalized > 0 && double.IsFinite(m.Normalized)).ToList();
            var worst = rows.MaxBy(m => Math.Abs(1 - m.Normalized));
            return new ValidationHeadline(s.G, rows.Count, ReproducibilityReport.GeomeanError(rows.Select(m => m.Normalized)),
                worst?.Model, worst?.Normalized ?? double.NaN, rows.Count(m => Math.Abs(1 - m.Normalized) <= tolerance), tolerance);
        }).ToList();
}
