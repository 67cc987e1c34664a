using DLBricks.Estimation;
using DLBricks.Splitting;
using DLBricks.Validation;

namespace DLBricks.Reporting;

/// <summary>Turns a <see cref="ValidationRun"/> into a <see cref="ValidationReport"/> by estimating every recipe from the measured bricks.</summary>
internal static class ValidationReportBuilder
{
    /// <summary>
    /// Builds the report. Estimates use the plan's statistic (so estimate and end-to-end are compared like for like) and
    /// the corrections in <paramref name="estimateOptions"/>.
    /// </summary>
    public static ValidationReport Build(
        ValidationRun run,
        EstimateOptions? estimateOptions = null,
        IReadOnlyList<ProfileSumResult>? profiles = null,
        DateTimeOffset? generatedAt = null)
    {
        ArgumentNullException.ThrowIfNull(run);
        var options = (estimateOptions ?? EstimateOptions.Default) with { Statistic = run.Plan.Statistic };
        var latencies = BrickLatencies.FromResults(run.Bricks.Values);
        var estimator = new ModelEstimator();
        var endToEnd = run.EndToEnd.ToDictionary(e => e.Model, StringComparer.Ordinal);

        var rows = new List<ModelValidationRow>();
        var hashesByG = new SortedDictionary<int, HashSet<string>>();
        foreach (var model in run.Plan.Models)
        {
            var e2e = endToEnd[model.Name];
            // Every repeat's iterations pooled: one single-stream distribution per model, measured the way its bricks were.
            var measured = LatencyDistribution.Pool(e2e.Measurements.Select(m => m.Distribution));
            foreach (var recipe in model.Recipes.OrderBy(r => r.Granularity))
            {
                var estimates = estimator.Estimate(recipe, latencies, options);
                var sequential = estimates.Get(EstimationMode.Sequential)!;
                var critical = estimates.Get(EstimationMode.CriticalPath)!;
                var overlap = estimates.Get(EstimationMode.OverlapCover);
                var e2eMs = e2e.MedianMs;
                var tail = estimates.Tail;
                rows.Add(new ModelValidationRow(
                    model.Name, recipe.Granularity, e2eMs, e2e.Spread, e2e.Trustworthy,
                    sequential.EstimateMs, critical.EstimateMs, overlap?.EstimateMs,
                    Ratio(sequential.EstimateMs, e2eMs), Ratio(critical.EstimateMs, e2eMs),
                    overlap is null ? null : Ratio(overlap.EstimateMs, e2eMs),
                    recipe.Occurrences.Count, recipe.Occurrences.Select(o => o.Hash).Distinct(StringComparer.Ordinal).Count(),
                    estimates.Estimates.SelectMany(e => e.Missing).Select(m => m.Hash).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList(),
                    sequential.UncorrectedMs, Ratio(sequential.UncorrectedMs, e2eMs))
                {
                    Inputs = RecipeInput.Describe(recipe.Inputs),
                    E2eP50Ms = measured?.Quantile(0.50),
                    E2eP90Ms = measured?.Quantile(0.90),
                    E2eP99Ms = measured?.Quantile(0.99),
                    E2eSamples = measured?.Count ?? 0,
                    EstimateP50Ms = tail?.P50Ms,
                    EstimateP90Ms = tail?.P90Ms,
                    EstimateP99Ms = tail?.P99Ms,
                    NormalizedP90 = tail is not null && measured is not null ? Ratio(tail.P90Ms, measured.Quantile(0.90)) : null,
                    NormalizedP99 = tail is not null && measured is not null ? Ratio(tail.P99Ms, measured.Quantile(0.99)) : null,
                });

                if (!hashesByG.TryGetValue(recipe.Granularity, out var hashes)) hashesByG[recipe.Granularity] = hashes = new HashSet<string>(StringComparer.Ordinal);
                hashes.UnionWith(recipe.Occurrences.Select(o => o.Hash));
            }
        }

        var summary = hashesByG.Select(kv => Summarize(kv.Key, rows.Where(r => r.G == kv.Key).ToList(), kv.Value, latencies, options)).ToList();
        var timing = new PipelineTimingRow(run.Timing.EndToEndSeconds, run.Timing.BricksSeconds, run.Timing.EndToEndMeasurements, run.Timing.BricksMeasured,
            Models: run.EndToEnd.Count);
        var profileRows = (profiles ?? []).Select(ProfileRowOf).ToList();

        return new ValidationReport(generatedAt ?? DateTimeOffset.UtcNow, System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(options.Statistic.ToString()), run.Plan.SpreadThreshold,
            options.CorrectionList.Select(c => c.Name).ToList(), rows, summary, timing, profileRows);
    }

    /// <summary>The report row of one Observation-1 check.</summary>
    public static ProfileRow ProfileRowOf(ProfileSumResult p)
    {
        ArgumentNullException.ThrowIfNull(p);
        return new ProfileRow(p.Model, p.E2eMedianMs, p.TraceRunMedianMs, p.NodeSumMedianMs, p.NodeShare);
    }

    /// <summary>Aggregates the rows of one G.</summary>
    internal static GranularitySummary Summarize(int g, IReadOnlyList<ModelValidationRow> rows, IReadOnlyCollection<string> uniqueHashes, BrickLatencies latencies, EstimateOptions options)
    {
        var brickSum = uniqueHashes.Sum(h => latencies.TryGet(h, out var s) ? s.Get(options.Statistic) : 0);
        var e2eSum = rows.Sum(r => r.E2eMs);
        var normalized = rows.Select(r => r.Normalized).ToList();
        return new GranularitySummary(g, rows.Count,
            GeometricMean(normalized), normalized.Count > 0 ? normalized.Min() : double.NaN, normalized.Count > 0 ? normalized.Max() : double.NaN,
            GeometricMean(rows.Select(r => r.NormalizedCriticalPath).ToList()),
            brickSum > 0 ? e2eSum / brickSum : double.NaN,
            e2eSum, uniqueHashes.Count, brickSum, rows.Count(r => !r.Trustworthy),
            GeometricMean(rows.Select(r => r.NormalizedUncorrected).ToList()))
        {
            TailModels = rows.Count(r => r.NormalizedP90 is not null),
            GeomeanNormalizedP90 = GeometricMean(rows.Where(r => r.NormalizedP90 is not null).Select(r => r.NormalizedP90!.Value).ToList()),
            P90WithinTenPercent = rows.Count(r => r.NormalizedP90 is { } n && Math.Abs(n - 1) <= 0.10),
            GeomeanNormalizedP99 = GeometricMean(rows.Where(r => r.NormalizedP99 is not null).Select(r => r.NormalizedP99!.Value).ToList()),
        };
    }

    /// <summary>exp(mean(ln x)) over positive values; NaN when there are none (a 0 estimate has no logarithm).</summary>
    public static double GeometricMean(IReadOnlyList<double> values)
    {
        var positive = values.Where(v => v > 0 && double.IsFinite(v)).ToList();
        return positive.Count == 0 ? double.NaN : Math.Exp(positive.Average(Math.Log));
    }

    private static double Ratio(double estimate, double e2e) => e2e > 0 ? estimate / e2e : double.NaN;
}
