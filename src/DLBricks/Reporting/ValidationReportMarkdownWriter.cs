using System.Globalization;
using System.Text;

namespace DLBricks.Reporting;

/// <summary>Renders a <see cref="ValidationReport"/> as Markdown tables for humans (the JSON is for tools).</summary>
internal static class ValidationReportMarkdownWriter
{
    /// <summary>The report as Markdown.</summary>
    public static string ToMarkdown(ValidationReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var md = new StringBuilder();
        var hasOverlap = report.Models.Any(r => r.EstimateOverlapMs is not null);
        md.AppendLine("# DLBricks validation");
        md.AppendLine();
        md.AppendLine(Invariant($"Generated {report.GeneratedAt:yyyy-MM-dd HH:mm} UTC. Statistic: {report.Statistic}. Corrections: {(report.Corrections.Count == 0 ? "none" : string.Join(", ", report.Corrections))}{(report.CallOverheadMs is { } o ? $" (per-call cost {o:0.####} ms)" : "")}."));
        if (report.Concurrency is { } concurrency)
            md.AppendLine(Invariant($"Critical paths are scheduled on the parallel executor's workers at the measured speedup of concurrent bricks: {concurrency}."));
        md.AppendLine(Invariant($"Ratios marked ⚠ come from a model whose repeated end-to-end measurements spread more than {Percent(report.SpreadThreshold)}."));
        md.AppendLine();

        md.AppendLine("## Per model");
        md.AppendLine();
        md.AppendLine("| Model | G | Inputs | E2E (ms) | Spread | Sequential (ms) | Normalized | Critical path (ms) | Normalized CP |" + (hasOverlap ? " Overlap (ms) | Normalized overlap |" : "") + " Bricks | Unique | Missing |");
        md.AppendLine("|---|---:|---|---:|---:|---:|---:|---:|---:|" + (hasOverlap ? "---:|---:|" : "") + "---:|---:|---:|");
        foreach (var r in report.Models.OrderBy(r => r.Model, StringComparer.Ordinal).ThenBy(r => r.G))
        {
            var flag = r.Trustworthy ? "" : " ⚠";
            md.Append(Invariant($"| {r.Model} | {r.G} | {(r.Inputs.Length == 0 ? "–" : r.Inputs)} | {r.E2eMs:0.###} | {Percent(r.E2eSpread)}{flag} | {r.EstimateMs:0.###} | {r.Normalized:0.###}{flag} | {r.EstimateCriticalPathMs:0.###} | {r.NormalizedCriticalPath:0.###} |"));
            if (hasOverlap) md.Append(Invariant($" {Optional(r.EstimateOverlapMs)} | {Optional(r.NormalizedOverlap)} |"));
            md.AppendLine(Invariant($" {r.Bricks} | {r.UniqueBricks} | {r.MissingBricks.Count} |"));
        }
        md.AppendLine();

        md.AppendLine("## Per granularity");
        md.AppendLine();
        var corrected = report.Corrections.Count > 0;
        md.AppendLine("| G | Models | Geomean normalized | Min | Max |" + (corrected ? " Geomean uncorrected |" : "") + " Geomean normalized CP | Speedup | Unique bricks | Untrustworthy |");
        md.AppendLine("|---:|---:|---:|---:|---:|" + (corrected ? "---:|" : "") + "---:|---:|---:|---:|");
        foreach (var s in report.Summary)
            md.AppendLine(Invariant($"| {s.G} | {s.Models} | {s.GeomeanNormalized:0.###} | {s.MinNormalized:0.###} | {s.MaxNormalized:0.###} |")
                + (corrected ? Invariant($" {s.GeomeanNormalizedUncorrected:0.###} |") : "")
                + Invariant($" {s.GeomeanNormalizedCriticalPath:0.###} | {s.Speedup:0.##}× | {s.UniqueBricks} | {s.Untrustworthy} |"));
        md.AppendLine();
        md.AppendLine("Speedup is the paper's benchmarking-time speedup: Σ end-to-end latency of the models / Σ latency of the unique bricks across them.");
        md.AppendLine();

        if (report.Models.Any(r => r.EstimateP90Ms is not null || r.E2eP90Ms is not null))
        {
            md.AppendLine("## Tail latency (single stream)");
            md.AppendLine();
            md.AppendLine("Measured: per-iteration latencies of the end-to-end repeats, pooled. Estimated: quantiles of Monte Carlo sums of one draw per brick run from each brick's per-iteration latencies (independence assumed; see docs/estimation.md).");
            md.AppendLine();
            md.AppendLine("| Model | G | Samples | E2E P50 | E2E P90 | E2E P99 | Est. P50 | Est. P90 | Est. P99 | Normalized P90 | Normalized P99 |");
            md.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
            foreach (var r in report.Models.OrderBy(r => r.Model, StringComparer.Ordinal).ThenBy(r => r.G))
                md.AppendLine(Invariant($"| {r.Model} | {r.G} | {r.E2eSamples} | {Optional(r.E2eP50Ms)} | {Optional(r.E2eP90Ms)} | {Optional(r.E2eP99Ms)} | {Optional(r.EstimateP50Ms)} | {Optional(r.EstimateP90Ms)} | {Optional(r.EstimateP99Ms)} | {Optional(r.NormalizedP90)} | {Optional(r.NormalizedP99)} |"));
            md.AppendLine();
            md.AppendLine("| G | Models with both | Geomean normalized P90 | P90 within ±10 % | Geomean normalized P99 |");
            md.AppendLine("|---:|---:|---:|---:|---:|");
            foreach (var s in report.Summary)
                md.AppendLine(Invariant($"| {s.G} | {s.TailModels} | {s.GeomeanNormalizedP90:0.###} | {s.P90WithinTenPercent} / {s.TailModels} | {s.GeomeanNormalizedP99:0.###} |"));
            md.AppendLine();
        }

        if (report.Reproducibility is { } rep)
        {
            md.AppendLine("## Run to run");
            md.AppendLine();
            md.AppendLine(Invariant($"The whole validation ran {rep.Runs} times (bricks measured afresh each time); the tables above are the first run. A model is reproducible when every run's normalized latency is within ±{Percent(rep.Tolerance)} of its median run. Spreads are (max − min) / median over the runs."));
            md.AppendLine();
            md.AppendLine("| Model | G | Normalized per run | Median | Normalized spread | E2E spread | Bricks spread | Reproducible |");
            md.AppendLine("|---|---:|---|---:|---:|---:|---:|---|");
            foreach (var r in rep.Rows.OrderBy(r => r.Model, StringComparer.Ordinal).ThenBy(r => r.G))
                md.AppendLine(Invariant($"| {r.Model} | {r.G} | {string.Join(", ", r.Normalized.Select(n => n.ToString("0.###", CultureInfo.InvariantCulture)))} | {r.NormalizedMedian:0.###} | {Percent(r.NormalizedSpread)} | {Percent(r.E2eSpread)} | {Percent(r.EstimateSpread)} | {(r.Reproducible ? "yes" : "no ⚠")} |"));
            md.AppendLine();
            md.AppendLine("| G | Models | Reproducible | Geomean \\|error\\| per run | Geomean \\|error\\| of medians | Untrustworthy per run |");
            md.AppendLine("|---:|---:|---:|---|---:|---|");
            foreach (var s in rep.Summary)
                md.AppendLine(Invariant($"| {s.G} | {s.Models} | {s.Reproducible} | {string.Join(", ", s.GeomeanErrorPerRun.Select(Percent))} | {Percent(s.GeomeanErrorOfMedians)} | {string.Join(", ", s.UntrustworthyPerRun)} |"));
            md.AppendLine();
        }

        if (report.Timing is { } t)
        {
            md.AppendLine("## Cost");
            md.AppendLine();
            md.AppendLine("Wall-clock time of each phase of this validation (the first run's, with `--runs`).");
            md.AppendLine();
            md.AppendLine("| Phase | Wall time (s) | What |");
            md.AppendLine("|---|---:|---|");
            if (t.SplitSeconds is { } split)
                md.AppendLine(Invariant($"| Split | {split:0.#} | every model at every G |"));
            md.AppendLine(Invariant($"| Bricks | {t.BricksSeconds:0.#} | {t.BricksMeasured} bricks (all G, shared bricks once) |"));
            md.AppendLine(Invariant($"| End to end | {t.EndToEndSeconds:0.#} | {t.EndToEndMeasurements} measurements |"));
            if (t.EndToEndSecondsPerPass is { } pass)
                md.AppendLine(Invariant($"| One end-to-end pass | {pass:0.#} | every model measured once |"));
            md.AppendLine();
            if (t.BricksPerEndToEndPass is { } ratio)
            {
                md.AppendLine(Invariant($"Bricks / one end-to-end pass: {ratio:0.00}."));
                md.AppendLine();
            }
        }

        if (report.Profiles.Count > 0)
        {
            md.AppendLine("## Observation 1: per-node time sum vs end-to-end");
            md.AppendLine();
            md.AppendLine("| Model | E2E (ms) | Trace run (ms) | Σ node kernels (ms) | Node share |");
            md.AppendLine("|---|---:|---:|---:|---:|");
            foreach (var p in report.Profiles)
                md.AppendLine(Invariant($"| {p.Model} | {p.E2eMs:0.###} | {p.TraceRunMs:0.###} | {p.NodeSumMs:0.###} | {Percent(p.NodeShare)} |"));
            md.AppendLine();
        }
        if (report.Failures.Count > 0)
        {
            md.AppendLine("## Failed models");
            md.AppendLine();
            md.AppendLine("| Model | Step | Reason |");
            md.AppendLine("|---|---|---|");
            foreach (var f in report.Failures)
                md.AppendLine($"| {f.Model} | {f.Stage} | {f.Reason.Replace("|", "\\|", StringComparison.Ordinal)} |");
            md.AppendLine();
        }
        return md.ToString();
    }

    /// <summary>Writes the Markdown to <paramref name="path"/> atomically.</summary>
    public static void Write(ValidationReport report, string path) => AtomicFile.WriteAllText(path, ToMarkdown(report));

    private static string Percent(double fraction) => (fraction * 100).ToString("0.0", CultureInfo.InvariantCulture) + "%";

    private static string Optional(double? value) => value is { } v ? v.ToString("0.###", CultureInfo.InvariantCulture) : "–";

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
