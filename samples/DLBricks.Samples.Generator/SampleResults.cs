using DLBricks.Reporting;
using DLBricks.Splitting;

namespace DLBricks.Samples.Generator;

/// <summary>One model at one G: estimate versus end to end.</summary>
internal sealed record ModelResultRow(string Model, string Task, int G, int Layers, int Bricks, int UniqueBricks, double E2eMs, double EstimateMs, double Normalized, bool Trustworthy);

/// <summary>Aggregates at one G.</summary>
internal sealed record GranularityResultRow(int G, int Models, double GeomeanNormalized, double MinNormalized, double MaxNormalized, double Speedup,
    int TotalBricks, int UniqueBricks);

/// <summary>Repetition across models: total versus unique layers, and total versus unique bricks per G (the paper's 10,815 → 1,529).</summary>
internal sealed record RepetitionSummary(int Models, int TotalLayers, int UniqueLayers, IReadOnlyList<(int G, int TotalBricks, int UniqueBricks)> Bricks);

/// <summary>The numbers the sample prints and writes, derived once from the validation report and the splits.</summary>
internal sealed record SampleResults(IReadOnlyList<ModelResultRow> Models, IReadOnlyList<GranularityResultRow> Granularities, RepetitionSummary? Repetition)
{
    /// <summary>Derives the rows of a finished run (empty when nothing was validated).</summary>
    public static SampleResults Of(SampleRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        if (run.Report is not { } report) return new SampleResults([], [], null);
        var layers = run.Repetition?.Models.ToDictionary(m => m.Model, m => m.Layers, StringComparer.Ordinal) ?? [];
        var models = report.Models
            .OrderBy(r => r.G).ThenBy(r => r.Model, StringComparer.Ordinal)
            .Select(r => new ModelResultRow(r.Model, run.TaskOf(r.Model), r.G, layers.GetValueOrDefault(r.Model), r.Bricks, r.UniqueBricks,
                r.E2eMs, r.EstimateMs, r.Normalized, r.Trustworthy))
            .ToList();
        var granularities = report.Summary
            .Select(s => new GranularityResultRow(s.G, s.Models, s.GeomeanNormalized, s.MinNormalized, s.MaxNormalized, s.Speedup,
                report.Models.Where(m => m.G == s.G).Sum(m => m.Bricks), s.UniqueBricks))
            .ToList();
        var repetition = run.Repetition is { } stats
            ? new RepetitionSummary(stats.Models.Count, stats.TotalLayers, stats.UniqueLayers,
                granularities.Select(g => (g.G, g.TotalBricks, g.UniqueBricks)).ToList())
            : null;
        return new SampleResults(models, granularities, repetition);
    }
}
