using System.Text.Json;
using DLBricks.Estimation;

namespace DLBricks.Reporting;

/// <summary>
/// The JSON written by <c>dlbricks estimate --json FILE</c>: per model and G, one entry per mode with the estimate, the
/// statistic, the bricks used, the breakdown (largest first), the missing bricks and the corrections.
/// </summary>
internal static class EstimateJsonWriter
{
    /// <summary>Serializes the estimates.</summary>
    public static string ToJson(IReadOnlyList<ModelEstimates> estimates)
    {
        ArgumentNullException.ThrowIfNull(estimates);
        var document = new
        {
            Models = estimates.Select(m => new
            {
                m.Model,
                G = m.Granularity,
                Complete = m.Estimates.All(e => e.IsComplete),
                Inputs = m.Inputs?.Select(i => new { i.Name, i.ElementType, i.Shape }),
                Tail = m.Tail is not { } t ? null : new
                {
                    t.P50Ms,
                    t.P90Ms,
                    t.P99Ms,
                    Method = "monte-carlo-sequential",
                    t.Draws,
                    t.Seed,
                    t.RunsWithDistribution,
                    t.RunsWithoutDistribution,
                    t.ShiftMs,
                },
                Estimates = m.Estimates.Select(e => new
                {
                    e.Mode,
                    e.Statistic,
                    e.EstimateMs,
                    e.UncorrectedMs,
                    e.BrickRuns,
                    BricksUsed = e.UniqueBricksUsed,
                    Complete = e.IsComplete,
                    Corrections = e.Corrections.Select(c => new { c.Name, c.DeltaMs, c.Explanation }),
                    Breakdown = e.Breakdown.Select(b => new { b.Hash, b.Occurrences, b.PerRunMs, b.TotalMs, b.Share }),
                    Missing = e.Missing.Select(x => new { x.Hash, x.Occurrences, x.Reason }),
                    e.Path,
                }),
            }),
        };
        return JsonSerializer.Serialize(document, ReportJson.Options);
    }

    /// <summary>Writes the estimates to <paramref name="path"/> atomically.</summary>
    public static void Write(IReadOnlyList<ModelEstimates> estimates, string path) => AtomicFile.WriteAllText(path, ToJson(estimates));
}
