using Spectre.Console;
using static DLBricks.Samples.Generator.SampleFormat;

namespace DLBricks.Samples.Generator.Steps;

/// <summary>Prints estimate versus end to end per model, the per-G aggregates and the repetition summary.</summary>
internal sealed class PrintResultsStep : ISampleStep
{
    /// <inheritdoc />
    public string Name => "print";

    /// <inheritdoc />
    public void Run(SampleRun run)
    {
        var results = SampleResults.Of(run);
        if (results.Models.Count == 0) return;
        var console = run.Console;
        // Without a terminal (logs, pipes, files) the tables come out as Markdown: plain text that pastes into documents.
        var border = console.Profile.Capabilities.Ansi ? TableBorder.Rounded : TableBorder.Markdown;

        var models = new Table().Border(border).Title("estimate versus end to end").AddColumns("model", "task", "G", "layers", "bricks", "unique", "e2e ms", "estimate ms", "normalized");
        foreach (var r in results.Models)
            models.AddRow(Markup.Escape(r.Model), r.Task, r.G.ToString(), Count(r.Layers), Count(r.Bricks), Count(r.UniqueBricks), Ms(r.E2eMs), Ms(r.EstimateMs),
                Ratio(r.Normalized) + Flag(r.Trustworthy));
        RightAlign(models, from: 3);
        console.Write(models);
        if (results.Models.Any(r => !r.Trustworthy))
            console.WriteLine($"! the model's repeated end-to-end measurements spread more than {SampleFormat.Percent(run.Report!.SpreadThreshold)}: the machine was noisy, trust that ratio less.");

        var summary = new Table().Border(border).Title("per granularity").AddColumns("G", "models", "geomean normalized", "min", "max", "speedup");
        foreach (var g in results.Granularities)
            summary.AddRow(g.G.ToString(), g.Models.ToString(), Ratio(g.GeomeanNormalized), Ratio(g.MinNormalized), Ratio(g.MaxNormalized), Speedup(g.Speedup));
        RightAlign(summary, from: 1);
        console.Write(summary);

        if (results.Repetition is { } rep)
        {
            var repetition = new Table().Border(border).Title($"repetition across {rep.Models} models").AddColumns("", "total", "unique");
            repetition.AddRow("layers", Count(rep.TotalLayers), Count(rep.UniqueLayers));
            foreach (var (g, total, unique) in rep.Bricks) repetition.AddRow($"bricks G={g}", Count(total), Count(unique));
            RightAlign(repetition, from: 1);
            console.Write(repetition);
            console.WriteLine($"(the paper: 10,815 layers in 50 models -> 1,529 unique; here {Count(rep.TotalLayers)} -> {Count(rep.UniqueLayers)})");
        }
    }

    private static void RightAlign(Table table, int from)
    {
        for (var i = from; i < table.Columns.Count; i++) table.Columns[i].RightAligned();
    }
}
