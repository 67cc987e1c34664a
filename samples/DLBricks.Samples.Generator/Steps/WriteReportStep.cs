using DLBricks.Reporting;

namespace DLBricks.Samples.Generator.Steps;

/// <summary>
/// Writes the report folder: the validation's JSON, Markdown and figures, the Jaccard heatmap of the models' layer sets,
/// and <c>summary.md</c>. It runs only after all measuring is done, so a run cancelled while measuring leaves the previous
/// report untouched.
/// </summary>
internal sealed class WriteReportStep : ISampleStep
{
    /// <summary>File name of the heatmap.</summary>
    public const string HeatmapFile = "jaccard.png";

    private readonly Func<TimeSpan> _elapsed;

    /// <summary>Creates the step; <paramref name="elapsed"/> tells summary.md how long the run took.</summary>
    public WriteReportStep(Func<TimeSpan> elapsed) => _elapsed = elapsed;

    /// <inheritdoc />
    public string Name => "report";

    /// <inheritdoc />
    public void Run(SampleRun run)
    {
        if (run.Report is null) return;
        Directory.CreateDirectory(run.ReportDirectory);
        run.WrittenFiles.AddRange(ValidationReportWriter.WriteAll(run.Report, run.ReportDirectory));
        if (run.Repetition is { } repetition)
        {
            var heatmap = Path.Combine(run.ReportDirectory, HeatmapFile);
            JaccardHeatmap.Save(repetition, heatmap);
            run.WrittenFiles.Add(heatmap);
        }
        var summary = Path.Combine(run.ReportDirectory, SummaryMarkdown.FileName);
        var temp = summary + ".tmp";
        File.WriteAllText(temp, SummaryMarkdown.Render(run, _elapsed()));
        File.Move(temp, summary, overwrite: true);
        run.WrittenFiles.Add(summary);
        foreach (var file in run.WrittenFiles) run.Progress.Report($"wrote {file}");
    }
}
