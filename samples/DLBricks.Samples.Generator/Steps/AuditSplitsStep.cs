using System.Globalization;
using System.Text;
using DLBricks.Validation;
using Spectre.Console;

namespace DLBricks.Samples.Generator.Steps;

/// <summary>
/// <c>--audit</c>: splits every model at each G (1..6 unless <c>-g</c> says otherwise) and loads and runs every brick once,
/// measuring nothing. Writes <c>report/split-audit.md</c> and prints bricks per model and G; a model or brick that fails
/// is one failure line naming it.
/// </summary>
public sealed class AuditSplitsStep : ISampleStep
{
    /// <summary>File name of the audit report in the report folder.</summary>
    public const string FileName = "split-audit.md";

    /// <inheritdoc />
    public string Name => "audit";

    /// <inheritdoc />
    public void Run(SampleRun run)
    {
        var models = run.Models.Select(m => new SplitAuditModel(m.Name, m.Path, m.Bindings)).ToList();
        var report = SplitAudit.Run(models, new SplitAuditOptions { Granularities = run.Options.Granularities, Cache = run.GraphCache }, run.Progress, run.CancellationToken);
        run.Audit = report;
        foreach (var failure in report.Failures)
        {
            var line = failure.G is { } g ? $"G={g}: {failure.Message}" : failure.Message;
            run.Failures.Add($"{failure.Model}: {line}");
        }

        Directory.CreateDirectory(run.ReportDirectory);
        var path = Path.Combine(run.ReportDirectory, FileName);
        File.WriteAllText(path + ".tmp", Render(report));
        File.Move(path + ".tmp", path, overwrite: true);
        run.WrittenFiles.Add(path);
        run.Progress.Report($"wrote {path}");

        var gs = report.Rows.Select(r => r.G).Distinct().Order().ToList();
        var table = new Table().Title("bricks per model (distinct in parentheses); every brick loaded and ran once unless marked")
            .AddColumns(["model", "layers", .. gs.Select(g => $"G={g}")]);
        foreach (var model in report.Rows.GroupBy(r => r.Model))
            table.AddRow([Markup.Escape(model.Key), model.First().Layers.ToString(CultureInfo.InvariantCulture),
                .. gs.Select(g => model.FirstOrDefault(r => r.G == g) is { } row ? Cell(row) : "—")]);
        table.AddRow(["unique across models", TotalLayers(report).ToString(CultureInfo.InvariantCulture),
            .. gs.Select(g => report.UniqueBricksAt(g).ToString(CultureInfo.InvariantCulture))]);
        run.Console.Write(table);
        run.Console.WriteLine($"{report.Rows.Select(r => r.Model).Distinct().Count()} models split at G = {string.Join(", ", gs)}; "
            + $"{report.BricksRun} distinct bricks loaded and run; {report.Failures.Count} failures; {report.Elapsed:mm\\:ss}.");
    }

    private static int TotalLayers(SplitAuditReport report) => report.Rows.GroupBy(r => r.Model).Sum(m => m.First().Layers);

    private static string Cell(SplitAuditRow row) =>
        $"{row.Bricks} ({row.UniqueBricks})" + (row.FailedBricks > 0 ? $" {row.FailedBricks} FAILED" : "");

    /// <summary>The audit as Markdown.</summary>
    public static string Render(SplitAuditReport report)
    {
        var gs = report.Rows.Select(r => r.G).Distinct().Order().ToList();
        var md = new StringBuilder();
        md.AppendLine("# Split audit");
        md.AppendLine();
        md.AppendLine(FormattableString.Invariant($"{report.Rows.Select(r => r.Model).Distinct().Count()} models, G = {string.Join(", ", gs)}: {report.BricksRun} distinct bricks loaded and run once in ONNX Runtime, {report.Failures.Count} failures, {report.Elapsed:hh\\:mm\\:ss}."));
        md.AppendLine();
        md.AppendLine("Bricks per model (distinct in parentheses):");
        md.AppendLine();
        md.AppendLine("| model | layers | " + string.Join(" | ", gs.Select(g => $"G={g}")) + " |");
        md.AppendLine("|---|---:|" + string.Concat(gs.Select(_ => "---:|")));
        foreach (var model in report.Rows.GroupBy(r => r.Model))
            md.AppendLine(FormattableString.Invariant($"| {model.Key} | {model.First().Layers} | ")
                + string.Join(" | ", gs.Select(g => model.FirstOrDefault(r => r.G == g) is { } row ? Cell(row) : "—")) + " |");
        md.AppendLine(FormattableString.Invariant($"| **unique across models** | {TotalLayers(report)} | ")
            + string.Join(" | ", gs.Select(g => report.UniqueBricksAt(g).ToString(CultureInfo.InvariantCulture))) + " |");
        if (report.Failures.Count > 0)
        {
            md.AppendLine();
            md.AppendLine("## Failures");
            md.AppendLine();
            foreach (var f in report.Failures) md.AppendLine($"- {f.Model}{(f.G is { } g ? $" (G={g})" : "")}: {f.Message}");
        }
        return md.ToString();
    }
}
