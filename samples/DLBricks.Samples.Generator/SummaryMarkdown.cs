using System.Globalization;
using System.Text;
using static DLBricks.Samples.Generator.SampleFormat;

namespace DLBricks.Samples.Generator;

/// <summary>Renders the run as <c>summary.md</c>: the same tables the console shows, plus what was run where and what failed.</summary>
internal static class SummaryMarkdown
{
    /// <summary>File name inside the report folder.</summary>
    public const string FileName = "summary.md";

    /// <summary>The Markdown text of <paramref name="run"/>.</summary>
    public static string Render(SampleRun run, TimeSpan elapsed)
    {
        ArgumentNullException.ThrowIfNull(run);
        var results = SampleResults.Of(run);
        var md = new StringBuilder();
        md.AppendLine("# DLBricks sample run").AppendLine();
        md.AppendLine(Invariant($"Generated {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC in {elapsed.TotalMinutes:0.0} min."));
        if (run.Fingerprint is { } system) md.AppendLine(Invariant($"System: {system.CpuModel}, {system.LogicalCores} logical cores, {system.OperatingSystem}, ONNX Runtime {system.OnnxRuntimeVersion}."));
        if (run.Job is { } job)
            md.AppendLine(Invariant($"Job `{job.Name}`: {job.WarmupCount} warmup + {job.IterationCount} iterations of ≥ {job.TargetIterationTime.TotalMilliseconds:0.###} ms, clock {job.Clock}; CPU, 1 intra-op thread, optimization level all; {run.Options.Repeats} end-to-end measurements per model; statistic {run.Report?.Statistic ?? "median"}."));
        md.AppendLine();

        if (results.Models.Count > 0)
        {
            md.AppendLine("## Estimate versus end to end").AppendLine();
            md.AppendLine("| model | task | G | layers | bricks | unique | e2e ms | estimate ms | normalized |");
            md.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---:|");
            foreach (var r in results.Models)
                md.AppendLine(Invariant($"| {r.Model} | {r.Task} | {r.G} | {Count(r.Layers)} | {Count(r.Bricks)} | {Count(r.UniqueBricks)} | {Ms(r.E2eMs)} | {Ms(r.EstimateMs)} | {Ratio(r.Normalized)}{Flag(r.Trustworthy)} |"));
            if (results.Models.Any(r => !r.Trustworthy))
                md.AppendLine().AppendLine(Invariant($"`!`: the model's repeated end-to-end measurements spread more than {SampleFormat.Percent(run.Report!.SpreadThreshold)}."));
            md.AppendLine();

            md.AppendLine("## Per granularity").AppendLine();
            md.AppendLine("| G | models | geomean normalized | min | max | speedup |");
            md.AppendLine("|---:|---:|---:|---:|---:|---:|");
            foreach (var g in results.Granularities)
                md.AppendLine(Invariant($"| {g.G} | {g.Models} | {Ratio(g.GeomeanNormalized)} | {Ratio(g.MinNormalized)} | {Ratio(g.MaxNormalized)} | {Speedup(g.Speedup)} |"));
            md.AppendLine();
        }

        if (results.Repetition is { } rep)
        {
            md.AppendLine($"## Repetition across {rep.Models} models").AppendLine();
            md.AppendLine("| | total | unique |");
            md.AppendLine("|---|---:|---:|");
            md.AppendLine($"| layers | {Count(rep.TotalLayers)} | {Count(rep.UniqueLayers)} |");
            foreach (var (g, total, unique) in rep.Bricks) md.AppendLine($"| bricks G={g} | {Count(total)} | {Count(unique)} |");
            md.AppendLine().AppendLine("The paper counts 10,815 layers in 50 models and 1,529 unique ones. `jaccard.png` shows how much each pair of models shares.");
            md.AppendLine();
        }

        if (run.Failures.Count > 0 || run.Notes.Count > 0)
        {
            md.AppendLine("## Failures and notes").AppendLine();
            foreach (var failure in run.Failures) md.AppendLine($"- failed: {failure}");
            foreach (var note in run.Notes) md.AppendLine($"- note: {note}");
            md.AppendLine();
        }

        md.AppendLine("## Files").AppendLine();
        foreach (var file in run.WrittenFiles.Append(Path.Combine(run.ReportDirectory, FileName)))
            md.AppendLine($"- `{Path.GetFileName(file)}`");
        return md.ToString();
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
