using System.Globalization;
using System.Text;
using DLBricks.Estimation;

namespace DLBricks.Reporting;

/// <summary>Plain-text rendering of estimates for the terminal: one block per model and G, top contributors, and what is missing.</summary>
internal static class EstimateTextWriter
{
    /// <summary>Renders <paramref name="estimates"/>, listing at most <paramref name="top"/> contributors per estimate.</summary>
    public static string ToText(IReadOnlyList<ModelEstimates> estimates, int top = 5)
    {
        ArgumentNullException.ThrowIfNull(estimates);
        var text = new StringBuilder();
        foreach (var model in estimates)
        {
            var inputs = Splitting.RecipeInput.Describe(model.Inputs);
            text.AppendLine(Invariant($"{model.Model} (G={model.Granularity}{(inputs.Length == 0 ? "" : ", inputs " + inputs)})"));
            foreach (var e in model.Estimates)
            {
                var status = e.IsComplete ? "" : Invariant($"  INCOMPLETE: {e.Missing.Count} brick(s) missing, estimate is a lower bound");
                text.AppendLine(Invariant($"  {ModeName(e.Mode),-14} {e.EstimateMs,10:0.###} ms  ({e.Statistic}, {e.UniqueBricksUsed} bricks, {e.BrickRuns} runs){status}"));
                foreach (var c in e.Corrections)
                    text.AppendLine(Invariant($"      {c.Name}: {c.DeltaMs:+0.###;-0.###} ms — {c.Explanation}"));
            }

            if (model.Tail is { } tail)
            {
                var partial = tail.IsComplete ? "" : Invariant($"; {tail.RunsWithoutDistribution} run(s) without samples counted at their median");
                text.AppendLine(Invariant($"  {"tail",-14} P50 {tail.P50Ms:0.###} ms, P90 {tail.P90Ms:0.###} ms, P99 {tail.P99Ms:0.###} ms  (Monte Carlo, {tail.Draws} draws, bricks independent{partial})"));
            }

            var sequential = model.Get(EstimationMode.Sequential);
            if (sequential is null) continue;
            foreach (var b in sequential.Breakdown.Take(top))
                text.AppendLine(Invariant($"    {Short(b.Hash)}  ×{b.Occurrences,-3} {b.PerRunMs,9:0.###} ms/run  {b.TotalMs,9:0.###} ms  {b.Share * 100,5:0.0}%"));
            foreach (var m in sequential.Missing)
                text.AppendLine(Invariant($"    missing {m.Hash} (×{m.Occurrences}): {m.Reason}"));
        }
        return text.ToString();
    }

    /// <summary>The name of a mode as the CLI spells it.</summary>
    public static string ModeName(EstimationMode mode) => mode switch
    {
        EstimationMode.Sequential => "sequential",
        EstimationMode.CriticalPath => "critical-path",
        EstimationMode.OverlapCover => "overlap",
        _ => mode.ToString(),
    };

    private static string Short(string hash) => hash.Length > 12 ? hash[..12] : hash;

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
